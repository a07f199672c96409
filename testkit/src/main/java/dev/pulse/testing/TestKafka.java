package dev.pulse.testing;

import dev.pulse.events.topics.TopicCreation;
import dev.pulse.events.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One test class's view of the test Kafka broker: its bootstrap address, its own topics and client
 * settings.
 */
public final class TestKafka {

  private static final Pattern TOPIC_BASE = Pattern.compile("[A-Za-z0-9._-]{1,150}");
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final boolean external;
  private final String classId;
  private final Map<String, String> topics = new ConcurrentHashMap<>();

  TestKafka(String bootstrapServers, boolean external, String classId) {
    this.bootstrapServers = bootstrapServers;
    this.external = external;
    this.classId = classId;
  }

  /** host:port list for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * True when the broker is an external one named by {@code PULSE_TEST_KAFKA}, not started by the
   * tests.
   */
  public boolean external() {
    return external;
  }

  /**
   * The name of this test class's topic {@code base} (e.g. {@code events} becomes {@code
   * events-myclassit-1x2y3z-ab12}); the topic is created with {@value
   * KafkaExtension#DEFAULT_PARTITIONS} partitions on the first call.
   */
  public String topic(String base) {
    return topic(base, KafkaExtension.DEFAULT_PARTITIONS);
  }

  /**
   * As {@link #topic(String)}, created with {@code partitions} partitions on the first call (a test
   * whose expectations need one partition's total order asks for 1).
   */
  public String topic(String base, int partitions) {
    Objects.requireNonNull(base, "base");
    if (!TOPIC_BASE.matcher(base).matches()) {
      throw new IllegalArgumentException(
          "topic base must match " + TOPIC_BASE + ", got '" + base + "'");
    }
    return topics.computeIfAbsent(
        base,
        b -> {
          String name = b + "-" + classId;
          createTopic(name, partitions);
          return name;
        });
  }

  /**
   * Creates the topic {@code name} exactly as named, with the broker's default configs and
   * replication; an existing topic is accepted.
   */
  public void createTopic(String name, int partitions) {
    Topics.ensure(
        bootstrapServers,
        Map.of(name, TopicCreation.of(partitions)),
        OptionalInt.empty(),
        ADMIN_TIMEOUT);
  }

  /**
   * Producer settings: byte[] keys and values, acks=all so a sent record is really on the broker.
   */
  public Properties producerProperties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    return p;
  }

  /**
   * Consumer settings: byte[] keys and values, group {@code groupId}, reading from the earliest
   * offset.
   */
  public Properties consumerProperties(String groupId) {
    Objects.requireNonNull(groupId, "groupId");
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  @Override
  public String toString() {
    return "TestKafka["
        + bootstrapServers
        + (external ? ", external" : "")
        + ", topics "
        + topics.values()
        + "]";
  }
}
