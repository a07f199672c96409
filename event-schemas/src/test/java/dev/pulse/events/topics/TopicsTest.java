package dev.pulse.events.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.events.codec.EventValidator;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What each topic contract declares about creating its topic and dead-letter topic. */
class TopicsTest {

  static Stream<Topic<?>> topics() {
    return Topics.ALL.stream();
  }

  /** Every topic Pulse creates: the inputs and their dead-letter topics. */
  static Stream<Map.Entry<String, TopicCreation>> created() {
    return Topics.withDeadLetterTopics(Topics.ALL).entrySet().stream();
  }

  @Test
  void partitionCountsArePinnedBecauseChangingOneMovesKeysToOtherPartitions() {
    assertThat(Topics.CLASSROOM.creation().partitions()).isEqualTo(3);
    assertThat(Topics.PLAYBACK.creation().partitions()).isEqualTo(3);
    assertThat(Topics.API_REQUESTS.creation().partitions()).isEqualTo(6);
    assertThat(Topics.PROBES.creation().partitions()).isEqualTo(1);
    topics().forEach(t -> assertThat(t.deadLetterCreation().partitions()).isEqualTo(1));
  }

  @ParameterizedTest
  @MethodSource("created")
  void everyTopicDeletesOldRecordsAndNeverCompactsThem(Map.Entry<String, TopicCreation> topic) {
    // Compaction keeps one record per key: it would silently drop events of the same session.
    assertThat(topic.getValue().configs())
        .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
  }

  @ParameterizedTest
  @MethodSource("created")
  void everyTopicDeclaresItsRetentionAndMessageLimitWithKafkasOwnConfigNames(
      Map.Entry<String, TopicCreation> topic) throws IllegalAccessException {
    Map<String, String> configs = topic.getValue().configs();
    assertThat(configs)
        .containsKeys(TopicConfig.RETENTION_MS_CONFIG, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    assertThat(Long.parseLong(configs.get(TopicConfig.RETENTION_MS_CONFIG)))
        .isGreaterThanOrEqualTo(Duration.ofDays(1).toMillis());
    // A misspelt key would only fail when a broker refuses the topic.
    assertThat(kafkaTopicConfigNames()).containsAll(configs.keySet());
  }

  @ParameterizedTest
  @MethodSource("topics")
  void anOversizedEventFitsItsTopicSoItCanBeDeadLetteredInsteadOfRefusedAtTheProducer(
      Topic<?> topic) {
    assertThat(maxMessageBytes(topic.creation())).isGreaterThan(EventValidator.MAX_RECORD_BYTES);
  }

  @ParameterizedTest
  @MethodSource("topics")
  void aDeadLetterFitsItsTopicAndOutlivesTheInputItCameFrom(Topic<?> topic) {
    // A dead letter is the original value plus headers: the limit must exceed the input's.
    assertThat(maxMessageBytes(topic.deadLetterCreation()))
        .isGreaterThan(maxMessageBytes(topic.creation()));
    assertThat(retentionMs(topic.deadLetterCreation()))
        .isGreaterThanOrEqualTo(retentionMs(topic.creation()));
  }

  @Test
  void withDeadLetterTopicsListsEachTopicThenItsDeadLetterTopicOnce() {
    assertThat(Topics.withDeadLetterTopics(Topics.ALL).keySet())
        .containsExactly(
            "pulse.classroom.events",
            "pulse.classroom.events.dlq",
            "pulse.playback.events",
            "pulse.playback.events.dlq",
            "pulse.api.requests",
            "pulse.api.requests.dlq",
            "pulse.probe.results",
            "pulse.probe.results.dlq");
    assertThat(Topics.withDeadLetterTopics(List.of(Topics.API_REQUESTS)))
        .containsExactly(
            Map.entry("pulse.api.requests", Topics.API_REQUESTS.creation()),
            Map.entry("pulse.api.requests.dlq", Topics.API_REQUESTS.deadLetterCreation()));
  }

  @Test
  void aCreationNeedsAPartitionAndKeepsItsConfigsImmutableAndSorted() {
    assertThatThrownBy(() -> TopicCreation.of(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitions must be >= 1");
    TopicCreation c =
        TopicCreation.of(2).with("retention.ms", "1").with("cleanup.policy", "delete");
    assertThat(c.configs().keySet()).containsExactly("cleanup.policy", "retention.ms");
    assertThatThrownBy(() -> c.configs().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(c.withPartitions(5)).isEqualTo(new TopicCreation(5, c.configs()));
  }

  @Test
  void ensureGivesUpOnABrokerThatDoesNotAnswerWithinItsTimeoutNamingTheAddress() {
    // Nothing listens on port 1 of loopback: the Admin client retries until the deadline.
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                Topics.ensure(
                    "127.0.0.1:1",
                    Topics.withDeadLetterTopics(Topics.ALL),
                    OptionalInt.empty(),
                    Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Kafka broker answered at 127.0.0.1:1 within 2 s")
        .hasMessageContaining("pulse.api.requests");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void ensureRefusesANonPositivePartitionOverrideBeforeAskingTheBroker() {
    assertThatThrownBy(
            () -> Topics.ensure("127.0.0.1:1", Map.of(), OptionalInt.of(0), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitions must be >= 1, got 0");
  }

  private static long maxMessageBytes(TopicCreation c) {
    return Long.parseLong(c.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
  }

  private static long retentionMs(TopicCreation c) {
    return Long.parseLong(c.configs().get(TopicConfig.RETENTION_MS_CONFIG));
  }

  /**
   * The values of Kafka's {@code TopicConfig.*_CONFIG} constants: every topic-level config name.
   */
  private static Set<String> kafkaTopicConfigNames() throws IllegalAccessException {
    Set<String> names = new HashSet<>();
    for (Field f : TopicConfig.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_CONFIG")) {
        names.add((String) f.get(null));
      }
    }
    return names;
  }
}
