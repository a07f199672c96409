package dev.pulse.flink.api;

import dev.pulse.flink.common.JobSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the API metrics job can be told: stream semantics (watermarks, lateness,
 * deduplication, latency thresholds), checkpointing and parallelism, and where Kafka and
 * ClickHouse are. Every value has a default; {@link #fromArgs} and {@link #fromMap} reject bad
 * values with the setting's name. The table in flink-jobs/README.md lists the settings.
 *
 * @param outOfOrderness how far behind the highest event time an event may arrive and still be
 *     on time (watermark lag)
 * @param idleness a source subtask without events for this long stops holding the watermark back
 * @param allowedLateness how long after a minute's on-time firing late events still update it
 *     (as delta rows); later ones go to the late-events table
 * @param dedupTtl how long an event id is remembered for deduplication (processing time)
 * @param latencyThresholdsUs latency thresholds (microseconds, ascending) to count requests under
 * @param checkpointInterval how often to checkpoint (the ClickHouse sinks commit at checkpoints)
 * @param parallelism the job's parallelism; 0 keeps the environment's default
 * @param kafkaBootstrapServers Kafka bootstrap servers
 * @param kafkaGroupId the consumer group (offsets live in checkpoints; the group is for monitoring)
 * @param clickhouseUrl ClickHouse HTTP endpoint
 * @param clickhouseDatabase ClickHouse database holding the migrated tables
 * @param clickhouseUser ClickHouse user
 * @param clickhousePassword ClickHouse password (may be empty)
 */
public record ApiMetricsConfig(
    Duration outOfOrderness,
    Duration idleness,
    Duration allowedLateness,
    Duration dedupTtl,
    List<Long> latencyThresholdsUs,
    Duration checkpointInterval,
    int parallelism,
    String kafkaBootstrapServers,
    String kafkaGroupId,
    String clickhouseUrl,
    String clickhouseDatabase,
    String clickhouseUser,
    String clickhousePassword)
    implements Serializable {

  public static final String OUT_OF_ORDERNESS = "out-of-orderness";
  public static final String IDLENESS = "idleness";
  public static final String ALLOWED_LATENESS = "allowed-lateness";
  public static final String DEDUP_TTL = "dedup-ttl";
  public static final String LATENCY_THRESHOLDS_US = "latency-thresholds-us";
  public static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
  public static final String PARALLELISM = "parallelism";
  public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
  public static final String KAFKA_GROUP_ID = "kafka.group-id";
  public static final String CLICKHOUSE_URL = "clickhouse.url";
  public static final String CLICKHOUSE_DATABASE = "clickhouse.database";
  public static final String CLICKHOUSE_USER = "clickhouse.user";
  public static final String CLICKHOUSE_PASSWORD = "clickhouse.password";

  /** Every setting name, as given on the command line without {@code --}. */
  public static final Set<String> KEYS =
      Set.of(
          OUT_OF_ORDERNESS, IDLENESS, ALLOWED_LATENESS, DEDUP_TTL, LATENCY_THRESHOLDS_US,
          CHECKPOINT_INTERVAL, PARALLELISM, KAFKA_BOOTSTRAP_SERVERS, KAFKA_GROUP_ID,
          CLICKHOUSE_URL, CLICKHOUSE_DATABASE, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD);

  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(2);
  public static final Duration DEFAULT_IDLENESS = Duration.ofSeconds(10);
  public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofSeconds(30);
  public static final Duration DEFAULT_DEDUP_TTL = Duration.ofHours(1);
  /** 100 ms, 300 ms, 1 s: the latency SLI thresholds. */
  public static final List<Long> DEFAULT_LATENCY_THRESHOLDS_US = List.of(100_000L, 300_000L, 1_000_000L);
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

  public ApiMetricsConfig {
    Objects.requireNonNull(outOfOrderness, OUT_OF_ORDERNESS);
    Objects.requireNonNull(idleness, IDLENESS);
    Objects.requireNonNull(allowedLateness, ALLOWED_LATENESS);
    Objects.requireNonNull(dedupTtl, DEDUP_TTL);
    Objects.requireNonNull(latencyThresholdsUs, LATENCY_THRESHOLDS_US);
    Objects.requireNonNull(checkpointInterval, CHECKPOINT_INTERVAL);
    Objects.requireNonNull(kafkaBootstrapServers, KAFKA_BOOTSTRAP_SERVERS);
    Objects.requireNonNull(kafkaGroupId, KAFKA_GROUP_ID);
    Objects.requireNonNull(clickhouseUrl, CLICKHOUSE_URL);
    Objects.requireNonNull(clickhouseDatabase, CLICKHOUSE_DATABASE);
    Objects.requireNonNull(clickhouseUser, CLICKHOUSE_USER);
    Objects.requireNonNull(clickhousePassword, CLICKHOUSE_PASSWORD);
    notNegative(OUT_OF_ORDERNESS, outOfOrderness);
    notNegative(ALLOWED_LATENESS, allowedLateness);
    positive(IDLENESS, idleness);
    positive(DEDUP_TTL, dedupTtl);
    positive(CHECKPOINT_INTERVAL, checkpointInterval);
    if (latencyThresholdsUs.isEmpty()) {
      throw new IllegalArgumentException(LATENCY_THRESHOLDS_US + " must list at least one threshold");
    }
    for (int i = 0; i < latencyThresholdsUs.size(); i++) {
      long t = latencyThresholdsUs.get(i);
      if (t <= 0 || (i > 0 && t <= latencyThresholdsUs.get(i - 1))) {
        throw new IllegalArgumentException(
            LATENCY_THRESHOLDS_US + " must be positive and strictly ascending, got " + latencyThresholdsUs);
      }
    }
    if (parallelism < 0) {
      throw new IllegalArgumentException(PARALLELISM + " must be >= 0 (0 = default), got " + parallelism);
    }
    latencyThresholdsUs = List.copyOf(latencyThresholdsUs);
  }

  /** The defaults: local Kafka and ClickHouse, and the documented stream semantics. */
  public static ApiMetricsConfig defaults() {
    return fromMap(Map.of());
  }

  /** From {@code --key value} arguments (unknown keys and bad values are errors). */
  public static ApiMetricsConfig fromArgs(String... args) {
    return from(JobSettings.fromArgs(args));
  }

  /** From a map of settings keyed as on the command line (unknown keys and bad values are errors). */
  public static ApiMetricsConfig fromMap(Map<String, String> settings) {
    return from(JobSettings.fromMap(settings));
  }

  private static ApiMetricsConfig from(JobSettings s) {
    s.requireOnly(KEYS);
    return new ApiMetricsConfig(
        s.duration(OUT_OF_ORDERNESS, DEFAULT_OUT_OF_ORDERNESS, true),
        s.duration(IDLENESS, DEFAULT_IDLENESS, false),
        s.duration(ALLOWED_LATENESS, DEFAULT_ALLOWED_LATENESS, true),
        s.duration(DEDUP_TTL, DEFAULT_DEDUP_TTL, false),
        s.ascendingPositiveLongs(LATENCY_THRESHOLDS_US, DEFAULT_LATENCY_THRESHOLDS_US),
        s.duration(CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL, false),
        s.integer(PARALLELISM, 0, 0, 32_768),
        s.string(KAFKA_BOOTSTRAP_SERVERS, "localhost:9092"),
        s.string(KAFKA_GROUP_ID, "pulse-api-metrics"),
        s.string(CLICKHOUSE_URL, "http://localhost:8123"),
        s.string(CLICKHOUSE_DATABASE, "pulse"),
        s.string(CLICKHOUSE_USER, "default"),
        s.stringAllowEmpty(CLICKHOUSE_PASSWORD, ""));
  }

  /** A copy with other stream semantics (for tests and embedding). */
  public ApiMetricsConfig withSemantics(
      Duration outOfOrderness, Duration idleness, Duration allowedLateness, Duration dedupTtl) {
    return new ApiMetricsConfig(outOfOrderness, idleness, allowedLateness, dedupTtl,
        latencyThresholdsUs, checkpointInterval, parallelism, kafkaBootstrapServers, kafkaGroupId,
        clickhouseUrl, clickhouseDatabase, clickhouseUser, clickhousePassword);
  }

  @Override
  public String toString() {
    // Never print the password.
    return "ApiMetricsConfig[outOfOrderness=" + outOfOrderness + ", idleness=" + idleness
        + ", allowedLateness=" + allowedLateness + ", dedupTtl=" + dedupTtl
        + ", latencyThresholdsUs=" + latencyThresholdsUs + ", checkpointInterval=" + checkpointInterval
        + ", parallelism=" + parallelism + ", kafka=" + kafkaBootstrapServers + " group " + kafkaGroupId
        + ", clickhouse=" + clickhouseUrl + " db " + clickhouseDatabase + " user " + clickhouseUser + "]";
  }

  private static void notNegative(String key, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(key + " must not be negative, got " + d);
    }
  }

  private static void positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be positive, got " + d);
    }
  }
}
