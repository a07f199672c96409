package dev.pulse.flink.probes;

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
 * The probe job's settings: the shared stream semantics, Kafka and ClickHouse settings, the
 * checkpoint interval and parallelism (the API job's keys) and the SLOs ({@code slo.*}), read from
 * a map or from {@code --key value} arguments over the cluster's configuration.
 */
public record ProbeConfig(
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

  public ProbeConfig {
    Objects.requireNonNull(semantics, "semantics");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(clickhouse, "clickhouse");
    Objects.requireNonNull(checkpointInterval, ApiMetricsConfig.CHECKPOINT_INTERVAL.key());
    Objects.requireNonNull(slo, "slo");
    ApiMetricsConfig.checkRun(checkpointInterval, parallelism);
    semantics.dedupHorizon(ProbeJob.DEDUP_WINDOW); // fails at start when too short
  }

  /** The settings in {@code config}, defaults for what it does not set. */
  public static ProbeConfig from(ReadableConfig config) {
    return new ProbeConfig(
        StreamSemantics.from(config),
        KafkaSettings.from(config, Topics.PROBES, ProbeJob.JOB_NAME),
        ClickHouseSettings.from(config),
        JobConfig.get(config, ApiMetricsConfig.CHECKPOINT_INTERVAL),
        JobConfig.get(config, ApiMetricsConfig.PARALLELISM),
        SloSettings.from(config));
  }

  /** From {@code --key value} arguments over {@code cluster}. */
  public static ProbeConfig fromArgs(ReadableConfig cluster, String... args) {
    return from(JobConfig.of(OPTIONS, cluster, args));
  }

  /** From a map keyed as on the command line. */
  public static ProbeConfig fromMap(Map<String, String> settings) {
    return from(JobConfig.fromMap(OPTIONS, settings));
  }
}
