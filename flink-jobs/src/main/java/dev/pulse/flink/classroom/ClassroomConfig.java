package dev.pulse.flink.classroom;

import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.JobConfig;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.common.config.StartCheck;
import dev.pulse.flink.common.config.StreamSemantics;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Everything the classroom job can be told: the shared stream semantics, Kafka (topic {@code
 * pulse.classroom.events} by default), ClickHouse, checkpointing and parallelism, with the same
 * options, defaults and checks as the API metrics job's ({@link ApiMetricsConfig}).
 *
 * @param semantics watermarks, lateness and deduplication
 * @param kafka where the classroom events are
 * @param clickhouse where the engagement tables are
 * @param checkpointInterval how often to checkpoint (the sinks commit at checkpoints)
 * @param parallelism the job's parallelism; 0 keeps the environment's default
 */
public record ClassroomConfig(
    StreamSemantics semantics,
    KafkaSettings kafka,
    ClickHouseSettings clickhouse,
    Duration checkpointInterval,
    int parallelism)
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
          ClickHouseSettings.OPTIONS);

  public ClassroomConfig {
    Objects.requireNonNull(semantics, "semantics");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(clickhouse, "clickhouse");
    Objects.requireNonNull(checkpointInterval, ApiMetricsConfig.CHECKPOINT_INTERVAL.key());
    ApiMetricsConfig.checkRun(checkpointInterval, parallelism);
    semantics.dedupHorizon(ClassroomJob.DEDUP_WINDOW); // fails at start when too short
  }

  /** The settings in {@code config}, defaults for what it does not set. */
  public static ClassroomConfig from(ReadableConfig config) {
    return new ClassroomConfig(
        StreamSemantics.from(config),
        KafkaSettings.from(config, Topics.CLASSROOM, ClassroomJob.JOB_NAME),
        ClickHouseSettings.from(config),
        JobConfig.get(config, ApiMetricsConfig.CHECKPOINT_INTERVAL),
        JobConfig.get(config, ApiMetricsConfig.PARALLELISM));
  }

  /** From {@code --key value} arguments over {@code cluster}. */
  public static ClassroomConfig fromArgs(ReadableConfig cluster, String... args) {
    return from(JobConfig.of(OPTIONS, cluster, args));
  }

  /** From a map keyed as on the command line. */
  public static ClassroomConfig fromMap(Map<String, String> settings) {
    return from(JobConfig.fromMap(OPTIONS, settings));
  }
}
