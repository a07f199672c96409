package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * SLOs through GraphQL against the running application and the real SLO tables (evaluations and
 * alert changes written here as the evaluation writes them, every expected number worked out by
 * hand in the comments): the list least budget first with the rows firing now, one SLO's budget
 * burn-down per minute and in coarser buckets, its burn rates and alert history, the live status,
 * and nothing of another tenant; educators and bad arguments refused.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SloIT {

  private static TestClickHouse server;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "200ms");
  }

  @LocalServerPort private int port;

  private static final String TENANT = "slo-it";
  private static final String SRE = TestIdentity.sre(TENANT);
  private static final String ANALYST =
      TestIdentity.caller("ana").tenant(TENANT).roles("analyst").sign();
  private static final String EDUCATOR =
      TestIdentity.caller("erin").tenant(TENANT).roles("educator").courses("c-1").sign();

  private static final String SESSIONS = "sessions-api-availability";
  private static final String COURSES = "courses-api-latency";
  private static final String GRADES = "grades-api-uptime";

  private static final Instant M0 = Instant.parse("2026-03-02T10:00:00Z");

  @BeforeAll
  static void evaluations(TestClickHouse ch) {
    server = ch;
    ClickHouse db = ch.migratedDatabase();
    // sessions-api-availability, 99.9 % over 30 days: minutes 10:00 .. 10:09, each with 1,000,000
    // eligible events in the window (a budget of 1000) and 125 more bad ones than the minute
    // before: remaining 1 - 125 i / 1000 = 1 - 0.125 i (1 at 10:00, 0 at 10:08, -0.125 at 10:09);
    // burn rates 2i (5m), 1.5i (30m), 0.5i (1h), 0.25i (2h), 0.125i (6h), 0.0625i (1d), 0.03125i
    // (3d).
    for (int i = 0; i < 10; i++) {
      Instant minute = M0.plus(Duration.ofMinutes(i));
      db.execute(
          status(
              TENANT,
              SESSIONS,
              "sessions-api",
              minute,
              0.999,
              minute.plusSeconds(60).minus(Duration.ofDays(30)),
              1_000_000,
              125L * i,
              1 - 0.125 * i,
              new double[] {2 * i, 1.5 * i, 0.5 * i, 0.25 * i, 0.125 * i, 0.0625 * i, 0.03125 * i},
              "2026-03-02 11:00:00"));
    }
    // An earlier attempt's copy of 10:09 (before a restore): FINAL keeps the later one.
    db.execute(
        status(
            TENANT,
            SESSIONS,
            "sessions-api",
            M0.plus(Duration.ofMinutes(9)),
            0.999,
            M0.plus(Duration.ofMinutes(10)).minus(Duration.ofDays(30)),
            1_000_000,
            500,
            0.5,
            new double[7],
            "2026-03-02 10:59:00"));
    // courses-api-latency, 99 % over 28 days, latest at 10:05: 5 bad of 5000 = 0.9 left.
    db.execute(
        status(
            TENANT,
            COURSES,
            "courses-api",
            M0.plus(Duration.ofMinutes(5)),
            0.99,
            M0.plus(Duration.ofMinutes(6)).minus(Duration.ofDays(28)),
            5000,
            5,
            0.9,
            new double[] {1, 1, 0.5, 0.5, 0.25, 0.25, 0.125},
            "2026-03-02 11:00:00"));
    // grades-api-uptime, Timeslices in the calendar month: 3 bad slices of 2000 at 99.9 % (a budget
    // of 2): -0.5 left at 09:30; the evaluation before it had 0 left.
    db.execute(
        status(
            TENANT,
            GRADES,
            "grades-api",
            Instant.parse("2026-03-02T09:29:00Z"),
            0.999,
            Instant.parse("2026-03-01T00:00:00Z"),
            1999,
            2,
            0,
            new double[7],
            "2026-03-02 11:00:00"));
    db.execute(
        status(
            TENANT,
            GRADES,
            "grades-api",
            Instant.parse("2026-03-02T09:30:00Z"),
            0.999,
            Instant.parse("2026-03-01T00:00:00Z"),
            2000,
            3,
            -0.5,
            new double[] {0, 0, 0, 0, 0, 0, 1.5},
            "2026-03-02 11:00:00"));
    // Another tenant: the same SLO name later and worse, an SLO of its own, a firing page.
    db.execute(
        status(
            "slo-other",
            SESSIONS,
            "sessions-api",
            M0.plus(Duration.ofMinutes(30)),
            0.999,
            M0,
            10,
            10,
            -5,
            new double[] {99, 99, 99, 99, 99, 99, 99},
            "2026-03-02 11:00:00"));
    db.execute(
        status(
            "slo-other",
            "other-only-slo",
            "x",
            M0,
            0.9,
            M0,
            1,
            1,
            -9,
            new double[7],
            "2026-03-02 11:00:00"));
    db.execute(alert("slo-other", SESSIONS, "page-fast", "firing", "10:20", "10:20", 99, 99));

    // sessions-api-availability's alerts: page-fast fired at 10:03 and resolved at 10:08;
    // page-slow fired at 10:05 and ticket-fast at 10:06 (written twice, as after a restore), both
    // still firing.
    db.execute(alert(TENANT, SESSIONS, "page-fast", "firing", "10:03", "10:03", 15, 20));
    db.execute(alert(TENANT, SESSIONS, "page-slow", "firing", "10:05", "10:05", 6.5, 9));
    db.execute(alert(TENANT, SESSIONS, "ticket-fast", "firing", "10:06", "10:06", 3.5, 4));
    db.execute(alert(TENANT, SESSIONS, "ticket-fast", "firing", "10:06", "10:06", 3.5, 4));
    db.execute(alert(TENANT, SESSIONS, "page-fast", "resolved", "10:08", "10:03", 12, 0));
    // courses-api-latency: a page that fired and resolved; grades-api-uptime: a slow ticket.
    db.execute(alert(TENANT, COURSES, "page-fast", "firing", "09:00", "09:00", 15, 15));
    db.execute(alert(TENANT, COURSES, "page-fast", "resolved", "09:10", "09:00", 2, 0));
    db.execute(alert(TENANT, GRADES, "ticket-slow", "firing", "09:20", "09:20", 1.5, 2));
  }

  private static String status(
      String tenant,
      String slo,
      String service,
      Instant minute,
      double objective,
      Instant windowStart,
      long eligible,
      long bad,
      double remaining,
      double[] burns,
      String insertedAt) {
    StringBuilder b = new StringBuilder();
    for (double burn : burns) {
      b.append(", ").append(burn);
    }
    return "INSERT INTO slo_status (tenant_id, slo, service, minute, good, total, objective,"
        + " window_start, eligible, bad, remaining, burn_5m, burn_30m, burn_1h, burn_2h, burn_6h,"
        + " burn_1d, burn_3d, inserted_at) VALUES ('%s', '%s', '%s', toDateTime(%d), 0, 0, %s,"
            .formatted(tenant, slo, service, minute.getEpochSecond(), objective)
        + " toDateTime(%d), %d, %d, %s%s, toDateTime('%s', 'UTC'))"
            .formatted(windowStart.getEpochSecond(), eligible, bad, remaining, b, insertedAt);
  }

  /** A change of {@code row} on 2 March 2026 at {@code at} (HH:MM), with the row's table values. */
  private static String alert(
      String tenant,
      String slo,
      String row,
      String state,
      String at,
      String since,
      double burnLong,
      double burnShort) {
    String severity = row.startsWith("page") ? "page" : "ticket";
    Map<String, String> table =
        Map.of(
            "page-fast", "14.4, 60, 5",
            "page-slow", "6, 360, 30",
            "ticket-fast", "3, 1440, 120",
            "ticket-slow", "1, 4320, 360");
    return ("INSERT INTO slo_alerts (tenant_id, slo, service, alert_row, severity, state, at,"
            + " since, threshold, long_window_minutes, short_window_minutes, burn_long,"
            + " burn_short, objective) VALUES ('%s', '%s', 's', '%s', '%s', '%s',"
            + " toDateTime('2026-03-02 %s:00', 'UTC'), toDateTime('2026-03-02 %s:00', 'UTC'), %s,"
            + " %s, %s, 0.999)")
        .formatted(
            tenant, slo, row, severity, state, at, since, table.get(row), burnLong, burnShort);
  }

  private JsonNode ask(String token, String query) throws Exception {
    JsonNode answer = ApiClient.post(port, token, query, Map.of());
    assertThat(answer.path("errors")).as(answer.toString()).isEmpty();
    return answer.get("data");
  }

  private String refusal(String token, String query) throws Exception {
    JsonNode answer = ApiClient.post(port, token, query, Map.of());
    assertThat(answer.at("/errors/0/message").asText()).as(answer.toString()).isNotBlank();
    return answer.at("/errors/0/extensions/classification").asText();
  }

  private static final String STATUS =
      "name service objective windowStart eligible bad remainingBudget burnRates { window rate }"
          + " evaluatedAt firing { row severity state at since threshold longWindowMinutes"
          + " shortWindowMinutes burnLong burnShort }";

  @Test
  void theListHasEachSloAtItsLatestEvaluationLeastBudgetFirstWithTheRowsFiringNow()
      throws Exception {
    JsonNode slos = ask(SRE, "{ slos { " + STATUS + " } }").get("slos");
    // -0.5 (grades), -0.125 (sessions), 0.9 (courses); nothing of slo-other.
    assertThat(slos.findValuesAsText("name")).containsExactly(GRADES, SESSIONS, COURSES);

    JsonNode sessions = slos.get(1);
    assertThat(sessions.get("service").asText()).isEqualTo("sessions-api");
    assertThat(sessions.get("objective").asDouble()).isEqualTo(0.999);
    // The latest minute is 10:09 (not slo-other's 10:30), its later copy (not the 0.5 one).
    assertThat(sessions.get("evaluatedAt").asText()).isEqualTo("2026-03-02T10:10:00Z");
    assertThat(sessions.get("windowStart").asText()).isEqualTo("2026-01-31T10:10:00Z");
    assertThat(sessions.get("eligible").asLong()).isEqualTo(1_000_000);
    assertThat(sessions.get("bad").asLong()).isEqualTo(1125);
    assertThat(sessions.get("remainingBudget").asDouble()).isEqualTo(-0.125);
    // i = 9: 18, 13.5, 4.5, 2.25, 1.125, 0.5625, 0.28125.
    assertThat(sessions.get("burnRates").toString())
        .isEqualTo(
            "[{\"window\":\"5m\",\"rate\":18.0},{\"window\":\"30m\",\"rate\":13.5},"
                + "{\"window\":\"1h\",\"rate\":4.5},{\"window\":\"2h\",\"rate\":2.25},"
                + "{\"window\":\"6h\",\"rate\":1.125},{\"window\":\"1d\",\"rate\":0.5625},"
                + "{\"window\":\"3d\",\"rate\":0.28125}]");
    // page-fast resolved at 10:08; page-slow and ticket-fast (once) fire.
    assertThat(sessions.get("firing").findValuesAsText("row"))
        .containsExactly("page-slow", "ticket-fast");
    JsonNode pageSlow = sessions.at("/firing/0");
    assertThat(pageSlow.get("severity").asText()).isEqualTo("page");
    assertThat(pageSlow.get("state").asText()).isEqualTo("firing");
    assertThat(pageSlow.get("at").asText()).isEqualTo("2026-03-02T10:05:00Z");
    assertThat(pageSlow.get("since").asText()).isEqualTo("2026-03-02T10:05:00Z");
    assertThat(pageSlow.get("threshold").asDouble()).isEqualTo(6.0);
    assertThat(pageSlow.get("longWindowMinutes").asInt()).isEqualTo(360);
    assertThat(pageSlow.get("shortWindowMinutes").asInt()).isEqualTo(30);
    assertThat(pageSlow.get("burnLong").asDouble()).isEqualTo(6.5);
    assertThat(pageSlow.get("burnShort").asDouble()).isEqualTo(9.0);

    JsonNode grades = slos.get(0);
    assertThat(grades.get("remainingBudget").asDouble()).isEqualTo(-0.5);
    assertThat(grades.get("evaluatedAt").asText()).isEqualTo("2026-03-02T09:31:00Z");
    assertThat(grades.get("windowStart").asText()).isEqualTo("2026-03-01T00:00:00Z");
    assertThat(grades.get("firing").findValuesAsText("row")).containsExactly("ticket-slow");
    JsonNode courses = slos.get(2);
    assertThat(courses.get("remainingBudget").asDouble()).isEqualTo(0.9);
    assertThat(courses.get("firing")).isEmpty();

    // Analysts read them too; a tenant without SLOs has none.
    assertThat(ask(ANALYST, "{ slos { name } }").get("slos")).hasSize(3);
    assertThat(ask(TestIdentity.sre("slo-nobody"), "{ slos { name } }").get("slos")).isEmpty();
  }

  @Test
  void oneSloHasTheListsNumbersAndNothingOfAnotherTenant() throws Exception {
    JsonNode slo = ask(SRE, "{ slo(name: \"" + SESSIONS + "\") { " + STATUS + " } }").get("slo");
    JsonNode listed = ask(SRE, "{ slos { " + STATUS + " } }").get("slos").get(1);
    assertThat(slo).isEqualTo(listed);
    // Another tenant's SLO is not this tenant's; an unknown one is null.
    assertThat(ask(SRE, "{ slo(name: \"other-only-slo\") { name } }").get("slo").isNull()).isTrue();
    assertThat(ask(SRE, "{ slo(name: \"nope\") { name } }").get("slo").isNull()).isTrue();
    JsonNode theirs =
        ask(TestIdentity.sre("slo-other"), "{ slo(name: \"" + SESSIONS + "\") { " + STATUS + " } }")
            .get("slo");
    assertThat(theirs.get("remainingBudget").asDouble()).isEqualTo(-5.0);
    assertThat(theirs.get("firing").findValuesAsText("row")).containsExactly("page-fast");
  }

  private JsonNode burnDown(String arguments) throws Exception {
    return ask(
            SRE,
            "{ slo(name: \""
                + SESSIONS
                + "\") { budgetBurnDown"
                + arguments
                + " { from to bucketMinutes points { time evaluatedAt remainingBudget eligible bad"
                + " } } } }")
        .at("/slo/budgetBurnDown");
  }

  @Test
  void theBudgetBurnDownHasOnePointPerMinuteOrTheLastEvaluationOfEachBucket() throws Exception {
    JsonNode minutes = burnDown("(from: \"2026-03-02T10:00:00Z\", to: \"2026-03-02T10:10:00Z\")");
    assertThat(minutes.get("bucketMinutes").asInt()).isEqualTo(1);
    JsonNode points = minutes.get("points");
    assertThat(points).hasSize(10);
    for (int i = 0; i < 10; i++) {
      JsonNode p = points.get(i);
      assertThat(p.get("time").asText()).isEqualTo(M0.plus(Duration.ofMinutes(i)).toString());
      assertThat(p.get("evaluatedAt").asText())
          .isEqualTo(M0.plus(Duration.ofMinutes(i + 1)).toString());
      assertThat(p.get("remainingBudget").asDouble()).isEqualTo(1 - 0.125 * i);
      assertThat(p.get("bad").asLong()).isEqualTo(125L * i);
      assertThat(p.get("eligible").asLong()).isEqualTo(1_000_000);
    }
    // The minutes that start in [10:02:30, 10:05): 10:03 and 10:04.
    assertThat(
            burnDown("(from: \"2026-03-02T10:02:30Z\", to: \"2026-03-02T10:05:00Z\")")
                .get("points")
                .findValuesAsText("remainingBudget"))
        .containsExactly("0.625", "0.5");

    // Two days: 2880 minutes are more than 1500 points; by 2 minutes 1440 fit. Each bucket's last
    // evaluation: 10:01 (0.875), 10:03 (0.625), 10:05 (0.375), 10:07 (0.125), 10:09 (-0.125).
    JsonNode twoDays = burnDown("(from: \"2026-03-01T10:00:00Z\", to: \"2026-03-03T10:00:00Z\")");
    assertThat(twoDays.get("bucketMinutes").asInt()).isEqualTo(2);
    assertThat(twoDays.get("points").findValuesAsText("time"))
        .containsExactly(
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:02:00Z",
            "2026-03-02T10:04:00Z",
            "2026-03-02T10:06:00Z",
            "2026-03-02T10:08:00Z");
    assertThat(twoDays.get("points").findValuesAsText("evaluatedAt"))
        .containsExactly(
            "2026-03-02T10:02:00Z",
            "2026-03-02T10:04:00Z",
            "2026-03-02T10:06:00Z",
            "2026-03-02T10:08:00Z",
            "2026-03-02T10:10:00Z");
    assertThat(twoDays.get("points").findValuesAsText("remainingBudget"))
        .containsExactly("0.875", "0.625", "0.375", "0.125", "-0.125");

    // Without a range: the SLO window, 30 days = 43,200 minutes, by 30 minutes (1441 buckets, the
    // window starting at 10:10): one point, the 10:00 bucket's last evaluation (10:09).
    JsonNode window = burnDown("");
    assertThat(window.get("from").asText()).isEqualTo("2026-01-31T10:10:00Z");
    assertThat(window.get("to").asText()).isEqualTo("2026-03-02T10:10:00Z");
    assertThat(window.get("bucketMinutes").asInt()).isEqualTo(30);
    assertThat(window.get("points")).hasSize(1);
    assertThat(window.at("/points/0/time").asText()).isEqualTo("2026-03-02T10:00:00Z");
    assertThat(window.at("/points/0/evaluatedAt").asText()).isEqualTo("2026-03-02T10:10:00Z");
    assertThat(window.at("/points/0/remainingBudget").asDouble()).isEqualTo(-0.125);
    // 60 days: 30-minute buckets would be 2880; hours are 1440.
    assertThat(
            burnDown("(from: \"2026-02-01T00:00:00Z\", to: \"2026-04-02T00:00:00Z\")")
                .get("bucketMinutes")
                .asInt())
        .isEqualTo(60);
  }

  @Test
  void aBurnRateSeriesFollowsOneWindow() throws Exception {
    JsonNode series =
        ask(
                SRE,
                "{ slo(name: \""
                    + SESSIONS
                    + "\") { hour: burnRateSeries(window: \"1h\", from:"
                    + " \"2026-03-02T10:00:00Z\", to: \"2026-03-02T10:10:00Z\") { window"
                    + " bucketMinutes points { time rate } } days: burnRateSeries(window: \"3d\")"
                    + " { bucketMinutes points { evaluatedAt rate } } } }")
            .get("slo");
    assertThat(series.at("/hour/window").asText()).isEqualTo("1h");
    assertThat(series.at("/hour/bucketMinutes").asInt()).isEqualTo(1);
    // 0.5 i over 1h.
    List<Double> rates = new ArrayList<>();
    series.at("/hour/points").forEach(p -> rates.add(p.get("rate").asDouble()));
    assertThat(rates).containsExactly(0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5);
    // Over the SLO window by 30 minutes: 10:09's 3d rate, 9 x 0.03125.
    assertThat(series.at("/days/bucketMinutes").asInt()).isEqualTo(30);
    assertThat(series.at("/days/points/0/rate").asDouble()).isEqualTo(0.28125);
    assertThat(series.at("/days/points")).hasSize(1);
  }

  private JsonNode history(String arguments) throws Exception {
    return ask(
            SRE,
            "{ slo(name: \""
                + SESSIONS
                + "\") { alertHistory"
                + arguments
                + " { row severity state at since threshold longWindowMinutes"
                + " shortWindowMinutes burnLong burnShort } } }")
        .at("/slo/alertHistory");
  }

  @Test
  void theAlertHistoryHasEveryChangeNewestFirst() throws Exception {
    JsonNode all = history("");
    // ticket-fast's copy once.
    assertThat(all)
        .extracting(c -> c.get("at").asText().substring(11, 16) + " " + c.get("row").asText())
        .containsExactly(
            "10:08 page-fast", "10:06 ticket-fast", "10:05 page-slow", "10:03 page-fast");
    JsonNode resolved = all.get(0);
    assertThat(resolved.get("state").asText()).isEqualTo("resolved");
    assertThat(resolved.get("since").asText()).isEqualTo("2026-03-02T10:03:00Z");
    assertThat(resolved.get("threshold").asDouble()).isEqualTo(14.4);
    assertThat(resolved.get("longWindowMinutes").asInt()).isEqualTo(60);
    assertThat(resolved.get("shortWindowMinutes").asInt()).isEqualTo(5);
    assertThat(resolved.get("burnLong").asDouble()).isEqualTo(12.0);
    assertThat(resolved.get("burnShort").asDouble()).isEqualTo(0.0);
    assertThat(all.get(1).get("severity").asText()).isEqualTo("ticket");
    assertThat(history("(limit: 2)").findValuesAsText("at"))
        .containsExactly("2026-03-02T10:08:00Z", "2026-03-02T10:06:00Z");
    // [from, to): 10:05 in, 10:06 out.
    assertThat(
            history("(from: \"2026-03-02T10:05:00Z\", to: \"2026-03-02T10:06:00Z\")")
                .findValuesAsText("row"))
        .containsExactly("page-slow");
    assertThat(history("(from: \"2026-03-02T10:09:00Z\", to: \"2026-03-02T11:00:00Z\")")).isEmpty();
  }

  @Test
  void theLiveStatusSendsTheLatestEvaluationThenEachChange() throws Exception {
    String tenant = "slo-live";
    ClickHouse db = server.migratedDatabase();
    Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(3));
    db.execute(
        status(
            tenant,
            SESSIONS,
            "sessions-api",
            minute,
            0.999,
            minute,
            100,
            0,
            0.5,
            new double[7],
            "2026-03-02 11:00:00"));
    List<Map> received =
        ApiClient.webSocket(port, TestIdentity.sre(tenant))
            .document(
                "subscription { sloStatus(name: \""
                    + SESSIONS
                    + "\") { evaluatedAt remainingBudget firing { row } } }")
            .executeSubscription()
            .toFlux("sloStatus", Map.class)
            .take(3)
            .doOnNext(
                s -> {
                  if (s.get("remainingBudget").equals(0.5)) {
                    // A new evaluation lands ...
                    db.execute(
                        status(
                            tenant,
                            SESSIONS,
                            "sessions-api",
                            minute.plusSeconds(60),
                            0.999,
                            minute,
                            100,
                            0,
                            0.25,
                            new double[7],
                            "2026-03-02 11:00:00"));
                  } else if (((List<?>) s.get("firing")).isEmpty()) {
                    // ... then a row starts firing.
                    db.execute(
                        ("INSERT INTO slo_alerts (tenant_id, slo, service, alert_row, severity,"
                                + " state, at, since) VALUES ('%s', '%s', 's', 'page-fast', 'page',"
                                + " 'firing', toDateTime(%d), toDateTime(%d))")
                            .formatted(
                                tenant,
                                SESSIONS,
                                minute.getEpochSecond() + 120,
                                minute.getEpochSecond() + 120));
                  }
                })
            .collectList()
            .block(Duration.ofSeconds(30));
    String first = minute.plusSeconds(60).toString();
    String second = minute.plusSeconds(120).toString();
    assertThat(received)
        .extracting(
            s -> s.get("evaluatedAt") + " " + s.get("remainingBudget") + " " + s.get("firing"))
        .containsExactly(
            first + " 0.5 []", second + " 0.25 []", second + " 0.25 [{row=page-fast}]");

    // Another tenant's SLO of the same name is never sent to this one.
    List<Map> none =
        ApiClient.webSocket(port, TestIdentity.sre("slo-live-nobody"))
            .document("subscription { sloStatus(name: \"" + SESSIONS + "\") { evaluatedAt } }")
            .executeSubscription()
            .toFlux("sloStatus", Map.class)
            .take(Duration.ofSeconds(2))
            .collectList()
            .block(Duration.ofSeconds(10));
    assertThat(none).isEmpty();
  }

  @Test
  void educatorsAndBadArgumentsAreRefused() throws Exception {
    assertThat(refusal(EDUCATOR, "{ slos { name } }")).isEqualTo("FORBIDDEN");
    assertThat(refusal(EDUCATOR, "{ slo(name: \"" + SESSIONS + "\") { name } }"))
        .isEqualTo("FORBIDDEN");
    String one = "{ slo(name: \"" + SESSIONS + "\") { ";
    List<String> bad =
        List.of(
            "{ slo(name: \"Sessions API\") { name } }",
            "{ slo(name: \"x' OR 1 = 1 --\") { name } }",
            "{ slo(name: \"-leading-dash\") { name } }",
            "{ slo(name: \"" + "a".repeat(64) + "\") { name } }",
            "{ slo(name: \"" + "a".repeat(300) + "\") { name } }",
            one + "budgetBurnDown(from: \"2026-03-02T10:00:00Z\") { bucketMinutes } } }",
            one
                + "budgetBurnDown(from: \"2026-03-02T10:00:00Z\", to: \"2026-03-02T10:00:00Z\")"
                + " { bucketMinutes } } }",
            one
                + "budgetBurnDown(from: \"2025-01-01T00:00:00Z\", to: \"2026-03-02T10:00:00Z\")"
                + " { bucketMinutes } } }",
            one
                + "budgetBurnDown(from: \"1969-12-31T00:00:00Z\", to: \"1970-01-02T00:00:00Z\")"
                + " { bucketMinutes } } }",
            one + "burnRateSeries(window: \"7m\") { window } } }",
            one + "burnRateSeries(window: \"\") { window } } }",
            one + "alertHistory(limit: 0) { row } } }",
            one + "alertHistory(limit: 1001) { row } } }",
            one
                + "alertHistory(from: \"2026-03-02T11:00:00Z\", to: \"2026-03-02T10:00:00Z\")"
                + " { row } } }");
    for (String query : bad) {
      assertThat(refusal(SRE, query)).as(query).isEqualTo("BAD_REQUEST");
    }
    // The live status: the same roles and names.
    for (String[] refused :
        new String[][] {{EDUCATOR, SESSIONS, "FORBIDDEN"}, {SRE, "Bad Name", "BAD_REQUEST"}}) {
      assertThatThrownBy(
              () ->
                  ApiClient.webSocket(port, refused[0])
                      .document("subscription { sloStatus(name: \"" + refused[1] + "\") { name } }")
                      .executeSubscription()
                      .toFlux()
                      .blockFirst(Duration.ofSeconds(10)))
          .as(refused[1])
          .hasMessageContaining(refused[2]);
    }
  }
}
