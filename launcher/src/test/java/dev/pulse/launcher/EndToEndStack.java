package dev.pulse.launcher;

import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The demo's stack ({@link PulseStack}: every job on a MiniCluster, serving-api) for an end-to-end
 * test of one domain: that domain's job reads the test's topic, every other job a topic of its own
 * that nobody writes to; every job reads bounded, at parallelism 1 (one partition, one subtask per
 * operator: the watermark an event meets is the one its partition's earlier events made), with the
 * given out-of-orderness and allowed lateness.
 */
final class EndToEndStack {

  /** The jobs of the stack, and the prefix of their own settings. */
  enum Job {
    API(""),
    CLASSROOM(PulseStack.CLASSROOM_PREFIX),
    PLAYBACK(PulseStack.PLAYBACK_PREFIX),
    PROBES(PulseStack.PROBES_PREFIX);

    private final String prefix;

    Job(String prefix) {
      this.prefix = prefix;
    }
  }

  private EndToEndStack() {}

  static PulseStack start(
      TestKafka kafka,
      TestClickHouse ch,
      Job tested,
      String topic,
      Duration outOfOrderness,
      Duration allowedLateness,
      Map<String, String> apiProperties)
      throws Exception {
    return start(
        kafka,
        ch,
        tested,
        topic,
        outOfOrderness,
        allowedLateness,
        apiProperties,
        true,
        0,
        Map.of());
  }

  /**
   * As {@link #start(TestKafka, TestClickHouse, Job, String, Duration, Duration, Map)}, reading
   * unbounded when {@code bounded} is false (the job runs until the stack stops), with the Flink
   * web UI and REST API on {@code flinkUiPort} (0: none) and {@code more} job settings.
   */
  static PulseStack start(
      TestKafka kafka,
      TestClickHouse ch,
      Job tested,
      String topic,
      Duration outOfOrderness,
      Duration allowedLateness,
      Map<String, String> apiProperties,
      boolean bounded,
      int flinkUiPort,
      Map<String, String> more)
      throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put(KafkaSettings.BOUNDED.key(), Boolean.toString(bounded));
    settings.put(ApiMetricsConfig.PARALLELISM.key(), "1");
    settings.put(StreamSemantics.OUT_OF_ORDERNESS.key(), outOfOrderness.toMillis() + "ms");
    settings.put(StreamSemantics.ALLOWED_LATENESS.key(), allowedLateness.toMillis() + "ms");
    for (Job job : Job.values()) {
      String name = topic + "-" + job.name().toLowerCase(java.util.Locale.ROOT);
      settings.put(
          job.prefix + KafkaSettings.TOPIC.key(), job == tested ? topic : kafka.topic(name, 1));
      settings.put(
          job.prefix + KafkaSettings.DEAD_LETTER_TOPIC.key(), kafka.topic(name + "-dlq", 1));
      settings.put(job.prefix + KafkaSettings.GROUP_ID.key(), name);
    }
    settings.putAll(more);
    return PulseStack.start(
        new PulseStack.Settings(
            kafka.bootstrapServers(),
            ch.httpUrl(),
            ch.user(),
            ch.password(),
            ch.database(),
            "127.0.0.1",
            0,
            flinkUiPort,
            apiProperties,
            Duration.ofMillis(500),
            1,
            settings,
            null));
  }
}
