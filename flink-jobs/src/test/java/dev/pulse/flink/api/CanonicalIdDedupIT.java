package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.testing.ApiEvents;
import dev.pulse.flink.testing.BoundedJobRun;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.ApiEvent;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract's deduplication rule, through the production job and into storage: one request is
 * identified by its tenant and its canonical (lower-case) UUID, so the same UUID in the other
 * letter case from the same tenant is a duplicate, and the same UUID from another tenant is another
 * request. The raw and late tables hold exactly that identity: one row per (tenant, canonical id),
 * the id stored in lower case whichever case arrived first, also for a retry that comes back after
 * the dedup horizon (review m4, m5).
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(180)
class CanonicalIdDedupIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static final Instant NOW = ApiEvents.t(600);

  @Test
  void theSameUuidInTheOtherCaseIsADuplicateFromAnotherTenantAnotherRequestAndStoredOnceInLowerCase(
      TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster) throws Exception {
    ClickHouse db = ch.migratedDatabase();
    String topic = kafka.topic("canonical-ids", 1);
    List<byte[]> values = new ArrayList<>();
    List<ApiRequestEvent> firstCopies = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      ApiRequestEvent lower = ApiEvents.event(n, ApiEvents.t(n), 200, 1_000 + n);
      ApiRequestEvent upper = withId(lower, lower.getEventId().toUpperCase(Locale.ROOT));
      // Half the requests arrive in upper case first: storage must not keep the first case.
      ApiRequestEvent first = n % 2 == 0 ? upper : lower;
      ApiRequestEvent retry = n % 2 == 0 ? lower : upper;
      retry.setEventTime(ApiEvents.t(n + 0.5));
      ApiRequestEvent otherTenant = ApiRequestEvent.newBuilder(lower).build();
      otherTenant.setTenantId("t2");
      otherTenant.setEventTime(ApiEvents.t(n + 0.7));
      for (ApiRequestEvent e : List.of(first, retry, otherTenant)) {
        values.add(ApiEvents.CODEC.encode(e));
      }
      firstCopies.add(first);
    }
    // Moves event time 300 s on: the retries below are then beyond the 92 s dedup horizon (their
    // first copies forgotten), late for their minute, so late events that are not counted.
    values.add(ApiEvents.CODEC.encode(ApiEvents.event(100, ApiEvents.t(300), 200, 2_000)));
    List<String> retriedLate = new ArrayList<>();
    for (int n : List.of(0, 1)) {
      ApiRequestEvent first = firstCopies.get(n);
      String otherCase =
          n % 2 == 0
              ? first.getEventId().toLowerCase(Locale.ROOT)
              : first.getEventId().toUpperCase(Locale.ROOT);
      values.add(ApiEvents.CODEC.encode(withId(first, otherCase)));
      retriedLate.add("t1/" + ApiEvents.id(n));
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (byte[] v : values) {
        producer.send(new ProducerRecord<>(topic, 0, null, v));
      }
      producer.flush();
    }
    ApiOracle oracle = ApiOracle.ofRecords(values, NOW);
    assertThat(oracle.counted()).isEqualTo(41);
    assertThat(oracle.duplicatesIgnored()).isEqualTo(22);

    // On one subtask: the retries below must meet the watermark the t(300) event moved.
    BoundedJobRun.runOnOneSubtask(
        cluster,
        kafka,
        ch,
        topic,
        kafka.topic("canonical-ids-dlq"),
        Clock.fixed(NOW, ZoneOffset.UTC));

    List<String> expected = new ArrayList<>();
    for (ApiEvent e : oracle.countedEvents()) {
      expected.add(e.tenantId() + "/" + e.canonicalEventId());
    }
    assertThat(stored(db, "api_requests_raw")).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(stored(db, "api_requests_late")).containsExactlyInAnyOrderElementsOf(retriedLate);
    assertThat(db.queryText("SELECT sum(requests) FROM api_request_minutes").trim())
        .isEqualTo(String.valueOf(oracle.counted()));
  }

  /** {@code tenant/event_id} of every row of {@code table}, as stored (FINAL). */
  private static List<String> stored(ClickHouse db, String table) {
    List<String> rows = new ArrayList<>();
    for (JsonNode r : db.query("SELECT tenant_id, event_id FROM " + table + " FINAL")) {
      rows.add(r.get("tenant_id").asText() + "/" + r.get("event_id").asText());
    }
    return rows;
  }

  private static ApiRequestEvent withId(ApiRequestEvent e, String id) {
    ApiRequestEvent copy = ApiRequestEvent.newBuilder(e).build();
    copy.setEventId(id);
    return copy;
  }
}
