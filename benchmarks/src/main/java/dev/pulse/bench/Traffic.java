package dev.pulse.bench;

import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulationConfig;
import java.time.Instant;
import java.util.EnumSet;

/** What the bench preloads and every phase moves: one domain's simulated events. */
enum Traffic {
  /** API request events, at {@code --events-per-minute} at the peak. */
  api(Topics.API_REQUESTS, "api_requests_raw", "API request events"),

  /**
   * Classroom events of a large platform's live classes: 40 institutions of 25 courses with 30
   * learners each, so about 75 classes run at once in each period of the school day.
   */
  classroom(Topics.CLASSROOM, "classroom_events_raw", "classroom events"),

  /** Player events of lecture videos watched in the evening, 2,000 views starting a minute. */
  playback(Topics.PLAYBACK, "playback_events_raw", "player events");

  private final Topic<?> contract;
  private final String rawTable;
  private final String description;

  Traffic(Topic<?> contract, String rawTable, String description) {
    this.contract = contract;
    this.rawTable = rawTable;
    this.description = description;
  }

  /** The topic contract whose records the preload writes (its creation settings, its codec). */
  Topic<?> contract() {
    return contract;
  }

  /** The table every event lands in once, in the loader's and in Pulse's database. */
  String rawTable() {
    return rawTable;
  }

  /** How the report names the events, e.g. "classroom events". */
  String description() {
    return description;
  }

  /**
   * The simulated traffic: this domain only, no faults, from a Monday's first class period on (for
   * API traffic its class-hour peak).
   */
  SimulationConfig simulation(long events, double apiEventsPerMinute, long seed) {
    SimulationConfig base =
        SimulationConfig.defaults()
            .withSeed(seed)
            .withMaxEvents(events)
            .withDuration(null)
            .withFaults(FaultConfig.NONE);
    return switch (this) {
      case api ->
          base.withDomains(EnumSet.of(Domain.API))
              .withStart(Instant.parse("2026-03-02T09:30:00Z"))
              .withRates(apiEventsPerMinute, 40);
      case classroom ->
          base.withDomains(EnumSet.of(Domain.CLASSROOM))
              .withStart(Instant.parse("2026-03-02T08:00:00Z"))
              .withPlatform(40, 25, 30, 1);
      case playback ->
          base.withDomains(EnumSet.of(Domain.PLAYBACK))
              .withStart(Instant.parse("2026-03-02T18:00:00Z"))
              .withPlatform(40, 25, 30, 2)
              .withRates(1, 2_000);
    };
  }
}
