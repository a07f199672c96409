package dev.pulse.flink.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.testing.BoundedJobRun;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.SloOracle;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.Incident;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.slo.EventKind;
import dev.pulse.slo.Indicator;
import dev.pulse.slo.Slo;
import dev.pulse.slo.SloFiles;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.SloOracleConfigs;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The example SLOs over API requests evaluated by the production API job (Kafka source, dedup,
 * evaluation, every sink) over 100 minutes of simulated traffic of three institutions with an error
 * spike and a latency regression on courses-api and an error spike on sessions-api, duplicates and
 * malformed records: every evaluated minute in {@code slo_status}, every alert change in {@code
 * slo_alerts} and on the alert topic (read committed, each once) equals the SLO oracle over the
 * deduplicated requests (testkit {@link SloOracle}, which shares no code with the job).
 *
 * <p>Nothing is delivered out of order or late, so every request is counted before its minute is
 * evaluated and the oracle needs no delivery order. The bounded job ends its input with the
 * watermark at the end of time: every SLO is evaluated until three quiet days have passed, and
 * every alert resolves.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(240)
class ApiSloIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static final Instant START = Instant.parse("2026-11-23T09:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyEvaluationAndAlertChangeEqualsTheOracle(
      TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster) throws Exception {
    ClickHouse db = ch.migratedDatabase();
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20261123)
            .withDomains(EnumSet.of(Domain.API))
            .withStart(START)
            .withDuration(Duration.ofMinutes(100))
            .withRates(200, 40)
            .withIncidents(
                List.of(
                    new Incident(
                        Incident.Kind.ERROR_SPIKE,
                        "courses-api",
                        null,
                        START.plus(Duration.ofMinutes(40)),
                        Duration.ofMinutes(8),
                        0.3),
                    new Incident(
                        Incident.Kind.LATENCY_REGRESSION,
                        "courses-api",
                        "/courses/{courseId}",
                        START.plus(Duration.ofMinutes(60)),
                        Duration.ofMinutes(15),
                        20.0),
                    new Incident(
                        Incident.Kind.ERROR_SPIKE,
                        "sessions-api",
                        null,
                        START.plus(Duration.ofMinutes(80)),
                        Duration.ofMinutes(3),
                        1.0)))
            .withFaults(new FaultConfig(0.03, 0, 0, 0.01));
    SimulatedApiTopic simulated =
        SimulatedApiTopic.write(kafka, kafka.topic("slo-api-requests", 1), sim);
    String alertTopic = kafka.topic("slo-alerts", 1);
    BoundedJobRun.runOnOneSubtask(
        cluster,
        kafka.bootstrapServers(),
        ch,
        simulated.topic(),
        kafka.topic("slo-api-requests-dlq"),
        Clock.systemUTC(),
        1,
        Map.of(SloSettings.EXAMPLES.key(), "true", SloSettings.ALERT_TOPIC.key(), alertTopic));

    // Each request once (the first delivery of its id), as the dedup keeps it.
    Set<String> seen = new HashSet<>();
    List<ApiRequestEvent> requests = new ArrayList<>();
    for (ApiRequestEvent e : simulated.validDeliveries()) {
      if (seen.add(e.getTenantId() + "/" + e.getEventId().toLowerCase(Locale.ROOT))) {
        requests.add(e);
      }
    }
    List<Slo> slos =
        SloFiles.examples().catalog().slos().stream()
            .filter(s -> s.indicator().events() == EventKind.API_REQUESTS)
            .toList();
    assertThat(slos).hasSize(3);
    Set<String> tenants = new TreeMap<>(group(requests)).keySet();
    assertThat(tenants).hasSize(3);

    List<String> expectedChanges = new ArrayList<>();
    int expectedStatuses = 0;
    for (String tenant : tenants) {
      for (Slo slo : slos) {
        List<SloOracle.Event> events = new ArrayList<>();
        for (ApiRequestEvent r : requests) {
          if (r.getTenantId().equals(tenant) && selects(slo, r)) {
            events.add(new SloOracle.Event(r.getEventTime().toEpochMilli(), isGood(slo, r)));
          }
        }
        SloOracle.Result expected =
            SloOracle.evaluate(SloOracleConfigs.of(slo), events, Long.MAX_VALUE);
        expectedStatuses += expected.statuses().size();
        for (SloOracle.Change c : expected.changes()) {
          expectedChanges.add(
              change(tenant, slo.name(), c.row(), c.firing(), c.atMs(), c.sinceMs()));
        }
        assertStatuses(db, tenant, slo, expected.statuses());
      }
    }
    // The incidents fire pages: not a vacuous comparison.
    assertThat(expectedChanges)
        .anyMatch(c -> c.contains("courses-api-availability page-fast firing"))
        .anyMatch(c -> c.contains("courses-api-latency page-fast firing"))
        .anyMatch(c -> c.contains("sessions-api-availability page-fast firing"));

    assertThat(Integer.parseInt(db.queryText("SELECT count() FROM slo_status FINAL").strip()))
        .isEqualTo(expectedStatuses);
    List<String> stored = new ArrayList<>();
    for (JsonNode row :
        db.query(
            "SELECT tenant_id, slo, alert_row, state, toUnixTimestamp(at) AS at,"
                + " toUnixTimestamp(since) AS since FROM slo_alerts FINAL")) {
      stored.add(
          change(
              row.get("tenant_id").asText(),
              row.get("slo").asText(),
              row.get("alert_row").asText(),
              row.get("state").asText().equals("firing"),
              row.get("at").asLong() * 1000,
              row.get("since").asLong() * 1000));
    }
    assertThat(stored).containsExactlyInAnyOrderElementsOf(expectedChanges);

    List<String> published = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        SimulatedApiTopic.readAll(kafka, alertTopic, "read_committed")) {
      JsonNode a = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8));
      assertThat(new String(r.key(), StandardCharsets.UTF_8))
          .isEqualTo(
              a.get("tenant").asText() + "/" + a.get("slo").asText() + "/" + a.get("row").asText());
      published.add(
          change(
              a.get("tenant").asText(),
              a.get("slo").asText(),
              a.get("row").asText(),
              a.get("state").asText().equals("firing"),
              Instant.parse(a.get("at").asText()).toEpochMilli(),
              Instant.parse(a.get("since").asText()).toEpochMilli()));
    }
    assertThat(published).containsExactlyInAnyOrderElementsOf(expectedChanges);
  }

  private static void assertStatuses(
      ClickHouse db, String tenant, Slo slo, List<SloOracle.Status> expected) {
    List<JsonNode> rows =
        db.query(
            "SELECT toUnixTimestamp(minute) AS minute, good, total, eligible, bad, remaining,"
                + " burn_5m, burn_30m, burn_1h, burn_2h, burn_6h, burn_1d, burn_3d"
                + " FROM slo_status FINAL WHERE tenant_id = '"
                + tenant
                + "' AND slo = '"
                + slo.name()
                + "' ORDER BY minute");
    assertThat(rows).as("%s %s minutes", tenant, slo.name()).hasSize(expected.size());
    String[] burns = {"burn_5m", "burn_30m", "burn_1h", "burn_2h", "burn_6h", "burn_1d", "burn_3d"};
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      SloOracle.Status s = expected.get(i);
      String where = tenant + " " + slo.name() + " " + Instant.ofEpochMilli(s.endMs());
      assertThat(row.get("minute").asLong() * 1000).as(where).isEqualTo(s.endMs() - 60_000);
      assertThat(row.get("good").asLong()).as(where).isEqualTo(s.minuteGood());
      assertThat(row.get("total").asLong()).as(where).isEqualTo(s.minuteTotal());
      assertThat(row.get("eligible").asLong()).as(where).isEqualTo(s.eligible());
      assertThat(row.get("bad").asLong()).as(where).isEqualTo(s.bad());
      assertThat(row.get("remaining").asDouble()).as(where).isCloseTo(s.remaining(), within(1e-9));
      for (int w = 0; w < burns.length; w++) {
        assertThat(row.get(burns[w]).asDouble())
            .as(where + " " + burns[w])
            .isCloseTo(s.burnRates()[w], within(1e-9));
      }
    }
  }

  private static Map<String, List<ApiRequestEvent>> group(List<ApiRequestEvent> requests) {
    Map<String, List<ApiRequestEvent>> byTenant = new TreeMap<>();
    requests.forEach(r -> byTenant.computeIfAbsent(r.getTenantId(), t -> new ArrayList<>()).add(r));
    return byTenant;
  }

  private static String change(
      String tenant, String slo, String row, boolean firing, long atMs, long sinceMs) {
    return tenant
        + " "
        + slo
        + " "
        + row
        + " "
        + (firing ? "firing" : "resolved")
        + " at "
        + Instant.ofEpochMilli(atMs)
        + " since "
        + Instant.ofEpochMilli(sinceMs);
  }

  /** The SLI's selection, read from the request's own fields (as docs/slo.md names them). */
  private static boolean selects(Slo slo, ApiRequestEvent r) {
    for (Map.Entry<String, String> s : slo.indicator().selection().entrySet()) {
      String value =
          switch (s.getKey()) {
            case "service" -> r.getService();
            case "endpoint" -> r.getEndpoint();
            case "method" -> r.getMethod().name();
            case "region" -> r.getRegion();
            default -> throw new AssertionError(s.getKey());
          };
      if (!s.getValue().equals(value)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isGood(Slo slo, ApiRequestEvent r) {
    Indicator.Good good = slo.indicator().good();
    if (good instanceof Indicator.StatusBelow s) {
      return r.getStatusCode() < s.status();
    }
    return r.getLatencyUs() < ((Indicator.LatencyBelowMs) good).ms() * 1000;
  }
}
