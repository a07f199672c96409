package dev.pulse.flink.playback;

import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.ApiMetricsConfig;
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
import org.apache.flink.configuration.ReadableConfig;

/**
 * The playback job's settings: the shared stream semantics, Kafka and ClickHouse settings, the
 * checkpoint interval and parallelism (the same keys as the API job's), read from a map or from
 * {@code --key value} arguments over the cluster's configuration.
 */
public record PlaybackConfig(
    StreamSemantics semantics,
    KafkaSettings kafka,
    ClickHouseSettings clickhouse,
    Duration checkpointInterval,
    int parallelism,
    SloSettings slo)
    implements Serializable {

  /** Every setting of the job. */
  public static final List<ConfigOption<?>> OPTIONS =
      JobConfig.options(
          StreamSemantics.OPTIONS,
          List.of(
              ApiMetricsConfig.CHECKPOINT_INTERVAL,
              ApiMetricsConfig.PARALLELISM,
              StartCheck.START_WITHOUT_SAVEPOINT),
          KafkaSettings.OPTIONS,
          ClickHouseSettings.OPTIONS,
          SloSettings.OPTIONS);

  public PlaybackConfig {
    Objects.requireNonNull(semantics, "semantics");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(clickhouse, "clickhouse");
    Objects.requireNonNull(checkpointInterval, ApiMetricsConfig.CHECKPOINT_INTERVAL.key());
    Objects.requireNonNull(slo, "slo");
    ApiMetricsConfig.checkRun(checkpointInterval, parallelism);
    semantics.dedupHorizon(PlaybackJob.DEDUP_WINDOW); // fails at start when too short
  }

  /** The settings in {@code config}, defaults for what it does not set. */
  public static PlaybackConfig from(ReadableConfig config) {
    return new PlaybackConfig(
        StreamSemantics.from(config),
        KafkaSettings.from(config, Topics.PLAYBACK, PlaybackJob.JOB_NAME),
        ClickHouseSettings.from(config),
        JobConfig.get(config, ApiMetricsConfig.CHECKPOINT_INTERVAL),
        JobConfig.get(config, ApiMetricsConfig.PARALLELISM),
        SloSettings.from(config));
  }

  /** From {@code --key value} arguments over {@code cluster}. */
  public static PlaybackConfig fromArgs(ReadableConfig cluster, String... args) {
    return from(JobConfig.of(OPTIONS, cluster, args));
  }

  /** From a map keyed as on the command line. */
  public static PlaybackConfig fromMap(Map<String, String> settings) {
    return from(JobConfig.fromMap(OPTIONS, settings));
  }
}
