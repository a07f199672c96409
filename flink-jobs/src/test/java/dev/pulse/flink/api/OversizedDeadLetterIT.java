package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.flink.testing.ApiEvents;
import dev.pulse.flink.testing.BoundedJobRun;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A record just under the broker's limit (1,048,588 bytes by default) is OVERSIZED for the contract
 * (over 64 KiB); sent on as a dead letter with its headers it would exceed the dead-letter
 * producer's request limit (1 MiB), the sink would fail and the job with it, at every replay. The
 * dead letter's value is cut instead: the job finishes, the topic has the cut value with its
 * original length, the table the whole value.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(180)
class OversizedDeadLetterIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  /** Fits the input topic with its key and framing; with the dead-letter headers it does not. */
  private static final int VALUE_BYTES = 1_048_400;

  @Test
  void aRecordNearTheBrokersLimitIsDeadLetteredCutAndTheJobFinishes(
      TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster) throws Exception {
    ClickHouse db = ch.migratedDatabase();
    String topic = kafka.topic("oversized");
    String deadLetterTopic = kafka.topic("oversized-dlq");
    byte[] huge = new byte[VALUE_BYTES];
    System.arraycopy(
        ApiEvents.CODEC.encode(ApiEvents.event(1, ApiEvents.t(1), 200, 1)), 0, huge, 0, 10);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      producer.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), huge)).get();
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  "v".getBytes(StandardCharsets.UTF_8),
                  ApiEvents.CODEC.encode(ApiEvents.event(2, ApiEvents.t(2), 200, 1))))
          .get();
    }

    BoundedJobRun.run(cluster, kafka, ch, topic, deadLetterTopic);

    List<ConsumerRecord<byte[], byte[]>> letters =
        SimulatedApiTopic.readAll(kafka, deadLetterTopic);
    assertThat(letters).hasSize(1);
    ConsumerRecord<byte[], byte[]> letter = letters.get(0);
    assertThat(letter.value()).hasSize(512 * 1024);
    assertThat(
            new String(
                letter.headers().lastHeader("pulse.truncated").value(), StandardCharsets.UTF_8))
        .isEqualTo(String.valueOf(VALUE_BYTES));
    assertThat(
            new String(letter.headers().lastHeader("pulse.reason").value(), StandardCharsets.UTF_8))
        .isEqualTo("OVERSIZED");
    JsonNode row =
        db.query("SELECT reason, length(value_base64) AS b64 FROM dead_letters FINAL").get(0);
    assertThat(row.get("reason").asText()).isEqualTo("OVERSIZED");
    // Base64 of n bytes is 4 * ceil(n / 3) characters: the table keeps the whole value.
    assertThat(row.get("b64").asLong()).isEqualTo(4L * ((VALUE_BYTES + 2) / 3));
    assertThat(db.queryText("SELECT count() FROM api_requests_raw FINAL").trim()).isEqualTo("1");
  }
}
