package dev.pulse.flink.common;

import dev.pulse.events.codec.Text;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Writes a {@link DeadLetter} to a dead-letter topic (a configured one, or its origin topic's by
 * the contract): the value is the original bytes (so a fixed consumer can replay it as is), and
 * headers carry why and where from. A value over {@link #MAX_VALUE_BYTES} is cut to that size and
 * flagged with {@link #TRUNCATED} (its original length): the whole record, headers included, must
 * stay under the producer's request limit (1 MiB by default), or the dead letter would fail the
 * sink and the job, again at every replay. The ClickHouse table keeps the whole value.
 */
public final class DeadLetterSerializationSchema
    implements KafkaRecordSerializationSchema<DeadLetter> {

  public static final String REASON = "pulse.reason";
  public static final String MESSAGE = "pulse.message";
  public static final String ORIGIN_TOPIC = "pulse.origin.topic";
  public static final String ORIGIN_PARTITION = "pulse.origin.partition";
  public static final String ORIGIN_OFFSET = "pulse.origin.offset";

  /** Present when the value was cut: the original value's length in bytes. */
  public static final String TRUNCATED = "pulse.truncated";

  /** Half the producer's default request limit: room for headers and the record's own framing. */
  public static final int MAX_VALUE_BYTES = 512 * 1024;

  /** The topic every dead letter goes to, or null for each origin topic's own dead-letter topic. */
  private final String targetTopic;

  /** Each dead letter to its origin topic's dead-letter topic ({@link #deadLetterTopicOf}). */
  public DeadLetterSerializationSchema() {
    this.targetTopic = null;
  }

  /**
   * Every dead letter to {@code targetTopic} (a job reading one topic, with a configured
   * dead-letter topic).
   */
  public DeadLetterSerializationSchema(String targetTopic) {
    this.targetTopic = Objects.requireNonNull(targetTopic, "targetTopic");
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    List<Header> headers = new ArrayList<>(6);
    headers.add(header(REASON, letter.reason()));
    headers.add(header(MESSAGE, Text.wellFormed(letter.message())));
    headers.add(header(ORIGIN_TOPIC, letter.originTopic()));
    headers.add(header(ORIGIN_PARTITION, Integer.toString(letter.partition())));
    headers.add(header(ORIGIN_OFFSET, Long.toString(letter.offset())));
    byte[] value = letter.value();
    if (value != null && value.length > MAX_VALUE_BYTES) {
      headers.add(header(TRUNCATED, Integer.toString(value.length)));
      value = Arrays.copyOf(value, MAX_VALUE_BYTES);
    }
    return new ProducerRecord<>(
        targetTopic != null ? targetTopic : deadLetterTopicOf(letter.originTopic()),
        null,
        timestamp,
        null,
        value,
        headers);
  }

  /**
   * The dead-letter topic of {@code originTopic} from its contract in {@link Topics}; a topic
   * without a contract gets {@code <topic>.dlq}, the same naming rule.
   */
  public static String deadLetterTopicOf(String originTopic) {
    for (Topic<?> topic : Topics.ALL) {
      if (topic.name().equals(originTopic)) {
        return topic.deadLetterTopic();
      }
    }
    return originTopic + ".dlq";
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
