package dev.pulse.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything that determines a simulation: the seed, the simulated interval, the domains, the size
 * of the platform, the base rates, the incidents and the stream faults. Two runs with equal configs
 * produce the same records, byte for byte.
 *
 * @param seed the one seed every random stream derives from
 * @param start the first simulated instant (event time, not wall-clock time)
 * @param duration how much event time to simulate, or null for no time limit (then maxEvents must
 *     be set)
 * @param maxEvents stop after this many original events (faults not counted); 0 for no limit
 * @param domains which domains to generate
 * @param tenants number of institutions
 * @param coursesPerTenant courses per institution, each with a weekly timetable of live sessions
 * @param learnersPerCourse enrolled learners per course
 * @param videosPerCourse lecture videos in each course's catalogue
 * @param apiRequestsPerMinute API requests per minute over the whole platform at the daily peak
 * @param viewsPerMinute new video views per minute over the whole platform at the daily peak
 * @param incidents platform incidents (error spikes, latency regressions, outages)
 * @param faults damage applied to the delivered stream
 * @param schoolDayStart when the school day of the first simulated day starts, or null for the
 *     timetable as written (Monday to Friday, 08:00 UTC): the demo moves the first period to a few
 *     minutes after its start and counts the first day as a Monday, so classes run whenever it runs
 */
public record SimulationConfig(
    long seed,
    Instant start,
    Duration duration,
    long maxEvents,
    Set<Domain> domains,
    int tenants,
    int coursesPerTenant,
    int learnersPerCourse,
    int videosPerCourse,
    double apiRequestsPerMinute,
    double viewsPerMinute,
    List<Incident> incidents,
    FaultConfig faults,
    Instant schoolDayStart) {

  /** Monday 2026-03-02, five minutes before the first class of the day (08:00 UTC). */
  public static final Instant DEFAULT_START = Instant.parse("2026-03-02T07:55:00Z");

  /** Ten simulated hours: the school day and the early evening. */
  public static final Duration DEFAULT_DURATION = Duration.ofHours(10);

  public SimulationConfig {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(domains, "domains");
    Objects.requireNonNull(incidents, "incidents");
    Objects.requireNonNull(faults, "faults");
    if (duration == null && maxEvents <= 0) {
      throw new IllegalArgumentException(
          "set a duration or an event count, or the simulation never ends");
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (maxEvents < 0) {
      throw new IllegalArgumentException(
          "event count must be >= 0 (0 = no limit), got " + maxEvents);
    }
    if (domains.isEmpty()) {
      throw new IllegalArgumentException("choose at least one domain: " + Domain.validNames());
    }
    positive("tenants", tenants);
    positive("courses per tenant", coursesPerTenant);
    positive("learners per course", learnersPerCourse);
    positive("videos per course", videosPerCourse);
    if (!(apiRequestsPerMinute > 0) || Double.isInfinite(apiRequestsPerMinute)) {
      throw new IllegalArgumentException(
          "API requests per minute must be positive, got " + apiRequestsPerMinute);
    }
    if (!(viewsPerMinute > 0) || Double.isInfinite(viewsPerMinute)) {
      throw new IllegalArgumentException(
          "views per minute must be positive, got " + viewsPerMinute);
    }
    domains = Collections.unmodifiableSet(EnumSet.copyOf(domains));
    incidents = List.copyOf(incidents);
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /** The defaults: seed 42, all domains, 3 tenants x 6 courses x 24 learners, a 10-hour day. */
  public static SimulationConfig defaults() {
    return new SimulationConfig(
        42,
        DEFAULT_START,
        DEFAULT_DURATION,
        0,
        EnumSet.allOf(Domain.class),
        3,
        6,
        24,
        8,
        6000,
        40,
        Incident.defaultsFor(DEFAULT_START),
        FaultConfig.NONE,
        null);
  }

  /** The end of simulated time (exclusive), or null when only the event count bounds the run. */
  public Instant end() {
    return duration == null ? null : start.plus(duration);
  }

  public SimulationConfig withSeed(long seed) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  /** A new start; incidents are not moved (use {@link #withIncidents}). */
  public SimulationConfig withStart(Instant start) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  public SimulationConfig withDuration(Duration duration) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  public SimulationConfig withMaxEvents(long maxEvents) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  public SimulationConfig withDomains(Set<Domain> domains) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  public SimulationConfig withPlatform(
      int tenants, int coursesPerTenant, int learnersPerCourse, int videosPerCourse) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  public SimulationConfig withRates(double apiRequestsPerMinute, double viewsPerMinute) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  public SimulationConfig withIncidents(List<Incident> incidents) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  public SimulationConfig withFaults(FaultConfig faults) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }

  /**
   * The school day of the first simulated day starting at {@code schoolDayStart} (its first
   * period), that day counted as a Monday and each later day as the next weekday of the timetable.
   */
  public SimulationConfig withSchoolDayStart(Instant schoolDayStart) {
    return new SimulationConfig(
        seed,
        start,
        duration,
        maxEvents,
        domains,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        videosPerCourse,
        apiRequestsPerMinute,
        viewsPerMinute,
        incidents,
        faults,
        schoolDayStart);
  }
}
