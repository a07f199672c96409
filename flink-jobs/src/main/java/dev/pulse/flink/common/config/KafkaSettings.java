package dev.pulse.flink.common.config;

import dev.pulse.events.topics.Topic;
import dev.pulse.flink.common.DeadLetterSerializationSchema;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Where a job reads its input topic and writes its dead letters.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param groupId the consumer group (offsets live in checkpoints; the group is for monitoring)
 * @param topic the topic to read; its records must follow the job's topic contract (another name is
 *     for tests and parallel environments)
 * @param deadLetterTopic the topic dead letters are written to
 * @param bounded read up to the offsets that are the latest when the job starts, then finish
 *     (backfills, benchmarks, tests); false reads forever
 */
public record KafkaSettings(
    String bootstrapServers, String groupId, String topic, String deadLetterTopic, boolean bounded)
    implements Serializable {

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOptions.key("kafka.bootstrap-servers")
          .stringType()
          .defaultValue("localhost:9092")
          .withDescription("Kafka bootstrap servers.");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key("kafka.group-id")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "The consumer group; default: the job's name. Offsets live in checkpoints; the group"
                  + " is for monitoring.");

  public static final ConfigOption<String> TOPIC =
      ConfigOptions.key("kafka.topic")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "The topic to read; default: the job's topic contract (e.g. pulse.api.requests)."
                  + " Its records must follow that contract.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC =
      ConfigOptions.key("kafka.dead-letter-topic")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Where dead letters go; default: kafka.topic + \".dlq\". Must differ from"
                  + " kafka.topic.");

  public static final ConfigOption<Boolean> BOUNDED =
      ConfigOptions.key("kafka.bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Read up to the offsets that are the latest at start, then finish (backfills,"
                  + " benchmarks, tests).");

  /** Every option of this group, in the order the README lists them. */
  public static final List<ConfigOption<?>> OPTIONS =
      List.of(BOOTSTRAP_SERVERS, GROUP_ID, TOPIC, DEAD_LETTER_TOPIC, BOUNDED);

  public KafkaSettings {
    Objects.requireNonNull(bootstrapServers, BOOTSTRAP_SERVERS.key());
    Objects.requireNonNull(groupId, GROUP_ID.key());
    Objects.requireNonNull(topic, TOPIC.key());
    Objects.requireNonNull(deadLetterTopic, DEAD_LETTER_TOPIC.key());
    if (topic.equals(deadLetterTopic)) {
      // Dead letters written back to the input would be read, rejected and written again forever.
      throw new IllegalArgumentException(
          "--"
              + DEAD_LETTER_TOPIC.key()
              + " must differ from --"
              + TOPIC.key()
              + ", both are "
              + topic);
    }
  }

  /**
   * The settings in {@code config} for a job reading {@code contract}'s topic; the group defaults
   * to {@code jobName}.
   */
  public static KafkaSettings from(ReadableConfig config, Topic<?> contract, String jobName) {
    String topic = config.getOptional(TOPIC).orElse(contract.name());
    return new KafkaSettings(
        JobConfig.get(config, BOOTSTRAP_SERVERS),
        config.getOptional(GROUP_ID).orElse(jobName),
        topic,
        config
            .getOptional(DEAD_LETTER_TOPIC)
            .orElse(DeadLetterSerializationSchema.deadLetterTopicOf(topic)),
        JobConfig.get(config, BOUNDED));
  }
}
