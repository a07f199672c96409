package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.tester.AutoConfigureHttpGraphQlTester;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Late events beside a series, through GraphQL over HTTP against a real ClickHouse 18.16 built by
 * the production migrations: hand-inserted rows of api_requests_late, counted per series and per
 * bucket for the caller's tenant and filters, each event id once, over exactly the buckets the
 * series covers. Every expected count is worked out by hand from the rows below.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureHttpGraphQlTester
class LateEventsIT {

  private static final String TOKEN_A = TestIdentity.sre("tenant-a");
  private static final String TOKEN_B = TestIdentity.sre("tenant-b");

  private static TestClickHouse server;
  private static ClickHouse clickHouse;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
  }

  @BeforeAll
  static void insertFactsAndLateEvents(TestClickHouse ch) {
    server = ch;
    clickHouse = ch.migratedDatabase();
    // Keep the stored copies of dup-1 in their own parts: a merge would collapse the identical
    // ones, and the test would no longer show that a duplicate is counted once.
    clickHouse.execute("SYSTEM STOP MERGES api_requests_late");
    new MinuteFacts()
        .row(
            "tenant-a",
            "orders-api",
            "/orders",
            "GET",
            "eu-west",
            "2026-03-02T10:00:00Z",
            List.of(10, 20, 30),
            0,
            0)
        .row(
            "tenant-a",
            "orders-api",
            "/orders",
            "GET",
            "eu-west",
            "2026-03-02T10:02:00Z",
            List.of(10, 20),
            0,
            0)
        .insertInto(clickHouse);
    new LateEvents()
        // In [10:00, 10:30) for tenant-a, orders-api: dup-1, late-2 (10:00), late-3 (10:01, a
        // minute whose events were all late: no point), late-4 (10:29), late-8 (10:03, another
        // endpoint, method and region).
        .key("tenant-a", "orders-api", "/orders", "GET", "eu-west")
        .event("dup-1", "2026-03-02T10:00:15.250Z")
        .event("late-2", "2026-03-02T10:00:59.999Z")
        .event("late-3", "2026-03-02T10:01:00.000Z")
        .event("late-4", "2026-03-02T10:29:59.000Z")
        // Just outside [10:00, 10:30): at its end and just before its start.
        .event("late-5", "2026-03-02T10:30:00.000Z")
        .event("late-6", "2026-03-02T09:59:59.999Z")
        // The next UTC day.
        .event("late-7", "2026-03-03T00:00:00Z")
        .key("tenant-a", "orders-api", "/orders/{id}", "POST", "us-east")
        .event("late-8", "2026-03-02T10:03:00Z")
        // Another tenant, same service and key: never tenant-a's.
        .key("tenant-b", "orders-api", "/orders", "GET", "eu-west")
        .event("other-1", "2026-03-02T10:05:00Z")
        .insertInto(clickHouse);
    new LateEvents()
        // dup-1 again: the at-least-once sink replayed it (identical row, another part), and a
        // copy the producer re-stamped on retry (another event time in the same minute, which
        // ReplacingMergeTree never collapses, FINAL or not).
        .key("tenant-a", "orders-api", "/orders", "GET", "eu-west")
        .event("dup-1", "2026-03-02T10:00:15.250Z")
        .event("dup-1", "2026-03-02T10:00:40.000Z")
        .insertInto(clickHouse);
    // The fault is really there: three stored copies of dup-1.
    assertThat(
            clickHouse
                .query("SELECT count() AS n FROM api_requests_late WHERE event_id = 'dup-1'")
                .get(0)
                .get("n")
                .asLong())
        .isEqualTo(3);
  }

  @AfterAll
  static void restartMerges() {
    clickHouse.execute("SYSTEM START MERGES api_requests_late");
  }

  @Autowired private HttpGraphQlTester anonymous;

  private GraphQlTester.Response series(
      String token,
      String endpoint,
      String method,
      String region,
      String from,
      String to,
      String granularity) {
    GraphQlTester.Response response =
        anonymous
            .mutate()
            .header("Authorization", "Bearer " + token)
            .build()
            .documentName("serviceMetricsLateEvents")
            .variable("service", "orders-api")
            .variable("endpoint", endpoint)
            .variable("method", method)
            .variable("region", region)
            .variable("from", from)
            .variable("to", to)
            .variable("granularity", granularity)
            .execute();
    response.errors().verify();
    return response;
  }

  private static long lateEvents(GraphQlTester.Response response) {
    return response.path("serviceMetrics.lateEvents").entity(Long.class).get();
  }

  private static List<Map<String, Object>> buckets(GraphQlTester.Response response) {
    return response.path("serviceMetrics.lateEventsByBucket").entityList(Map.class).get().stream()
        .map(m -> (Map<String, Object>) m)
        .toList();
  }

  @Test
  void aMinuteSeriesCountsItsTenantsLateEventsOncePerEventIdInsideItsRange() {
    GraphQlTester.Response r =
        series(TOKEN_A, null, null, null, "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", null);
    r.path("serviceMetrics.granularity").entity(String.class).isEqualTo("MINUTE");
    // dup-1 (three copies), late-2, late-3, late-4, late-8; not late-5, late-6, late-7, other-1.
    assertThat(lateEvents(r)).isEqualTo(5);
    assertThat(buckets(r))
        .extracting(b -> b.get("time"), b -> b.get("lateEvents"))
        .containsExactly(
            tuple("2026-03-02T10:00:00Z", 2),
            tuple("2026-03-02T10:01:00Z", 1),
            tuple("2026-03-02T10:03:00Z", 1),
            tuple("2026-03-02T10:29:00Z", 1));
    // The points are the on-time facts only: 10:01 has late events but no point.
    assertThat(r.path("serviceMetrics.points").entityList(Map.class).get())
        .extracting(p -> p.get("time"), p -> p.get("requests"))
        .containsExactly(tuple("2026-03-02T10:00:00Z", 3), tuple("2026-03-02T10:02:00Z", 2));
  }

  @Test
  void theEndpointMethodAndRegionFiltersNarrowTheLateEventsAsTheyNarrowThePoints() {
    String from = "2026-03-02T10:00:00Z";
    String to = "2026-03-02T10:30:00Z";
    assertThat(lateEvents(series(TOKEN_A, "/orders", null, null, from, to, null))).isEqualTo(4);
    assertThat(lateEvents(series(TOKEN_A, null, "POST", null, from, to, null))).isEqualTo(1);
    GraphQlTester.Response usEast = series(TOKEN_A, null, null, "us-east", from, to, null);
    assertThat(lateEvents(usEast)).isEqualTo(1);
    assertThat(buckets(usEast))
        .extracting(b -> b.get("time"))
        .containsExactly("2026-03-02T10:03:00Z");
    assertThat(lateEvents(series(TOKEN_A, "/orders/{id}", "GET", null, from, to, null))).isZero();
  }

  @Test
  void eachTenantCountsOnlyItsOwnLateEvents() {
    GraphQlTester.Response b =
        series(TOKEN_B, null, null, null, "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", null);
    assertThat(lateEvents(b)).isEqualTo(1);
    assertThat(buckets(b))
        .extracting(x -> x.get("time"), x -> x.get("lateEvents"))
        .containsExactly(tuple("2026-03-02T10:05:00Z", 1));
  }

  @Test
  void anHourSeriesCountsTheLateEventsOfTheWholeHoursItCovers() {
    // [10:15, 10:45) by HOUR covers the whole hour 10:00-11:00, late-5 at 10:30 included.
    GraphQlTester.Response r =
        series(TOKEN_A, null, null, null, "2026-03-02T10:15:00Z", "2026-03-02T10:45:00Z", "HOUR");
    r.path("serviceMetrics.from").entity(String.class).isEqualTo("2026-03-02T10:00:00Z");
    r.path("serviceMetrics.to").entity(String.class).isEqualTo("2026-03-02T11:00:00Z");
    assertThat(lateEvents(r)).isEqualTo(6);
    assertThat(buckets(r))
        .extracting(b -> b.get("time"), b -> b.get("lateEvents"))
        .containsExactly(tuple("2026-03-02T10:00:00Z", 6));
  }

  @Test
  void aDaySeriesBucketsLateEventsByUtcDay() {
    GraphQlTester.Response r =
        series(TOKEN_A, null, null, null, "2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z", "DAY");
    // 2026-03-02: all of tenant-a's but late-7; 2026-03-03: late-7.
    assertThat(lateEvents(r)).isEqualTo(8);
    assertThat(buckets(r))
        .extracting(b -> b.get("time"), b -> b.get("lateEvents"))
        .containsExactly(tuple("2026-03-02T00:00:00Z", 7), tuple("2026-03-03T00:00:00Z", 1));
  }
}
