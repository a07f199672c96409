package dev.pulse.flink.testing;

import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.api.ApiMetricsJob;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;

/**
 * The production API metrics job over a topic of the test's own, read bounded into the test's
 * ClickHouse database on the extension's MiniCluster, with restarts disabled: anything that fails
 * the job fails the test, instead of restarting it forever.
 */
public final class BoundedJobRun {

  private BoundedJobRun() {}

  /** Runs the job over {@code topic} to its current end; dead letters go to {@code deadLetters}. */
  public static void run(
      MiniCluster cluster, TestKafka kafka, TestClickHouse ch, String topic, String deadLetters)
      throws Exception {
    run(cluster, kafka, ch, topic, deadLetters, Clock.systemUTC());
  }

  /**
   * As {@link #run(MiniCluster, TestKafka, TestClickHouse, String, String)}, with the source
   * judging "the future" by {@code ingestClock}; returns the finished job's id.
   */
  public static JobID run(
      MiniCluster cluster,
      TestKafka kafka,
      TestClickHouse ch,
      String topic,
      String deadLetters,
      Clock ingestClock)
      throws Exception {
    return run(cluster, kafka.bootstrapServers(), ch, topic, deadLetters, ingestClock);
  }

  /**
   * As {@link #run(MiniCluster, TestKafka, TestClickHouse, String, String, Clock)}, reading the
   * Kafka cluster at {@code bootstrapServers} (a test's second cluster).
   */
  public static JobID run(
      MiniCluster cluster,
      String bootstrapServers,
      TestClickHouse ch,
      String topic,
      String deadLetters,
      Clock ingestClock)
      throws Exception {
    return run(cluster, bootstrapServers, ch, topic, deadLetters, ingestClock, 2);
  }

  /**
   * As {@link #run(MiniCluster, TestKafka, TestClickHouse, String, String, Clock)}, with every
   * operator on one subtask: the watermark of a one-partition topic then moves in the partition's
   * offset order at every operator, so a record that moves event time has moved it for the next
   * one. (With two subtasks, the source subtask without a partition holds every watermark back
   * until it has reported, which under load can be after the whole partition was read.)
   */
  public static JobID runOnOneSubtask(
      MiniCluster cluster,
      TestKafka kafka,
      TestClickHouse ch,
      String topic,
      String deadLetters,
      Clock ingestClock)
      throws Exception {
    return run(cluster, kafka.bootstrapServers(), ch, topic, deadLetters, ingestClock, 1);
  }

  private static JobID run(
      MiniCluster cluster,
      String bootstrapServers,
      TestClickHouse ch,
      String topic,
      String deadLetters,
      Clock ingestClock,
      int parallelism)
      throws Exception {
    return runOnOneSubtask(
        cluster, bootstrapServers, ch, topic, deadLetters, ingestClock, parallelism, Map.of());
  }

  /**
   * As {@link #runOnOneSubtask(MiniCluster, TestKafka, TestClickHouse, String, String, Clock)} at
   * {@code parallelism}, with {@code more} settings over the test's own.
   */
  public static JobID runOnOneSubtask(
      MiniCluster cluster,
      String bootstrapServers,
      TestClickHouse ch,
      String topic,
      String deadLetters,
      Clock ingestClock,
      int parallelism,
      Map<String, String> more)
      throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), bootstrapServers);
    settings.put(KafkaSettings.TOPIC.key(), topic);
    settings.put(KafkaSettings.DEAD_LETTER_TOPIC.key(), deadLetters);
    settings.put(KafkaSettings.BOUNDED.key(), "true");
    settings.put(ClickHouseSettings.URL.key(), ch.httpUrl());
    settings.put(ClickHouseSettings.USER.key(), ch.user());
    settings.put(ClickHouseSettings.PASSWORD.key(), ch.password());
    settings.put(ClickHouseSettings.DATABASE.key(), ch.database());
    settings.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), "500ms");
    settings.put(ApiMetricsConfig.PARALLELISM.key(), String.valueOf(parallelism));
    settings.putAll(more);
    Configuration noRestarts = new Configuration();
    noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, noRestarts, parallelism, List.of(), List.of());
    ApiMetricsJob.wire(env, ApiMetricsConfig.fromMap(settings), ingestClock);
    JobClient job = env.executeAsync(ApiMetricsJob.JOB_NAME);
    job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
    return job.getJobID();
  }
}
