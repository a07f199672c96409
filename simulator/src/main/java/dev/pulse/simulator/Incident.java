package dev.pulse.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A fault injected into the simulated platform itself (not into the event stream): an error spike,
 * a latency regression, or an outage of one service during a fixed event-time interval.
 *
 * @param kind what goes wrong
 * @param service the affected service (for example sessions-api)
 * @param endpoint the affected route template, or null for every endpoint of the service
 * @param start the first affected instant (inclusive)
 * @param duration how long it lasts; the incident covers [start, start + duration)
 * @param magnitude ERROR_SPIKE: the share of requests answered with 5xx (0..1); LATENCY_REGRESSION:
 *     the latency multiplier (at least 1); OUTAGE: ignored (everything fails)
 */
public record Incident(
    Kind kind,
    String service,
    String endpoint,
    Instant start,
    Duration duration,
    double magnitude) {

  /** What goes wrong during an incident. */
  public enum Kind {
    /**
     * A share of the service's requests fail with 5xx; probes of the service fail with that
     * probability.
     */
    ERROR_SPIKE,
    /** The endpoint's latencies are multiplied by the magnitude; probes stay green. */
    LATENCY_REGRESSION,
    /** The service answers 503 to (almost) everything and every probe of it fails. */
    OUTAGE
  }

  public Incident {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("incident duration must be positive, got " + duration);
    }
    if (kind == Kind.ERROR_SPIKE && (magnitude <= 0 || magnitude > 1)) {
      throw new IllegalArgumentException(
          "an error spike's 5xx share must be in (0, 1], got " + magnitude);
    }
    if (kind == Kind.LATENCY_REGRESSION && magnitude < 1) {
      throw new IllegalArgumentException(
          "a latency regression's multiplier must be >= 1, got " + magnitude);
    }
  }

  /** The first instant after the incident. */
  public Instant end() {
    return start.plus(duration);
  }

  /** Whether the incident is in effect at {@code epochMillis}. */
  public boolean activeAt(long epochMillis) {
    return epochMillis >= start.toEpochMilli() && epochMillis < end().toEpochMilli();
  }

  /** Whether the incident affects requests to {@code service} {@code endpoint}. */
  public boolean affects(String service, String endpoint) {
    return this.service.equals(service)
        && (this.endpoint == null || this.endpoint.equals(endpoint));
  }

  /**
   * The default incidents of a simulated day starting at {@code start}: an error spike on
   * sessions-api at +2h05 for 10 minutes (25% 5xx), a latency regression x5 on the video manifest
   * endpoint at +4h05 for 20 minutes, and a 5-minute grades-api outage at +5h35. With the default
   * start 07:55Z they fall at 10:00, 12:00 and 13:30 UTC, in school hours.
   */
  public static List<Incident> defaultsFor(Instant start) {
    return List.of(
        new Incident(
            Kind.ERROR_SPIKE,
            "sessions-api",
            null,
            start.plus(Duration.ofMinutes(125)),
            Duration.ofMinutes(10),
            0.25),
        new Incident(
            Kind.LATENCY_REGRESSION,
            "video-api",
            "/videos/{videoId}/manifest",
            start.plus(Duration.ofMinutes(245)),
            Duration.ofMinutes(20),
            5.0),
        new Incident(
            Kind.OUTAGE,
            "grades-api",
            null,
            start.plus(Duration.ofMinutes(335)),
            Duration.ofMinutes(5),
            1.0));
  }
}
