package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.Utf16;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.testing.ApiEvents;
import dev.pulse.flink.testing.BoundedJobRun;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records whose over-long event_id has an emoji where the dead-letter message cuts it (the error
 * message quotes the first 64 UTF-16 units): the cut used to leave half a surrogate pair in the
 * message, the ClickHouse dead-letter writer refused it, and the job failed on every restore. Run
 * with no restarts allowed, the production job must finish, store each such record once as a dead
 * letter with a well-formed message, and still store every valid event.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(180)
class SplitSurrogateDeadLettersIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static final int VALID = 50;
  private static final String EMOJI = "\uD83D\uDE00"; // U+1F600, two UTF-16 units

  @Test
  void recordsWithAnEmojiWhereTheMessageIsCutAreDeadLetteredAndTheJobKeepsRunning(
      TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster) throws Exception {
    ClickHouse db = ch.migratedDatabase();
    String topic = kafka.topic("split-surrogates");
    String deadLetterTopic = kafka.topic("split-surrogates-dlq");

    // The emoji starts at UTF-16 index 62 (fits in the quoted 64 units), 63 (the cut falls inside
    // it) or 64 (just past the cut), in ids of 70 units: too long for an event id either way.
    List<ApiRequestEvent> hostile = new ArrayList<>();
    for (int start : new int[] {62, 63, 64}) {
      for (int i = 0; i < 7; i++) {
        String id = "x".repeat(start) + EMOJI + "y".repeat(70 - start - 2 - 1) + i;
        ApiRequestEvent e = ApiEvents.event(1_000 + hostile.size(), ApiEvents.t(1 + i), 200, 1_000);
        e.setEventId(id);
        hostile.add(e);
      }
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int n = 0; n < VALID; n++) {
        producer.send(ApiEvents.record(topic, ApiEvents.event(n, ApiEvents.t(n), 200, 1_000 + n)));
      }
      for (ApiRequestEvent e : hostile) {
        producer.send(ApiEvents.record(topic, e));
      }
      producer.flush();
    }

    BoundedJobRun.run(cluster, kafka, ch, topic, deadLetterTopic);

    List<JsonNode> letters =
        db.query(
            "SELECT source_topic, reason, message FROM dead_letters FINAL WHERE source_topic = '"
                + topic
                + "'");
    assertThat(letters).hasSize(hostile.size());
    for (JsonNode letter : letters) {
      String message = letter.get("message").asText();
      assertThat(letter.get("reason").asText()).isEqualTo("INVALID_VALUE");
      assertThat(message).contains("event_id");
      assertThat(Utf16.unpairedSurrogateAt(message)).as(message).isEqualTo(-1);
      assertThat(message).doesNotContain("\uFFFD");
    }
    List<ConsumerRecord<byte[], byte[]>> kafkaLetters =
        SimulatedApiTopic.readAll(kafka, deadLetterTopic);
    assertThat(kafkaLetters).hasSize(hostile.size());
    assertThat(db.query("SELECT count() AS n FROM api_requests_raw FINAL").get(0).get("n").asLong())
        .isEqualTo(VALID);
  }
}
