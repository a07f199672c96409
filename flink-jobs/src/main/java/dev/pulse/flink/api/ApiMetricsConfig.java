package dev.pulse.flink.api;

import dev.pulse.events.topics.Topics;
import dev.pulse.flink.common.DeadLetterSerializationSchema;
import dev.pulse.flink.common.JobSettings;
import dev.pulse.flink.sink.ClickHouseSink;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the API metrics job can be told: stream semantics (watermarks, lateness,
 * deduplication, latency thresholds), checkpointing and parallelism, and where Kafka and ClickHouse
 * are. Every value has a default; {@link #fromArgs} and {@link #fromMap} reject bad values with the
 * setting's name. The table in flink-jobs/README.md lists the settings.
 *
 * @param outOfOrderness how far behind the highest event time an event may arrive and still be on
 *     time (watermark lag)
 * @param idleness a Kafka partition without valid events for this long stops holding the watermark
 *     back
 * @param allowedLateness how long after a minute's on-time firing late events still update it (as
 *     delta rows); later ones go to the late-events table
 * @param dedupTtl how long an event id is remembered for deduplication (processing time)
 * @param latencyThresholdsUs latency thresholds (microseconds, ascending) to count requests under
 * @param checkpointInterval how often to checkpoint (the ClickHouse sinks commit at checkpoints)
 * @param parallelism the job's parallelism; 0 keeps the environment's default
 * @param kafkaBootstrapServers Kafka bootstrap servers
 * @param kafkaGroupId the consumer group (offsets live in checkpoints; the group is for monitoring)
 * @param kafkaTopic the topic of API request records to read (its records must follow the {@code
 *     Topics.API_REQUESTS} contract; another name is for tests and parallel environments)
 * @param kafkaDeadLetterTopic the topic dead letters are written to
 * @param kafkaBounded read up to the offsets that are the latest when the job starts, then finish
 *     (backfills, benchmarks, tests); false reads forever
 * @param clickhouseUrl ClickHouse HTTP endpoint
 * @param clickhouseDatabase ClickHouse database holding the migrated tables
 * @param clickhouseUser ClickHouse user
 * @param clickhousePassword ClickHouse password (may be empty)
 * @param clickhouseRawBatchSize rows per INSERT into the raw events table at most
 * @param clickhouseMaxBatchDelay longest a row waits in an open batch of the at-least-once tables
 *     (raw events, late events, dead letters); minute facts wait for the checkpoint instead
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
    String kafkaTopic,
    String kafkaDeadLetterTopic,
    boolean kafkaBounded,
    String clickhouseUrl,
    String clickhouseDatabase,
    String clickhouseUser,
    String clickhousePassword,
    int clickhouseRawBatchSize,
    Duration clickhouseMaxBatchDelay)
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
  public static final String KAFKA_TOPIC = "kafka.topic";
  public static final String KAFKA_DEAD_LETTER_TOPIC = "kafka.dead-letter-topic";
  public static final String KAFKA_BOUNDED = "kafka.bounded";
  public static final String CLICKHOUSE_URL = "clickhouse.url";
  public static final String CLICKHOUSE_DATABASE = "clickhouse.database";
  public static final String CLICKHOUSE_USER = "clickhouse.user";
  public static final String CLICKHOUSE_PASSWORD = "clickhouse.password";
  public static final String CLICKHOUSE_RAW_BATCH_SIZE = "clickhouse.raw-batch-size";
  public static final String CLICKHOUSE_MAX_BATCH_DELAY = "clickhouse.max-batch-delay";

  /** Every setting name, as given on the command line without {@code --}. */
  public static final Set<String> KEYS =
      Set.of(
          OUT_OF_ORDERNESS,
          IDLENESS,
          ALLOWED_LATENESS,
          DEDUP_TTL,
          LATENCY_THRESHOLDS_US,
          CHECKPOINT_INTERVAL,
          PARALLELISM,
          KAFKA_BOOTSTRAP_SERVERS,
          KAFKA_GROUP_ID,
          KAFKA_TOPIC,
          KAFKA_DEAD_LETTER_TOPIC,
          KAFKA_BOUNDED,
          CLICKHOUSE_URL,
          CLICKHOUSE_DATABASE,
          CLICKHOUSE_USER,
          CLICKHOUSE_PASSWORD,
          CLICKHOUSE_RAW_BATCH_SIZE,
          CLICKHOUSE_MAX_BATCH_DELAY);

  public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(2);
  public static final Duration DEFAULT_IDLENESS = Duration.ofSeconds(10);
  public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofSeconds(30);
  public static final Duration DEFAULT_DEDUP_TTL = Duration.ofHours(1);

  /** 100 ms, 300 ms, 1 s: the latency SLI thresholds. */
  public static final List<Long> DEFAULT_LATENCY_THRESHOLDS_US =
      List.of(100_000L, 300_000L, 1_000_000L);

  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

  /**
   * 100,000 raw rows per INSERT: large parts are what ClickHouse ingests fastest (its guidance is
   * at least thousands of rows per insert, at most one insert per second per table and writer); at
   * 175 k events/s per writer a batch fills in about 0.6 s, and in RowBinary it is about 10 MB.
   */
  public static final int DEFAULT_CLICKHOUSE_RAW_BATCH_SIZE = 100_000;

  /** At low rates (the demo) a raw, late or dead-letter row is stored within about a second. */
  public static final Duration DEFAULT_CLICKHOUSE_MAX_BATCH_DELAY = Duration.ofSeconds(1);

  public ApiMetricsConfig {
    Objects.requireNonNull(outOfOrderness, OUT_OF_ORDERNESS);
    Objects.requireNonNull(idleness, IDLENESS);
    Objects.requireNonNull(allowedLateness, ALLOWED_LATENESS);
    Objects.requireNonNull(dedupTtl, DEDUP_TTL);
    Objects.requireNonNull(latencyThresholdsUs, LATENCY_THRESHOLDS_US);
    Objects.requireNonNull(checkpointInterval, CHECKPOINT_INTERVAL);
    Objects.requireNonNull(kafkaBootstrapServers, KAFKA_BOOTSTRAP_SERVERS);
    Objects.requireNonNull(kafkaGroupId, KAFKA_GROUP_ID);
    Objects.requireNonNull(kafkaTopic, KAFKA_TOPIC);
    Objects.requireNonNull(kafkaDeadLetterTopic, KAFKA_DEAD_LETTER_TOPIC);
    Objects.requireNonNull(clickhouseMaxBatchDelay, CLICKHOUSE_MAX_BATCH_DELAY);
    Objects.requireNonNull(clickhouseUrl, CLICKHOUSE_URL);
    Objects.requireNonNull(clickhouseDatabase, CLICKHOUSE_DATABASE);
    Objects.requireNonNull(clickhouseUser, CLICKHOUSE_USER);
    Objects.requireNonNull(clickhousePassword, CLICKHOUSE_PASSWORD);
    notNegative(OUT_OF_ORDERNESS, outOfOrderness);
    notNegative(ALLOWED_LATENESS, allowedLateness);
    positive(IDLENESS, idleness);
    positive(DEDUP_TTL, dedupTtl);
    positive(CHECKPOINT_INTERVAL, checkpointInterval);
    positive(CLICKHOUSE_MAX_BATCH_DELAY, clickhouseMaxBatchDelay);
    if (kafkaTopic.equals(kafkaDeadLetterTopic)) {
      // Dead letters written back to the input would be read, rejected and written again forever.
      throw new IllegalArgumentException(
          KAFKA_DEAD_LETTER_TOPIC
              + " must differ from "
              + KAFKA_TOPIC
              + ", both are "
              + kafkaTopic);
    }
    if (clickhouseRawBatchSize < 1 || clickhouseRawBatchSize > ClickHouseSink.MAX_BATCH_ROWS) {
      throw new IllegalArgumentException(
          CLICKHOUSE_RAW_BATCH_SIZE
              + " must be 1.."
              + ClickHouseSink.MAX_BATCH_ROWS
              + ", got "
              + clickhouseRawBatchSize);
    }
    if (latencyThresholdsUs.isEmpty()) {
      throw new IllegalArgumentException(
          LATENCY_THRESHOLDS_US + " must list at least one threshold");
    }
    for (int i = 0; i < latencyThresholdsUs.size(); i++) {
      long t = latencyThresholdsUs.get(i);
      if (t <= 0 || (i > 0 && t <= latencyThresholdsUs.get(i - 1))) {
        throw new IllegalArgumentException(
            LATENCY_THRESHOLDS_US
                + " must be positive and strictly ascending, got "
                + latencyThresholdsUs);
      }
    }
    if (parallelism < 0) {
      throw new IllegalArgumentException(
          PARALLELISM + " must be >= 0 (0 = default), got " + parallelism);
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

  /**
   * From a map of settings keyed as on the command line (unknown keys and bad values are errors).
   */
  public static ApiMetricsConfig fromMap(Map<String, String> settings) {
    return from(JobSettings.fromMap(settings));
  }

  private static ApiMetricsConfig from(JobSettings s) {
    s.requireOnly(KEYS);
    String topic = s.string(KAFKA_TOPIC, Topics.API_REQUESTS.name());
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
        topic,
        s.string(KAFKA_DEAD_LETTER_TOPIC, DeadLetterSerializationSchema.deadLetterTopicOf(topic)),
        s.bool(KAFKA_BOUNDED, false),
        s.string(CLICKHOUSE_URL, "http://localhost:8123"),
        s.string(CLICKHOUSE_DATABASE, "pulse"),
        s.string(CLICKHOUSE_USER, "default"),
        s.stringAllowEmpty(CLICKHOUSE_PASSWORD, ""),
        s.integer(
            CLICKHOUSE_RAW_BATCH_SIZE,
            DEFAULT_CLICKHOUSE_RAW_BATCH_SIZE,
            1,
            ClickHouseSink.MAX_BATCH_ROWS),
        s.duration(CLICKHOUSE_MAX_BATCH_DELAY, DEFAULT_CLICKHOUSE_MAX_BATCH_DELAY, false));
  }

  /** A copy with other stream semantics (for tests and embedding). */
  public ApiMetricsConfig withSemantics(
      Duration outOfOrderness, Duration idleness, Duration allowedLateness, Duration dedupTtl) {
    return new ApiMetricsConfig(
        outOfOrderness,
        idleness,
        allowedLateness,
        dedupTtl,
        latencyThresholdsUs,
        checkpointInterval,
        parallelism,
        kafkaBootstrapServers,
        kafkaGroupId,
        kafkaTopic,
        kafkaDeadLetterTopic,
        kafkaBounded,
        clickhouseUrl,
        clickhouseDatabase,
        clickhouseUser,
        clickhousePassword,
        clickhouseRawBatchSize,
        clickhouseMaxBatchDelay);
  }

  @Override
  public String toString() {
    // Never print the password.
    return "ApiMetricsConfig[outOfOrderness="
        + outOfOrderness
        + ", idleness="
        + idleness
        + ", allowedLateness="
        + allowedLateness
        + ", dedupTtl="
        + dedupTtl
        + ", latencyThresholdsUs="
        + latencyThresholdsUs
        + ", checkpointInterval="
        + checkpointInterval
        + ", parallelism="
        + parallelism
        + ", kafka="
        + kafkaBootstrapServers
        + " group "
        + kafkaGroupId
        + " topic "
        + kafkaTopic
        + " dead letters to "
        + kafkaDeadLetterTopic
        + (kafkaBounded ? " bounded" : "")
        + ", clickhouse="
        + clickhouseUrl
        + " db "
        + clickhouseDatabase
        + " user "
        + clickhouseUser
        + " raw batch "
        + clickhouseRawBatchSize
        + " rows/"
        + clickhouseMaxBatchDelay
        + "]";
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
