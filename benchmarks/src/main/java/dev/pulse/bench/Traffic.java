package dev.pulse.bench;

import dev.pulse.events.topics.Topic;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulationConfig;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

/** What the bench preloads and every phase moves: one domain's simulated events, or all four. */
enum Traffic {
  /** API request events, at {@code --events-per-minute} at the peak. */
  api(List.of(Domain.API), "API request events"),

  /**
   * Classroom events of a large platform's live classes: 40 institutions of 25 courses with 30
   * learners each, so about 75 classes run at once in each period of the school day.
   */
  classroom(List.of(Domain.CLASSROOM), "classroom events"),

  /** Player events of lecture videos watched in the evening, 2,000 views starting a minute. */
  playback(List.of(Domain.PLAYBACK), "player events"),

  /**
   * All four domains at once, in the proportions the simulator gives a large platform on a school
   * morning: the classes of {@link #classroom}'s platform, API requests at {@code
   * --events-per-minute}, 2,000 video views starting a minute, and the synthetic probes.
   */
  mixed(List.of(Domain.API, Domain.CLASSROOM, Domain.PLAYBACK, Domain.PROBES), "mixed events");

  private final List<Domain> domains;
  private final String description;

  Traffic(List<Domain> domains, String description) {
    this.domains = domains;
    this.description = description;
  }

  /** The domains whose events are preloaded, each into a topic of its own. */
  List<Domain> domains() {
    return domains;
  }

  /** The topic contract of a single-domain traffic (its creation settings, its codec). */
  Topic<?> contract() {
    return domains.get(0).topic();
  }

  /** How the report names the events, e.g. "classroom events". */
  String description() {
    return description;
  }

  /**
   * The table every event of {@code domain} lands in once, in the loader's and Pulse's database.
   */
  static String rawTable(Domain domain) {
    return switch (domain) {
      case API -> "api_requests_raw";
      case CLASSROOM -> "classroom_events_raw";
      case PLAYBACK -> "playback_events_raw";
      case PROBES -> "probe_results_raw";
    };
  }

  /** The raw tables of this traffic's domains. */
  List<String> rawTables() {
    return domains.stream().map(Traffic::rawTable).toList();
  }

  /**
   * The simulated traffic: these domains only, no faults, from a Monday's first class period on
   * (for API traffic its class-hour peak; for mixed traffic three minutes before the second period,
   * whose classes open two minutes before it).
   */
  SimulationConfig simulation(long events, double apiEventsPerMinute, long seed) {
    SimulationConfig base =
        SimulationConfig.defaults()
            .withSeed(seed)
            .withMaxEvents(events)
            .withDuration(null)
            .withFaults(FaultConfig.NONE)
            .withDomains(EnumSet.copyOf(domains));
    return switch (this) {
      case api ->
          base.withStart(Instant.parse("2026-03-02T09:30:00Z")).withRates(apiEventsPerMinute, 40);
      case classroom ->
          base.withStart(Instant.parse("2026-03-02T08:00:00Z")).withPlatform(40, 25, 30, 1);
      case playback ->
          base.withStart(Instant.parse("2026-03-02T18:00:00Z"))
              .withPlatform(40, 25, 30, 2)
              .withRates(1, 2_000);
      case mixed ->
          base.withStart(Instant.parse("2026-03-02T08:57:00Z"))
              .withPlatform(40, 25, 30, 2)
              .withRates(apiEventsPerMinute, 2_000);
    };
  }
}
