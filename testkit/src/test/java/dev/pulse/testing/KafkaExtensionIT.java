package dev.pulse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proves the Kafka extension gives a real broker: records round-trip, topics are per class and
 * created as asked.
 */
@ExtendWith(KafkaExtension.class)
class KafkaExtensionIT {

  @Test
  void recordsProducedToTheClassTopicAreConsumedBackInOrder(TestKafka kafka) throws Exception {
    String topic = kafka.topic("roundtrip");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (String v : List.of("first", "second", "third")) {
        // Same key: same partition, so the consumer must see them in send order.
        producer.send(new ProducerRecord<>(topic, bytes("k"), bytes(v))).get(30, TimeUnit.SECONDS);
      }
    }
    assertThat(consumeValues(kafka, topic, "roundtrip-group", 3))
        .containsExactly("first", "second", "third");
  }

  @Test
  void topicIsCreatedWithTwoPartitionsAndTheSameBaseGivesTheSameName(TestKafka kafka)
      throws Exception {
    String topic = kafka.topic("partitions");
    assertThat(kafka.topic("partitions")).isEqualTo(topic);
    assertThat(topic).startsWith("partitions-kafkaextensionit-");
    assertThat(partitionCount(kafka, topic)).isEqualTo(2);
  }

  @Test
  void createTopicUsesTheRequestedPartitionCount(TestKafka kafka) throws Exception {
    String name = kafka.topic("unused") + "-five";
    kafka.createTopic(name, 5);
    assertThat(partitionCount(kafka, name)).isEqualTo(5);
  }

  @Test
  void anotherTestClassGetsADifferentTopicThatDoesNotSeeThisClassesRecords(TestKafka kafka)
      throws Exception {
    TestKafka other =
        new TestKafka(kafka.bootstrapServers(), kafka.external(), TestNames.classId(Other.class));
    String mine = kafka.topic("isolation");
    String theirs = other.topic("isolation");
    assertThat(theirs).isNotEqualTo(mine);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      producer
          .send(new ProducerRecord<>(mine, bytes("k"), bytes("mine-only")))
          .get(30, TimeUnit.SECONDS);
      producer
          .send(new ProducerRecord<>(theirs, bytes("k"), bytes("theirs-only")))
          .get(30, TimeUnit.SECONDS);
    }
    assertThat(consumeValues(kafka, theirs, "isolation-group", 1)).containsExactly("theirs-only");
  }

  @Test
  void brokerIsStartedInThisJvmUnlessAnExternalOneIsNamed(TestKafka kafka) {
    assertThat(kafka.external()).isEqualTo(System.getenv(KafkaExtension.ENV) != null);
    assertThat(kafka.bootstrapServers()).matches("[^,:]+:\\d+(,[^,:]+:\\d+)*");
  }

  private static final class Other {}

  /**
   * Polls until {@code expected} records arrived or 30 s passed, then one more short poll to catch
   * extras.
   */
  private static List<String> consumeValues(
      TestKafka kafka, String topic, String group, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProperties(group))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
        values.add(new String(r.value(), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  private static int partitionCount(TestKafka kafka, String topic) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      Map<String, org.apache.kafka.clients.admin.TopicDescription> d =
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
      return d.get(topic).partitions().size();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
