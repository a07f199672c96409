package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.testing.ApiEvents;
import dev.pulse.flink.testing.BoundedJobRun;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One producer whose clock runs ahead (+40 s, +10 min, +23 h) among normal traffic. The topic is
 * keyed by event id, so its events land in every partition: accepted, they would move each
 * partition's watermark past the normal events' minutes and make them late. Beyond the job's {@code
 * max-future} (10 s by default) they are dead letters instead, and every other event is served on
 * time.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(180)
class FutureProducerClockIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static final int NORMAL = 200;

  @Test
  void eventsFarAheadOfTheIngestClockAreDeadLetteredAndMakeNoOtherEventLate(
      TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster) throws Exception {
    ClickHouse db = ch.migratedDatabase();
    String topic = kafka.topic("future-clock");
    String deadLetterTopic = kafka.topic("future-clock-dlq");

    // Normal traffic over the last two minutes before now, in event-time order; the fast
    // producer's events interleaved after every 20th normal one.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Instant first = now.minusSeconds(120);
    Set<String> fast = new HashSet<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int n = 0; n < NORMAL; n++) {
        producer.send(
            ApiEvents.record(
                topic, ApiEvents.event(n, first.plusMillis(n * 590L), 200, 1_000 + n)));
        if (n % 20 == 19) {
          for (Duration ahead :
              List.of(Duration.ofSeconds(40), Duration.ofMinutes(10), Duration.ofHours(23))) {
            ApiRequestEvent e = ApiEvents.event(100_000 + fast.size(), now.plus(ahead), 200, 1_000);
            fast.add(e.getEventId());
            producer.send(ApiEvents.record(topic, e));
          }
        }
      }
      producer.flush();
    }

    BoundedJobRun.run(cluster, kafka, ch, topic, deadLetterTopic);

    List<JsonNode> letters =
        db.query(
            "SELECT reason, count() AS n FROM dead_letters FINAL WHERE source_topic = '"
                + topic
                + "' GROUP BY reason");
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).get("reason").asText()).isEqualTo("FUTURE_EVENT_TIME");
    assertThat(letters.get(0).get("n").asLong()).isEqualTo(fast.size());
    assertThat(db.queryText("SELECT count() FROM api_requests_late").trim())
        .as("no normal event was made late")
        .isEqualTo("0");
    assertThat(db.queryText("SELECT count() FROM api_requests_raw FINAL").trim())
        .isEqualTo(String.valueOf(NORMAL));
    assertThat(db.queryText("SELECT sum(requests) FROM api_request_minutes").trim())
        .as("every normal event is in the minute facts, served on time")
        .isEqualTo(String.valueOf(NORMAL));
  }
}
