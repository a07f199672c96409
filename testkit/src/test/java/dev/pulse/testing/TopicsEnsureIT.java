package dev.pulse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.topics.TopicCreation;
import dev.pulse.events.topics.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Topics#ensure} on a real broker: it creates what is missing exactly as the contracts
 * declare, and never touches what exists. (In testkit because event-schemas has no broker.)
 */
@ExtendWith(KafkaExtension.class)
class TopicsEnsureIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static Admin admin;

  @BeforeAll
  static void connect(TestKafka kafka) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    admin = Admin.create(p);
  }

  @AfterAll
  static void close() {
    admin.close();
  }

  @Test
  void missingTopicsAreCreatedWithTheirContractsPartitionsAndConfigs() throws Exception {
    Map<String, TopicCreation> topics = apiTopicsNamed("declared");

    List<String> created = Topics.ensure(admin, topics, OptionalInt.empty(), TIMEOUT);

    assertThat(created).containsExactlyElementsOf(topics.keySet());
    for (var topic : topics.entrySet()) {
      assertThat(partitions(topic.getKey())).isEqualTo(topic.getValue().partitions());
      assertThat(topicLevelConfigs(topic.getKey())).isEqualTo(topic.getValue().configs());
    }
    assertThat(partitions(name("declared"))).isEqualTo(6);
    assertThat(partitions(name("declared") + ".dlq")).isEqualTo(1);
  }

  @Test
  void aPartitionOverrideChangesOnlyThePartitionCount() throws Exception {
    Map<String, TopicCreation> topics = apiTopicsNamed("override");

    Topics.ensure(admin, topics, OptionalInt.of(2), TIMEOUT);

    for (var topic : topics.entrySet()) {
      assertThat(partitions(topic.getKey())).isEqualTo(2);
      assertThat(topicLevelConfigs(topic.getKey())).isEqualTo(topic.getValue().configs());
    }
  }

  @Test
  void anExistingTopicIsLeftAsItIsAndOnlyTheMissingOneIsCreated(TestKafka kafka) throws Exception {
    Map<String, TopicCreation> topics = apiTopicsNamed("existing");
    String existing = name("existing");
    kafka.createTopic(existing, 2);

    List<String> created = Topics.ensure(admin, topics, OptionalInt.empty(), TIMEOUT);

    assertThat(created).containsExactly(existing + ".dlq");
    assertThat(partitions(existing)).isEqualTo(2);
    assertThat(topicLevelConfigs(existing)).isEmpty();
  }

  @Test
  void ensuringTwiceCreatesNothingTheSecondTimeAndChangesNothing() throws Exception {
    Map<String, TopicCreation> topics = apiTopicsNamed("twice");
    assertThat(Topics.ensure(admin, topics, OptionalInt.empty(), TIMEOUT)).hasSize(2);

    // Even with another partition count: existing topics are never altered.
    assertThat(Topics.ensure(admin, topics, OptionalInt.of(3), TIMEOUT)).isEmpty();

    for (var topic : topics.entrySet()) {
      assertThat(partitions(topic.getKey())).isEqualTo(topic.getValue().partitions());
      assertThat(topicLevelConfigs(topic.getKey())).isEqualTo(topic.getValue().configs());
    }
  }

  @Test
  void theBootstrapFormCreatesTheSameWay(TestKafka kafka) throws Exception {
    Map<String, TopicCreation> topics = apiTopicsNamed("bootstrap");

    assertThat(Topics.ensure(kafka.bootstrapServers(), topics, OptionalInt.empty(), TIMEOUT))
        .containsExactlyElementsOf(topics.keySet());
    assertThat(Topics.ensure(kafka.bootstrapServers(), topics, OptionalInt.empty(), TIMEOUT))
        .isEmpty();
  }

  /** A topic name unique to this class and run (the broker may be shared). */
  private static String name(String base) {
    return "ensure-" + base + "-" + TestNames.classId(TopicsEnsureIT.class).replace('_', '-');
  }

  /** The API request topic's and its dead-letter topic's creations, under names of this test. */
  private static Map<String, TopicCreation> apiTopicsNamed(String base) {
    Map<String, TopicCreation> topics = new LinkedHashMap<>();
    topics.put(name(base), Topics.API_REQUESTS.creation());
    topics.put(name(base) + ".dlq", Topics.API_REQUESTS.deadLetterCreation());
    return topics;
  }

  private static int partitions(String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .size();
  }

  /** The configs set on the topic itself, not inherited from the broker's defaults. */
  private static Map<String, String> topicLevelConfigs(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config =
        admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    Map<String, String> set = new LinkedHashMap<>();
    for (ConfigEntry e : config.entries()) {
      if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
        set.put(e.name(), e.value());
      }
    }
    return set;
  }
}
