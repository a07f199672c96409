package dev.pulse.flink.api;

import dev.pulse.events.topics.Topics;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.JobConfig;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.common.config.StartCheck;
import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.flink.slo.SloSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Everything the API metrics job can be told, in three groups: the semantics {@link
 * ApiMetricsJob#build} needs, where Kafka is ({@link KafkaSettings}) and where ClickHouse is
 * ({@link ClickHouseSettings}), plus checkpointing and parallelism. Every setting is a Flink {@link
 * ConfigOption} with a default and a description ({@link #OPTIONS}; the table in
 * flink-jobs/README.md is generated from them); bad values fail with the setting's name.
 *
 * @param checkpointInterval how often to checkpoint (the ClickHouse sinks commit at checkpoints)
 * @param parallelism the job's parallelism; 0 keeps the environment's default
 */
public record ApiMetricsConfig(
    ApiSemantics semantics,
    KafkaSettings kafka,
    ClickHouseSettings clickhouse,
    Duration checkpointInterval,
    int parallelism,
    SloSettings slo)
    implements Serializable {

  /** Also read from Flink's own {@code execution.checkpointing.interval} (e.g. {@code -D}). */
  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key("checkpoint-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withFallbackKeys("execution.checkpointing.interval")
          .withDescription(
              "How often to checkpoint; minute facts are committed to ClickHouse at checkpoints."
                  + " Falls back to execution.checkpointing.interval.");

  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOptions.key("parallelism")
          .intType()
          .defaultValue(0)
          .withDescription("The job's parallelism; 0 keeps the environment's default.");

  /** Every setting of the job, in the order the README lists them. */
  public static final List<ConfigOption<?>> OPTIONS =
      JobConfig.options(
          StreamSemantics.OPTIONS,
          ApiSemantics.OPTIONS,
          List.of(CHECKPOINT_INTERVAL, PARALLELISM, StartCheck.START_WITHOUT_SAVEPOINT),
          KafkaSettings.OPTIONS,
          ClickHouseSettings.OPTIONS,
          SloSettings.OPTIONS);

  public ApiMetricsConfig {
    Objects.requireNonNull(semantics, "semantics");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(clickhouse, "clickhouse");
    Objects.requireNonNull(checkpointInterval, CHECKPOINT_INTERVAL.key());
    Objects.requireNonNull(slo, "slo");
    checkRun(checkpointInterval, parallelism);
  }

  /**
   * The checks of the settings every job shares: a positive {@link #CHECKPOINT_INTERVAL}, a {@link
   * #PARALLELISM} of 0..32768.
   */
  public static void checkRun(Duration checkpointInterval, int parallelism) {
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      throw new IllegalArgumentException(
          "--" + CHECKPOINT_INTERVAL.key() + " must be positive, got " + checkpointInterval);
    }
    if (parallelism < 0 || parallelism > 32_768) {
      throw new IllegalArgumentException(
          "--" + PARALLELISM.key() + " must be 0..32768 (0 = default), got " + parallelism);
    }
  }

  /** The settings in {@code config}, defaults for what it does not set. */
  public static ApiMetricsConfig from(ReadableConfig config) {
    return new ApiMetricsConfig(
        ApiSemantics.from(config),
        KafkaSettings.from(config, Topics.API_REQUESTS, ApiMetricsJob.JOB_NAME),
        ClickHouseSettings.from(config),
        JobConfig.get(config, CHECKPOINT_INTERVAL),
        JobConfig.get(config, PARALLELISM),
        SloSettings.from(config));
  }

  /** The defaults: local Kafka and ClickHouse, and the documented semantics. */
  public static ApiMetricsConfig defaults() {
    return from(new Configuration());
  }

  /** From {@code --key value} arguments over {@code cluster} (unknown keys, bad values: errors). */
  public static ApiMetricsConfig fromArgs(ReadableConfig cluster, String... args) {
    return from(JobConfig.of(OPTIONS, cluster, args));
  }

  /** From a map keyed as on the command line (unknown keys and bad values are errors). */
  public static ApiMetricsConfig fromMap(Map<String, String> settings) {
    return from(JobConfig.fromMap(OPTIONS, settings));
  }
}
