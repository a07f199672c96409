package dev.pulse.simulator;

import dev.pulse.events.ProbeResult;
import dev.pulse.events.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The probes domain: every 30 s, each service's health endpoint is checked from each region (at a
 * fixed per-pair offset within the interval); checks fail during outages and, with the spike's 5xx
 * share, during error spikes, plus rare network blips.
 */
final class ProbeChecks implements EventSource {

  static final long INTERVAL_MS = 30_000;
  static final long TIMEOUT_MS = 10_000;
  static final String TENANT = "platform";

  /** The platform is hosted in eu-west: probes from farther away see more latency. */
  private static final double[] REGION_MEDIAN_MS = {25, 90, 160};

  private final SimulationConfig config;
  private final SplittableRandom r;
  private final long startMs;
  private final long[][] offsets;
  private long tick;
  private List<SimulatedEvent> batch = List.of();
  private int next;

  ProbeChecks(SimulationConfig config) {
    this.config = config;
    this.r = Seeds.random(config.seed(), "probes");
    this.startMs = config.start().toEpochMilli();
    this.offsets = new long[ApiTraffic.SERVICES.size()][PlatformModel.REGIONS.length];
    for (int s = 0; s < offsets.length; s++) {
      for (int g = 0; g < offsets[s].length; g++) {
        offsets[s][g] =
            Math.floorMod(Seeds.derive(config.seed(), "probe-offset", s, g), INTERVAL_MS);
      }
    }
    this.tick = Math.floorDiv(startMs, INTERVAL_MS) * INTERVAL_MS;
    fill();
  }

  private void fill() {
    while (next >= batch.size()) {
      List<SimulatedEvent> b = new ArrayList<>();
      for (int s = 0; s < offsets.length; s++) {
        for (int g = 0; g < offsets[s].length; g++) {
          long t = tick + offsets[s][g];
          SimulatedEvent e = check(ApiTraffic.SERVICES.get(s), g, t);
          if (t >= startMs) {
            b.add(e);
          }
        }
      }
      b.sort(Comparator.comparingLong(SimulatedEvent::epochMillis));
      batch = b;
      next = 0;
      tick += INTERVAL_MS;
    }
  }

  private SimulatedEvent check(String service, int regionIndex, long t) {
    double failP = 0.0005;
    String failure = "connection reset by peer";
    for (Incident inc : config.incidents()) {
      if (inc.activeAt(t) && inc.service().equals(service)) {
        if (inc.kind() == Incident.Kind.OUTAGE) {
          failP = 1.0;
          failure = "HTTP 503 Service Unavailable";
        } else if (inc.kind() == Incident.Kind.ERROR_SPIKE && inc.magnitude() > failP) {
          failP = inc.magnitude();
          failure = "HTTP 500 Internal Server Error";
        }
      }
    }
    boolean success = !Seeds.chance(r, failP);
    long latency = Math.max(1, Math.round(Seeds.logNormal(r, REGION_MEDIAN_MS[regionIndex], 0.25)));
    String error = null;
    if (!success) {
      // Some failures are timeouts: the check waited the full timeout.
      if (Seeds.chance(r, 0.3)) {
        error = "timeout after " + TIMEOUT_MS + " ms";
        latency = TIMEOUT_MS;
      } else {
        error = failure;
      }
    }
    ProbeResult p =
        ProbeResult.newBuilder()
            .setEventId(Seeds.uuid(r))
            .setTenantId(TENANT)
            .setEventTime(Instant.ofEpochMilli(t))
            .setTarget(service + "/health")
            .setRegion(PlatformModel.REGIONS[regionIndex])
            .setSuccess(success)
            .setLatencyMs(latency)
            .setError(error)
            .build();
    return SimulatedEvent.of(Topics.PROBES, p, t);
  }

  @Override
  public long peekTime() {
    return batch.get(next).epochMillis();
  }

  @Override
  public SimulatedEvent next() {
    SimulatedEvent e = batch.get(next++);
    fill();
    return e;
  }
}
