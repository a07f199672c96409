package dev.pulse.flink.common.config;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What every job's {@code main} does under {@code flink run}: settings from the arguments over the
 * cluster's configuration (a bad one exits 2 with the settings table), the start check (a start
 * without a savepoint while the consumer group has offsets exits 3, {@link StartCheck}), then the
 * job wired and run.
 */
public final class JobMain {

  private JobMain() {}

  /**
   * Runs the job {@code jobName}.
   *
   * @param options every setting of the job
   * @param fromArgs its settings from the cluster's configuration and {@code --key value} args
   * @param kafka where its settings say Kafka is
   * @param wire adds the job to the environment
   */
  public static <C> void run(
      String jobName,
      List<ConfigOption<?>> options,
      String[] args,
      BiFunction<ReadableConfig, String[], C> fromArgs,
      Function<C, KafkaSettings> kafka,
      BiConsumer<StreamExecutionEnvironment, C> wire)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    C config;
    StartCheck.WithoutSavepoint withoutSavepoint;
    try {
      config = fromArgs.apply(env.getConfiguration(), args);
      withoutSavepoint =
          StartCheck.WithoutSavepoint.parse(
              JobConfig.of(options, env.getConfiguration(), args)
                  .get(StartCheck.START_WITHOUT_SAVEPOINT));
    } catch (IllegalArgumentException e) {
      System.err.println(jobName + ": " + e.getMessage());
      System.err.println("settings:\n" + JobConfig.markdownTable(options));
      System.exit(2);
      return;
    }
    KafkaSettings k = kafka.apply(config);
    // flink run -s <path> sets execution.state-recovery.path (fallback: execution.savepoint.path).
    String refusal =
        StartCheck.refusal(
            env.getConfiguration().get(StateRecoveryOptions.SAVEPOINT_PATH),
            StartCheck.groupHasOffsets(k.bootstrapServers(), k.groupId(), k.topic()),
            withoutSavepoint,
            k.groupId(),
            k.topic());
    if (refusal != null) {
      System.err.println(jobName + ": " + refusal);
      System.exit(3);
      return;
    }
    wire.accept(env, config);
    env.execute(jobName);
  }
}
