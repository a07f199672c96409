package dev.pulse.api.it;

import static dev.pulse.api.it.MinuteFacts.range;
import static dev.pulse.api.it.MinuteFacts.repeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pulse.api.limits.QueryLimits;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import graphql.execution.instrumentation.ChainedInstrumentation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.tester.AutoConfigureHttpGraphQlTester;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.execution.GraphQlSource;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.Disposable;

/**
 * The whole application against a real ClickHouse 18.16 built by the production migrations:
 * hand-inserted minute facts for two tenants, read back through GraphQL over HTTP and WebSocket.
 * Expected numbers are worked out by hand from the inserted latencies (nearest-rank percentiles,
 * within LatencyBuckets' 1 %).
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureHttpGraphQlTester
class ServiceMetricsIT {

  /** The documented contract of served percentiles: within 1 % of the exact value. */
  private static final double DOCUMENTED_RELATIVE_ERROR = 0.01;

  private static final String TOKEN_A = TestIdentity.sre("tenant-a");
  private static final String TOKEN_B = TestIdentity.sre("tenant-b");
  private static final String TOKEN_C = TestIdentity.sre("tenant-c");

  private static TestClickHouse server;
  private static ClickHouse clickHouse;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "200ms");
  }

  @BeforeAll
  static void migrateAndInsertFacts(TestClickHouse ch) {
    server = ch;
    clickHouse = ch.migratedDatabase();
    List<Integer> tenThroughFortyMs = List.of(10, 20, 30, 40);
    new MinuteFacts()
        // 10:00, GET /courses/{id}: two delta rows (on-time firing, then a late one) = latencies
        // 1..100 ms, 3 5xx, 5 4xx.
        .row(
            "tenant-a",
            "courses-api",
            "/courses/{id}",
            "GET",
            "eu-west",
            "2026-03-02T10:00:00Z",
            range(1, 60),
            2,
            3)
        .row(
            "tenant-a",
            "courses-api",
            "/courses/{id}",
            "GET",
            "eu-west",
            "2026-03-02T10:00:00Z",
            range(61, 100),
            1,
            2)
        // 10:01, GET /courses/{id}/videos: 10 requests of 200 ms, one 4xx.
        .row(
            "tenant-a",
            "courses-api",
            "/courses/{id}/videos",
            "GET",
            "us-east",
            "2026-03-02T10:01:00Z",
            repeat(200, 10),
            0,
            1)
        // 11:30, POST /courses/{id}: 10, 20, 30, 40 ms, one 5xx.
        .row(
            "tenant-a",
            "courses-api",
            "/courses/{id}",
            "POST",
            "eu-west",
            "2026-03-02T11:30:00Z",
            tenThroughFortyMs,
            1,
            0)
        // Next day 09:00: one request of 5 ms.
        .row(
            "tenant-a",
            "courses-api",
            "/courses/{id}",
            "GET",
            "eu-west",
            "2026-03-03T09:00:00Z",
            List.of(5),
            0,
            0)
        // Tenant B uses the same service name: none of this may reach tenant A.
        .row(
            "tenant-b",
            "courses-api",
            "/courses/{id}",
            "GET",
            "eu-west",
            "2026-03-02T10:00:00Z",
            repeat(5000, 7),
            7,
            0)
        .row(
            "tenant-b",
            "billing-api",
            "/invoices",
            "POST",
            "eu-west",
            "2026-03-02T10:00:00Z",
            List.of(300),
            0,
            0)
        .insertInto(clickHouse);
  }

  @Autowired private HttpGraphQlTester anonymous;

  @Autowired private GraphQlSource graphQlSource;

  @LocalServerPort private int port;

  private GraphQlTester as(String token) {
    return anonymous.mutate().header("Authorization", "Bearer " + token).build();
  }

  private static List<Map<String, Object>> points(GraphQlTester.Response response) {
    response.errors().verify();
    return response.path("serviceMetrics.points").entityList(Map.class).get().stream()
        .map(m -> (Map<String, Object>) m)
        .toList();
  }

  private GraphQlTester.Response series(
      String token, String service, String endpoint, String from, String to, String granularity) {
    return as(token)
        .documentName("serviceMetrics")
        .variable("service", service)
        .variable("endpoint", endpoint)
        .variable("from", from)
        .variable("to", to)
        .variable("granularity", granularity)
        .execute();
  }

  private static void assertLatency(Object actualMs, double exactMs) {
    assertThat(((Number) actualMs).doubleValue())
        .isCloseTo(exactMs, within(exactMs * DOCUMENTED_RELATIVE_ERROR));
  }

  @Test
  void minutePointsSumTheDeltaRowsAndGiveHandWorkedPercentiles() {
    List<Map<String, Object>> points =
        points(
            series(
                TOKEN_A,
                "courses-api",
                null,
                "2026-03-02T10:00:00Z",
                "2026-03-02T12:00:00Z",
                null));

    assertThat(points)
        .extracting(p -> p.get("time"))
        .containsExactly("2026-03-02T10:00:00Z", "2026-03-02T10:01:00Z", "2026-03-02T11:30:00Z");
    Map<String, Object> tenOClock = points.get(0);
    assertThat(tenOClock)
        .containsEntry("requests", 100)
        .containsEntry("errors5xx", 3)
        .containsEntry("errors4xx", 5)
        .containsEntry("errorRate", 0.03)
        .containsEntry("maxMs", 100.0);
    // 1..100 ms: nearest rank 50, 95, 99.
    assertLatency(tenOClock.get("p50Ms"), 50);
    assertLatency(tenOClock.get("p95Ms"), 95);
    assertLatency(tenOClock.get("p99Ms"), 99);
    Map<String, Object> post = points.get(2);
    assertThat(post)
        .containsEntry("requests", 4)
        .containsEntry("errorRate", 0.25)
        .containsEntry("maxMs", 40.0);
    // 10, 20, 30, 40 ms: p50 is rank ceil(2) = 20 ms; p95 and p99 rank 4 = 40 ms.
    assertLatency(post.get("p50Ms"), 20);
    assertLatency(post.get("p95Ms"), 40);
    assertLatency(post.get("p99Ms"), 40);
  }

  @Test
  void rangesUpToSixHoursAreServedByMinuteAndTheEndpointFilterNarrows() {
    GraphQlTester.Response response =
        series(
            TOKEN_A,
            "courses-api",
            "/courses/{id}",
            "2026-03-02T09:59:30Z",
            "2026-03-02T12:00:00Z",
            null);
    response.path("serviceMetrics.granularity").entity(String.class).isEqualTo("MINUTE");
    response.path("serviceMetrics.from").entity(String.class).isEqualTo("2026-03-02T09:59:00Z");
    assertThat(points(response))
        .extracting(p -> p.get("time"), p -> p.get("requests"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("2026-03-02T10:00:00Z", 100),
            org.assertj.core.groups.Tuple.tuple("2026-03-02T11:30:00Z", 4));
  }

  @Test
  void aSeriesServesWholeBucketsAndItsFromAndToSayWhichOnes() {
    // [10:30, 11:30) by HOUR: the hours 10:00 and 11:00, each whole, so the series covers
    // 10:00-12:00, and the sum of its points is the total of that covered range.
    GraphQlTester.Response hours =
        series(
            TOKEN_A, "courses-api", null, "2026-03-02T10:30:00Z", "2026-03-02T11:30:00Z", "HOUR");
    hours.path("serviceMetrics.from").entity(String.class).isEqualTo("2026-03-02T10:00:00Z");
    hours.path("serviceMetrics.to").entity(String.class).isEqualTo("2026-03-02T12:00:00Z");
    assertThat(points(hours))
        .extracting(p -> p.get("time"), p -> p.get("requests"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("2026-03-02T10:00:00Z", 110),
            org.assertj.core.groups.Tuple.tuple("2026-03-02T11:00:00Z", 4));
    // [10:00:30, 10:01:30) by MINUTE: the minutes 10:00 and 10:01, whole.
    GraphQlTester.Response minutes =
        series(
            TOKEN_A, "courses-api", null, "2026-03-02T10:00:30Z", "2026-03-02T10:01:30Z", "MINUTE");
    minutes.path("serviceMetrics.from").entity(String.class).isEqualTo("2026-03-02T10:00:00Z");
    minutes.path("serviceMetrics.to").entity(String.class).isEqualTo("2026-03-02T10:02:00Z");
    assertThat(points(minutes))
        .extracting(p -> p.get("time"), p -> p.get("requests"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("2026-03-02T10:00:00Z", 100),
            org.assertj.core.groups.Tuple.tuple("2026-03-02T10:01:00Z", 10));
  }

  @Test
  void hourPointsComeFromTheHourlyRollup() {
    GraphQlTester.Response response =
        series(TOKEN_A, "courses-api", null, "2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z", null);
    response.path("serviceMetrics.granularity").entity(String.class).isEqualTo("HOUR");
    List<Map<String, Object>> points = points(response);
    assertThat(points)
        .extracting(p -> p.get("time"))
        .containsExactly("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "2026-03-03T09:00:00Z");
    Map<String, Object> ten = points.get(0);
    // 10:00 + 10:01: 1..100 ms and ten of 200 ms = 110 requests, 3 5xx, 6 4xx.
    assertThat(ten)
        .containsEntry("requests", 110)
        .containsEntry("errors5xx", 3)
        .containsEntry("errors4xx", 6)
        .containsEntry("maxMs", 200.0);
    assertThat(((Number) ten.get("errorRate")).doubleValue()).isEqualTo(3.0 / 110);
    assertLatency(ten.get("p50Ms"), 55); // rank 55 of 1..100
    assertLatency(ten.get("p95Ms"), 200); // rank 105 > 100: among the 200 ms
    assertLatency(ten.get("p99Ms"), 200);
  }

  @Test
  void dayPointsComeFromTheDailyRollup() {
    List<Map<String, Object>> points =
        points(
            series(
                TOKEN_A,
                "courses-api",
                null,
                "2026-03-02T00:00:00Z",
                "2026-03-04T00:00:00Z",
                "DAY"));
    assertThat(points)
        .extracting(p -> p.get("time"))
        .containsExactly("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z");
    Map<String, Object> monday = points.get(0);
    assertThat(monday)
        .containsEntry("requests", 114)
        .containsEntry("errors5xx", 4)
        .containsEntry("errors4xx", 6)
        .containsEntry("maxMs", 200.0);
    // 1..100 plus 10, 20, 30, 40 plus ten 200s: rank 57 is 53 ms (53 values of 1..53 and 10, 20,
    // 30, 40).
    assertLatency(monday.get("p50Ms"), 53);
    assertLatency(monday.get("p95Ms"), 200);
    assertThat(points.get(1)).containsEntry("requests", 1).containsEntry("maxMs", 5.0);
    assertLatency(points.get(1).get("p99Ms"), 5);
  }

  @Test
  void eachTenantSeesOnlyItsOwnNumbersForTheSameServiceName() {
    List<Map<String, Object>> b =
        points(
            series(
                TOKEN_B,
                "courses-api",
                null,
                "2026-03-02T10:00:00Z",
                "2026-03-02T12:00:00Z",
                null));
    assertThat(b).hasSize(1);
    assertThat(b.get(0))
        .containsEntry("time", "2026-03-02T10:00:00Z")
        .containsEntry("requests", 7)
        .containsEntry("errors5xx", 7)
        .containsEntry("errorRate", 1.0)
        .containsEntry("maxMs", 5000.0);
    assertLatency(b.get(0).get("p95Ms"), 5000);
    // Tenant A's 10:00 is still exactly its own 100 requests (not 107).
    assertThat(
            points(
                series(
                    TOKEN_A,
                    "courses-api",
                    null,
                    "2026-03-02T10:00:00Z",
                    "2026-03-02T10:01:00Z",
                    null)))
        .singleElement()
        .satisfies(p -> assertThat(p).containsEntry("requests", 100));
    // Tenant B's other service does not exist for tenant A.
    assertThat(
            points(
                series(
                    TOKEN_A,
                    "billing-api",
                    null,
                    "2026-03-02T00:00:00Z",
                    "2026-03-04T00:00:00Z",
                    null)))
        .isEmpty();
  }

  @Test
  void theQueryLimitsAreTheSchemasOnlyInstrumentation() {
    // Spring chains every instrumentation bean; each one more costs every field a turn.
    assertThat(graphQlSource.graphQl().getInstrumentation())
        .isInstanceOfSatisfying(
            ChainedInstrumentation.class,
            chain ->
                assertThat(chain.getInstrumentations())
                    .singleElement()
                    .isInstanceOf(QueryLimits.class));
  }

  @Test
  void servicesListsTheCallersServicesWithEndpointsAndMethods() {
    as(TOKEN_A)
        .documentName("services")
        .execute()
        .errors()
        .verify()
        .path("services[*].name")
        .entityList(String.class)
        .containsExactly("courses-api")
        .path("services[0].endpoints[0].path")
        .entity(String.class)
        .isEqualTo("/courses/{id}")
        .path("services[0].endpoints[0].methods")
        .entityList(String.class)
        .containsExactly("GET", "POST")
        .path("services[0].endpoints[1].path")
        .entity(String.class)
        .isEqualTo("/courses/{id}/videos");
    as(TOKEN_B)
        .documentName("services")
        .execute()
        .path("services[*].name")
        .entityList(String.class)
        .containsExactly("billing-api", "courses-api");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x' OR 1=1 --",
        "\\'",
        "\\",
        "'; SELECT * FROM api_request_minutes; --",
        "); DROP TABLE api_request_minutes; --",
        "courses-api' OR tenant_id = 'tenant-b",
        "courses-api\\' OR 1=1 --",
        "\"courses-api\"",
        "courses-api\u0000",
        "`api_request_minutes`",
        "{service:String}"
      })
  void hostileStringArgumentsReturnACleanEmptyResult(String hostile) {
    assertThat(
            points(
                series(
                    TOKEN_A, hostile, null, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", null)))
        .isEmpty();
    assertThat(
            points(
                series(
                    TOKEN_A,
                    "courses-api",
                    hostile,
                    "2026-03-02T00:00:00Z",
                    "2026-03-03T00:00:00Z",
                    null)))
        .isEmpty();
    // The table is intact and still answers for the real service.
    assertThat(
            points(
                series(
                    TOKEN_A,
                    "courses-api",
                    null,
                    "2026-03-02T10:00:00Z",
                    "2026-03-02T10:01:00Z",
                    null)))
        .hasSize(1);
  }

  private WebSocketGraphQlTester webSocket(String token) {
    return ApiClient.webSocket(port, token);
  }

  private static MinuteFacts amendedApiRow(String minute, List<Integer> latenciesMs) {
    return new MinuteFacts()
        .row("tenant-c", "amended-api", "/a", "GET", "eu-west", minute, latenciesMs, 0, 0);
  }

  @Test
  void aLateDeltaForAMinuteOlderThanTheNewestSentIsStillSentWithTheCorrectedTotal()
      throws Exception {
    amendedApiRow("2026-03-02T10:03:00Z", List.of(10)).insertInto(clickHouse);
    amendedApiRow("2026-03-02T10:05:00Z", List.of(10)).insertInto(clickHouse);
    WebSocketGraphQlTester ws = webSocket(TOKEN_C);
    BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
    Disposable subscription =
        ws.documentName("serviceMetricsUpdates")
            .variable("service", "amended-api")
            .executeSubscription()
            .toFlux("serviceMetricsUpdates", Map.class)
            .subscribe(p -> received.add((Map<String, Object>) p));
    try {
      assertThat(received.poll(20, TimeUnit.SECONDS))
          .containsEntry("time", "2026-03-02T10:05:00Z")
          .containsEntry("requests", 1);
      amendedApiRow("2026-03-02T10:06:00Z", List.of(10, 20)).insertInto(clickHouse);
      // 10:03 is not sent again while it does not change: the next point is the new minute.
      assertThat(received.poll(20, TimeUnit.SECONDS))
          .containsEntry("time", "2026-03-02T10:06:00Z")
          .containsEntry("requests", 2);
      // Rows for 10:03 become visible after 10:06 was sent (another committer, or a late
      // delta): the subscriber gets 10:03 again with its new total, 1 + 2 requests.
      amendedApiRow("2026-03-02T10:03:00Z", List.of(30, 700)).insertInto(clickHouse);
      assertThat(received.poll(20, TimeUnit.SECONDS))
          .containsEntry("time", "2026-03-02T10:03:00Z")
          .containsEntry("requests", 3)
          .containsEntry("maxMs", 700.0);
      assertThat(received.poll(1, TimeUnit.SECONDS)).isNull();
    } finally {
      subscription.dispose();
      ws.stop().block(Duration.ofSeconds(5));
    }
  }

  @Test
  void theSubscriptionSendsTheLatestMinuteThenNewAndAmendedMinutesAsTheyAreInserted()
      throws Exception {
    new MinuteFacts()
        .row(
            "tenant-c",
            "live-api",
            "/live",
            "GET",
            "eu-west",
            "2026-03-02T10:00:00Z",
            List.of(10),
            0,
            0)
        .insertInto(clickHouse);
    WebSocketGraphQlTester ws = webSocket(TOKEN_C);
    BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
    Disposable subscription =
        ws.documentName("serviceMetricsUpdates")
            .variable("service", "live-api")
            .executeSubscription()
            .toFlux("serviceMetricsUpdates", Map.class)
            .subscribe(p -> received.add((Map<String, Object>) p));
    try {
      List<Map<String, Object>> seen = new ArrayList<>();
      seen.add(received.poll(20, TimeUnit.SECONDS));
      assertThat(seen.get(0))
          .containsEntry("time", "2026-03-02T10:00:00Z")
          .containsEntry("requests", 1);

      new MinuteFacts()
          .row(
              "tenant-c",
              "live-api",
              "/live",
              "GET",
              "eu-west",
              "2026-03-02T10:01:00Z",
              List.of(20, 30, 40),
              1,
              0)
          .insertInto(clickHouse);
      seen.add(received.poll(20, TimeUnit.SECONDS));
      assertThat(seen.get(1))
          .containsEntry("time", "2026-03-02T10:01:00Z")
          .containsEntry("requests", 3)
          .containsEntry("errors5xx", 1)
          .containsEntry("maxMs", 40.0);

      // A late delta for the same minute: the minute is sent again with the new total.
      new MinuteFacts()
          .row(
              "tenant-c",
              "live-api",
              "/live",
              "GET",
              "eu-west",
              "2026-03-02T10:01:00Z",
              List.of(50),
              0,
              0)
          .insertInto(clickHouse);
      seen.add(received.poll(20, TimeUnit.SECONDS));
      assertThat(seen.get(2))
          .containsEntry("time", "2026-03-02T10:01:00Z")
          .containsEntry("requests", 4)
          .containsEntry("maxMs", 50.0);
      // Another tenant's rows for the same service never arrive.
      new MinuteFacts()
          .row(
              "tenant-d",
              "live-api",
              "/live",
              "GET",
              "eu-west",
              "2026-03-02T10:02:00Z",
              List.of(10),
              0,
              0)
          .insertInto(clickHouse);
      assertThat(received.poll(1, TimeUnit.SECONDS)).isNull();
    } finally {
      subscription.dispose();
      ws.stop().block(Duration.ofSeconds(5));
    }
  }
}
