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
 * @param dedupTtl how long an event id is remembered for deduplication (processing time)
 * @param maxFuture events further ahead of the ingest clock than this are dead letters, so no
 *     producer's clock can move event time (and close windows) ahead of everyone else's
 */
public record StreamSemantics(
    Duration outOfOrderness,
    Duration idleness,
    Duration allowedLateness,
    Duration dedupTtl,
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

  public static final ConfigOption<Duration> DEDUP_TTL =
      ConfigOptions.key("dedup-ttl")
          .durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription("How long an event id is remembered for deduplication.");

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
      List.of(OUT_OF_ORDERNESS, IDLENESS, ALLOWED_LATENESS, DEDUP_TTL, MAX_FUTURE);

  public StreamSemantics {
    Objects.requireNonNull(outOfOrderness, OUT_OF_ORDERNESS.key());
    Objects.requireNonNull(idleness, IDLENESS.key());
    Objects.requireNonNull(allowedLateness, ALLOWED_LATENESS.key());
    Objects.requireNonNull(dedupTtl, DEDUP_TTL.key());
    Objects.requireNonNull(maxFuture, MAX_FUTURE.key());
    Durations.notNegative(MAX_FUTURE, maxFuture);
    Durations.notNegative(OUT_OF_ORDERNESS, outOfOrderness);
    Durations.notNegative(ALLOWED_LATENESS, allowedLateness);
    Durations.positive(IDLENESS, idleness);
    Durations.positive(DEDUP_TTL, dedupTtl);
  }

  /** The semantics in {@code config}, defaults for what it does not set. */
  public static StreamSemantics from(ReadableConfig config) {
    return new StreamSemantics(
        JobConfig.get(config, OUT_OF_ORDERNESS),
        JobConfig.get(config, IDLENESS),
        JobConfig.get(config, ALLOWED_LATENESS),
        JobConfig.get(config, DEDUP_TTL),
        JobConfig.get(config, MAX_FUTURE));
  }
}
