package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.SqlLiteral;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Every API call is in the audit trail, against the running application and a real ClickHouse: who,
 * which operation and fields, digests of the document and variables (worked out here
 * independently), the transport, the outcome (ok, bad_request, forbidden, refused) and the rows its
 * queries read (equal to what ClickHouse's query log says for those query ids); an operator reads
 * their own tenant's trail through GraphQL, and no other tenant's.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuditTrailIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String SERVICES = "{ services { name } }";

  private static TestClickHouse server;
  private static ClickHouse clickHouse;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.limits.requests-per-second", () -> "3");
    registry.add("pulse.limits.request-burst", () -> "3");
    registry.add("pulse.audit.flush-interval", () -> "500ms");
  }

  @BeforeAll
  static void facts(TestClickHouse ch) {
    server = ch;
    clickHouse = ch.migratedDatabase();
    MinuteFacts facts = new MinuteFacts();
    for (int m = 0; m < 5; m++) {
      String minute = String.format("2026-03-02T10:%02d:00Z", m);
      facts.row("audit-t", "audit-api", "/a", "GET", "eu-west", minute, List.of(5, 6, 7), 0, 0);
      facts.row("audit-other", "other-api", "/o", "GET", "eu-west", minute, List.of(5), 0, 0);
    }
    facts.insertInto(clickHouse);
  }

  @LocalServerPort private int port;

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The audit rows of {@code tenant} once at least {@code n} are written (within 60 s). */
  private static List<JsonNode> auditRows(String tenant, int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      List<JsonNode> rows =
          clickHouse.query(
              "SELECT subject, transport, operation_type, operation_name, fields,"
                  + " document_sha256, variables_sha256, outcome, error_types, query_ids, rows_read"
                  + " FROM pulse_api_audit WHERE tenant_id = "
                  + SqlLiteral.string(tenant)
                  + " ORDER BY time_ms");
      if (rows.size() >= n || System.nanoTime() > deadline) {
        return rows;
      }
      Thread.sleep(250);
    }
  }

  @Test
  void everyCallIsRecordedWithWhoWhatOutcomeAndTheRowsItsQueriesRead() throws Exception {
    Instant start = Instant.now().minusSeconds(1);
    String sam = TestIdentity.caller("sam").tenant("audit-t").roles("sre").sign();
    String eve = TestIdentity.caller("eve").tenant("audit-t").roles("educator").sign();
    String flooder = TestIdentity.caller("flooder").tenant("audit-t").roles("sre").sign();
    String other = TestIdentity.caller("otto").tenant("audit-other").roles("sre").sign();

    assertThat(ApiClient.post(port, sam, SERVICES, Map.of()).at("/data/services/0/name").asText())
        .isEqualTo("audit-api");
    String series =
        "query Series($service: String!, $from: DateTime!, $to: DateTime!) {"
            + " serviceMetrics(service: $service, from: $from, to: $to) { points { time } } }";
    Map<String, Object> backwards =
        Map.of(
            "to", "2026-03-02T10:00:00Z", "service", "audit-api", "from", "2026-03-02T11:00:00Z");
    assertThat(
            ApiClient.post(port, sam, series, backwards)
                .at("/errors/0/extensions/classification")
                .asText())
        .isEqualTo("BAD_REQUEST");
    assertThat(
            ApiClient.post(port, eve, SERVICES, Map.of())
                .at("/errors/0/extensions/classification")
                .asText())
        .isEqualTo("FORBIDDEN");
    int refused = 0;
    for (int i = 0; i < 8; i++) {
      if (ApiClient.post(port, flooder, SERVICES, Map.of())
          .at("/errors/0/extensions/limit")
          .asText()
          .equals("rate")) {
        refused++;
      }
    }
    assertThat(refused).isPositive();
    WebSocketGraphQlTester ws = ApiClient.webSocket(port, sam);
    ws.document("subscription { serviceMetricsUpdates(service: \"audit-api\") { time } }")
        .executeSubscription()
        .toFlux("serviceMetricsUpdates.time", String.class)
        .blockFirst(Duration.ofSeconds(20));
    ws.stop().block(Duration.ofSeconds(5));
    ApiClient.post(port, other, SERVICES, Map.of());

    int expected = 1 + 1 + 1 + 8 + 1;
    List<JsonNode> rows = auditRows("audit-t", expected);
    assertThat(rows).hasSize(expected);

    JsonNode services = rows.get(0);
    assertThat(services.get("subject").asText()).isEqualTo("sam");
    assertThat(services.get("transport").asText()).isEqualTo("http");
    assertThat(services.get("operation_type").asText()).isEqualTo("query");
    assertThat(services.get("fields").toString()).isEqualTo("[\"services\"]");
    assertThat(services.get("outcome").asText()).isEqualTo("ok");
    assertThat(services.get("document_sha256").asText()).isEqualTo(sha256(SERVICES));
    assertThat(services.get("variables_sha256").asText()).isEqualTo(sha256("{}"));
    // Rows read: what ClickHouse's own query log says its queries read.
    List<String> ids = JSON.convertValue(services.get("query_ids"), List.class);
    assertThat(ids).hasSize(1);
    clickHouse.execute("SYSTEM FLUSH LOGS");
    long logged =
        clickHouse
            .query(
                "SELECT sum(read_rows) AS r FROM system.query_log WHERE type = 2 AND query_id IN ("
                    + ids.stream().map(SqlLiteral::string).collect(Collectors.joining(", "))
                    + ")")
            .get(0)
            .get("r")
            .asLong();
    assertThat(logged).isPositive();
    assertThat(services.get("rows_read").asLong()).isEqualTo(logged);

    JsonNode bad = rows.get(1);
    assertThat(bad.get("operation_name").asText()).isEqualTo("Series");
    assertThat(bad.get("outcome").asText()).isEqualTo("bad_request");
    assertThat(bad.get("document_sha256").asText()).isEqualTo(sha256(series));
    // Variables by sorted key: their order in the request does not change the digest, and no
    // value is stored.
    assertThat(bad.get("variables_sha256").asText())
        .isEqualTo(
            sha256(
                "{\"from\":\"2026-03-02T11:00:00Z\",\"service\":\"audit-api\","
                    + "\"to\":\"2026-03-02T10:00:00Z\"}"));
    assertThat(bad.toString()).doesNotContain("audit-api\"").doesNotContain("2026-03-02T11");
    assertThat(bad.get("query_ids").size()).isZero();
    assertThat(bad.get("rows_read").asLong()).isZero();

    assertThat(rows.get(2).get("subject").asText()).isEqualTo("eve");
    assertThat(rows.get(2).get("outcome").asText()).isEqualTo("forbidden");
    List<JsonNode> flood = rows.subList(3, 11);
    assertThat(flood).allSatisfy(r -> assertThat(r.get("subject").asText()).isEqualTo("flooder"));
    assertThat(flood.stream().filter(r -> r.get("outcome").asText().equals("refused")).count())
        .isEqualTo(refused);
    JsonNode live = rows.get(11);
    assertThat(live.get("transport").asText()).isEqualTo("websocket");
    assertThat(live.get("operation_type").asText()).isEqualTo("subscription");
    assertThat(live.get("outcome").asText()).isEqualTo("ok");

    // The operator's view: this tenant's trail, never another's.
    String olga = TestIdentity.caller("olga").tenant("audit-t").roles("operator").sign();
    JsonNode trail =
        ApiClient.post(
            port,
            olga,
            "query($from: DateTime!, $to: DateTime!) { auditTrail(from: $from, to: $to, limit: 1000)"
                + " { subject outcome transport rowsRead } }",
            Map.of("from", start.toString(), "to", Instant.now().plusSeconds(1).toString()));
    assertThat(trail.path("errors")).as(trail.toString()).isEmpty();
    List<String> subjects = trail.at("/data/auditTrail").findValuesAsText("subject");
    assertThat(subjects).hasSize(expected).doesNotContain("otto").contains("sam", "eve", "flooder");
    assertThat(
            ApiClient.post(
                    port,
                    sam,
                    "{ auditTrail(from: \"2026-01-01T00:00:00Z\", to: \"2026-01-02T00:00:00Z\") { subject } }",
                    Map.of())
                .at("/errors/0/extensions/classification")
                .asText())
        .isEqualTo("FORBIDDEN");
    assertThat(
            ApiClient.post(port, olga, otherTenantsTrail("audit-other"), Map.of())
                .at("/errors/0/extensions/classification")
                .asText())
        .as("another tenant's trail, in a deployment that does not allow it")
        .isEqualTo("FORBIDDEN");
  }

  private static String otherTenantsTrail(String tenant) {
    Instant now = Instant.now();
    return "{ auditTrail(from: \""
        + now.minus(Duration.ofHours(1))
        + "\", to: \""
        + now.plus(Duration.ofMinutes(1))
        + "\", tenant: "
        + JSON.valueToTree(tenant)
        + ", limit: 1000) { tenant subject } }";
  }

  /** A deployment whose operators run Pulse for every institution. */
  @Nested
  @TestPropertySource(properties = "pulse.security.operators-see-all-tenants=true")
  class WhereOperatorsSeeEveryTenant {

    @LocalServerPort private int port;

    @Test
    void anOperatorReadsAnotherTenantsTrailByName() throws Exception {
      String ursula = TestIdentity.caller("ursula").tenant("audit-other").roles("sre").sign();
      assertThat(ApiClient.post(port, ursula, SERVICES, Map.of()).path("errors")).isEmpty();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (auditRows("audit-other", 1).stream()
              .noneMatch(r -> r.get("subject").asText().equals("ursula"))
          && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      String olga = TestIdentity.caller("olga").tenant("audit-t").roles("operator").sign();
      JsonNode trail = ApiClient.post(port, olga, otherTenantsTrail("audit-other"), Map.of());
      assertThat(trail.path("errors")).as(trail.toString()).isEmpty();
      assertThat(trail.at("/data/auditTrail").findValuesAsText("tenant"))
          .isNotEmpty()
          .containsOnly("audit-other");
      assertThat(trail.at("/data/auditTrail").findValuesAsText("subject"))
          .contains("ursula")
          .doesNotContain("olga");
      // Still only operators.
      assertThat(
              ApiClient.post(port, ursula, otherTenantsTrail("audit-t"), Map.of())
                  .at("/errors/0/extensions/classification")
                  .asText())
          .isEqualTo("FORBIDDEN");
    }
  }
}
