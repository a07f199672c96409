package dev.pulse.flink.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.common.config.StartCheck.WithoutSavepoint;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestKafka;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The start check against a real broker: what the job's main sees of an earlier run (offsets the
 * source committed to its group) decides whether a start without a savepoint is refused.
 */
@ExtendWith(KafkaExtension.class)
class StartCheckIT {

  private static String decide(
      TestKafka kafka, String group, String topic, String restore, WithoutSavepoint setting)
      throws Exception {
    return StartCheck.refusal(
        restore,
        StartCheck.groupHasOffsets(kafka.bootstrapServers(), group, topic),
        setting,
        group,
        topic);
  }

  private static void commit(TestKafka kafka, String group, String topic, long offset) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProperties(group))) {
      consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset)));
    }
  }

  @Test
  void firstStartOfAGroupWithoutOffsetsStarts(TestKafka kafka) throws Exception {
    String topic = kafka.topic("first");
    assertThat(StartCheck.groupHasOffsets(kafka.bootstrapServers(), "never-ran", topic)).isFalse();
    assertThat(decide(kafka, "never-ran", topic, null, WithoutSavepoint.REFUSE)).isNull();
  }

  @Test
  void earlierRunsOffsetsRefuseAStartWithoutSavepointButAllowRestoreAndAfterDrain(TestKafka kafka)
      throws Exception {
    String topic = kafka.topic("again");
    commit(kafka, "ran-before", topic, 5);

    assertThat(decide(kafka, "ran-before", topic, null, WithoutSavepoint.REFUSE))
        .contains("refusing to start without a savepoint")
        .contains("'ran-before'");
    assertThat(decide(kafka, "ran-before", topic, "file:///sp/1", WithoutSavepoint.REFUSE))
        .isNull();
    assertThat(decide(kafka, "ran-before", topic, null, WithoutSavepoint.AFTER_DRAIN)).isNull();
  }

  @Test
  void offsetsOfTheGroupOnAnotherTopicDoNotCount(TestKafka kafka) throws Exception {
    String other = kafka.topic("other");
    String mine = kafka.topic("mine");
    commit(kafka, "shared-group", other, 3);
    assertThat(decide(kafka, "shared-group", mine, null, WithoutSavepoint.REFUSE)).isNull();
  }
}
