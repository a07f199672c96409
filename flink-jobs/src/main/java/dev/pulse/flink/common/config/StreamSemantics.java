package dev.pulse.flink.common.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How a job treats time and repeats, the settings every Pulse job shares: what a job's {@code
 * build()} needs, and nothing about where Kafka or ClickHouse are.
 *
 * @param outOfOrderness how far behind the highest event time an event may arrive and still be on
 *     time (the watermark's lag)
 * @param idleness a Kafka partition without valid events for this long stops holding the watermark
 *     back
 * @param allowedLateness how long after a window's on-time firing late events still update it (as
 *     delta rows); later ones go to the late-events table
 * @param dedupHorizon how far behind the watermark an event's time may be and its id still be
 *     remembered; null: the least that is correct for the job's window ({@link
 *     #dedupHorizon(Duration)})
 * @param dedupStateLayout how the dedup operator holds its ids (with the state backend)
 * @param dedupWarnIds the ids one dedup subtask may hold before it logs a warning with the figures
 *     (once a minute; every id is kept); 0: no warning
 * @param maxFuture events further ahead of the ingest clock than this are dead letters, so no
 *     producer's clock can move event time (and close windows) ahead of everyone else's
 */
public record StreamSemantics(
    Duration outOfOrderness,
    Duration idleness,
    Duration allowedLateness,
    Duration dedupHorizon,
    DedupStateLayout dedupStateLayout,
    long dedupWarnIds,
    Duration maxFuture)
    implements Serializable {

  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      ConfigOptions.key("out-of-orderness")
          .durationType()
          .defaultValue(Duration.ofSeconds(2))
          .withDescription(
              "How far behind the highest event time an event may arrive and still be on time"
                  + " (watermark lag).");

  public static final ConfigOption<Duration> IDLENESS =
      ConfigOptions.key("idleness")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "A Kafka partition without valid events for this long stops holding event time"
                  + " back.");

  public static final ConfigOption<Duration> ALLOWED_LATENESS =
      ConfigOptions.key("allowed-lateness")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "How long after a minute's on-time result late events still update it (as delta"
                  + " rows); later ones go to the late-events table.");

  /**
   * No default value: the default is derived from the window, the allowed lateness and the
   * out-of-orderness ({@link #dedupHorizon(Duration)}), which are what it must cover.
   */
  public static final ConfigOption<Duration> DEDUP_HORIZON =
      ConfigOptions.key("dedup-horizon")
          .durationType()
          .noDefaultValue()
          .withDescription(
              "An event id is remembered until the watermark passes its event time plus this;"
                  + " events already further behind the watermark are late events. Default and"
                  + " least value: the window (1 min) + allowed-lateness + out-of-orderness."
                  + " Memory grows with it (README, Deduplication).");

  public static final ConfigOption<DedupStateLayout> DEDUP_STATE_LAYOUT =
      ConfigOptions.key("dedup-state-layout")
          .enumType(DedupStateLayout.class)
          .defaultValue(DedupStateLayout.BUCKET_TABLES)
          .withDescription(
              "How the dedup operator holds its ids: BUCKET_TABLES (compact tables, for the heap"
                  + " state backend) or ENTRY_PER_ID (one state entry per id, for"
                  + " state.backend.type: rocksdb). Fixed for the life of the job's state.");

  /**
   * 10 million: at the heap layout's 32-64 B per id, 0.3-0.6 GB of one subtask's heap, plus as much
   * again copied on write during a checkpoint, and 240 MB written by every checkpoint: where a
   * TaskManager of a few GB starts to feel it (flink-jobs/README.md, "Watching the dedup's
   * memory").
   */
  public static final ConfigOption<Long> DEDUP_WARN_IDS =
      ConfigOptions.key("dedup-warn-ids-per-subtask")
          .longType()
          .defaultValue(10_000_000L)
          .withDescription(
              "Event ids one dedup subtask may hold before the job logs a warning with the figures"
                  + " and what to do, at most once a minute (the ids are all kept: the dedup stays"
                  + " exact); 0 turns it off. The gauge rememberedIds shows the number (README,"
                  + " Watching the dedup's memory).");

  /**
   * 10 s: more than producers' clock skew and batching delays, well under out-of-orderness plus
   * allowed lateness (32 s), so an event at the bound cannot make on-time events of others late.
   */
  public static final ConfigOption<Duration> MAX_FUTURE =
      ConfigOptions.key("max-future")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Events further ahead of the ingest clock than this are dead-lettered"
                  + " (FUTURE_EVENT_TIME): one producer's fast clock cannot move event time for"
                  + " everyone.");

  /** Every option of this group, in the order the README lists them. */
  public static final List<ConfigOption<?>> OPTIONS =
      List.of(
          OUT_OF_ORDERNESS,
          IDLENESS,
          ALLOWED_LATENESS,
          DEDUP_HORIZON,
          DEDUP_STATE_LAYOUT,
          DEDUP_WARN_IDS,
          MAX_FUTURE);

  public StreamSemantics {
    Objects.requireNonNull(outOfOrderness, OUT_OF_ORDERNESS.key());
    Objects.requireNonNull(idleness, IDLENESS.key());
    Objects.requireNonNull(allowedLateness, ALLOWED_LATENESS.key());
    Objects.requireNonNull(dedupStateLayout, DEDUP_STATE_LAYOUT.key());
    Objects.requireNonNull(maxFuture, MAX_FUTURE.key());
    Durations.notNegative(MAX_FUTURE, maxFuture);
    Durations.notNegative(OUT_OF_ORDERNESS, outOfOrderness);
    Durations.notNegative(ALLOWED_LATENESS, allowedLateness);
    Durations.positive(IDLENESS, idleness);
    if (dedupWarnIds < 0) {
      throw new IllegalArgumentException(
          "--" + DEDUP_WARN_IDS.key() + " must be 0 (off) or more, got " + dedupWarnIds);
    }
    if (dedupHorizon != null) {
      Durations.positive(DEDUP_HORIZON, dedupHorizon);
    }
  }

  /**
   * The dedup horizon for a job whose longest event-time window is {@code window}: the configured
   * one, or by default the least correct one, {@code window + allowed-lateness + out-of-orderness}.
   * An event that far behind the watermark is late for its window, so a copy of it can never be
   * counted, even after its id is forgotten; the out-of-orderness is a margin on top.
   *
   * @throws IllegalArgumentException when the configured horizon is shorter than that
   */
  public Duration dedupHorizon(Duration window) {
    Duration least = window.plus(allowedLateness).plus(outOfOrderness);
    if (dedupHorizon == null) {
      return least;
    }
    if (dedupHorizon.compareTo(least) < 0) {
      throw new IllegalArgumentException(
          "--"
              + DEDUP_HORIZON.key()
              + " must be at least the window ("
              + window
              + ") + "
              + ALLOWED_LATENESS.key()
              + " ("
              + allowedLateness
              + ") + "
              + OUT_OF_ORDERNESS.key()
              + " ("
              + outOfOrderness
              + ") = "
              + least
              + ", got "
              + dedupHorizon
              + ": a duplicate whose id is forgotten sooner could still be counted");
    }
    return dedupHorizon;
  }

  /** The semantics in {@code config}, defaults for what it does not set. */
  public static StreamSemantics from(ReadableConfig config) {
    return new StreamSemantics(
        JobConfig.get(config, OUT_OF_ORDERNESS),
        JobConfig.get(config, IDLENESS),
        JobConfig.get(config, ALLOWED_LATENESS),
        JobConfig.get(config, DEDUP_HORIZON),
        JobConfig.get(config, DEDUP_STATE_LAYOUT),
        JobConfig.get(config, DEDUP_WARN_IDS),
        JobConfig.get(config, MAX_FUTURE));
  }
}
