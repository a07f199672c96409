package dev.pulse.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.api.PulseApiApplication;
import dev.pulse.api.it.MigratedStore;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.tester.AutoConfigureHttpGraphQlTester;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The SLO pages in headless Chromium against the running application and real SLO tables (rows
 * written here as the evaluation writes them): the list shows every SLO of the tenant, least budget
 * first, with exactly the API's numbers and firing rows, each linking to its page; an SLO's page
 * shows the API's latest evaluation, burn rates, firing rows and alert history, and its budget
 * burn-down chart holds the API's points on an axis that is exactly the SLO window; a new
 * evaluation reaches the open page live. Educators are refused. Keeps screenshots in
 * target/screenshots/.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(
    classes = PulseApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureHttpGraphQlTester
class SloPagesIT {

  private static final String TENANT = "slo-pages";
  private static final String SRE = TestIdentity.sre(TENANT);
  private static final String EDUCATOR =
      TestIdentity.caller("erin").tenant(TENANT).roles("educator").courses("c-1").sign();
  private static final String SESSIONS = "sessions-api-availability";

  /** The end of the latest evaluated minute of sessions-api-availability. */
  private static final Instant END = Instant.parse("2026-03-02T10:00:00Z");

  private static TestClickHouse server;
  private static ClickHouse db;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "300ms");
  }

  @BeforeAll
  static void evaluations(TestClickHouse ch) {
    server = ch;
    db = ch.migratedDatabase();
    // sessions-api-availability, 99.9 % over 30 days: the last minute of every half hour of the
    // week before END (its own point at 30-minute buckets), the budget going from 90 % to 40 %
    // with a steeper fall during an incident on the sixth day.
    List<String> rows = new ArrayList<>();
    int n = 7 * 48;
    for (int i = 0; i < n; i++) {
      Instant minute = END.minus(Duration.ofMinutes(30L * (n - 1 - i) + 1));
      boolean incident = i >= 240 && i < 260;
      double remaining =
          0.9 - 0.5 * i / (n - 1) - (i >= 240 ? (incident ? (i - 240) : 20) * 0.005 : 0);
      long bad = Math.round((1 - remaining) * 2000);
      double burn = incident ? 15.5 : 0.6 + (i % 7) * 0.1;
      rows.add(
          status(
              TENANT,
              SESSIONS,
              "sessions-api",
              minute,
              0.999,
              minute.plusSeconds(60).minus(Duration.ofDays(30)),
              2_000_000,
              bad,
              remaining,
              new double[] {burn * 1.5, burn * 1.2, burn, burn * 0.8, burn * 0.5, 0.7, 0.65}));
    }
    db.execute(INSERT_STATUS + String.join(", ", rows));
    db.execute(
        INSERT_STATUS
            + status(
                TENANT,
                "courses-api-latency",
                "courses-api",
                END.minusSeconds(120),
                0.99,
                END.minusSeconds(60).minus(Duration.ofDays(28)),
                5000,
                3,
                0.94,
                new double[] {0.5, 0.4, 0.3, 0.2, 0.2, 0.1, 0.1})
            + ", "
            + status(
                TENANT,
                "grades-api-uptime",
                "grades-api",
                END.minusSeconds(300),
                0.999,
                Instant.parse("2026-03-01T00:00:00Z"),
                2000,
                3,
                -0.5,
                new double[] {0, 0, 0, 0, 0.25, 1.5, 1.5})
            // Another tenant's SLO: never on this tenant's pages.
            + ", "
            + status(
                "slo-pages-other",
                "other-tenants-slo",
                "x",
                END,
                0.9,
                END,
                1,
                1,
                -9,
                new double[7]));
    db.execute(
        INSERT_ALERT
            + String.join(
                ", ",
                alert(TENANT, SESSIONS, "page-fast", "firing", "2026-02-28T10:01:00Z", 15.5, 23),
                alert(TENANT, SESSIONS, "page-fast", "resolved", "2026-02-28T20:01:00Z", 3, 0),
                alert(TENANT, SESSIONS, "page-slow", "firing", "2026-03-01T09:31:00Z", 6.2, 9.3),
                alert(
                    TENANT,
                    "grades-api-uptime",
                    "ticket-slow",
                    "firing",
                    "2026-03-02T06:00:00Z",
                    1.5,
                    2),
                alert(
                    "slo-pages-other",
                    "other-tenants-slo",
                    "page-fast",
                    "firing",
                    "2026-03-02T06:00:00Z",
                    9,
                    9)));
  }

  private static final String INSERT_STATUS =
      "INSERT INTO slo_status (tenant_id, slo, service, minute, good, total, objective,"
          + " window_start, eligible, bad, remaining, burn_5m, burn_30m, burn_1h, burn_2h,"
          + " burn_6h, burn_1d, burn_3d) VALUES ";

  private static final String INSERT_ALERT =
      "INSERT INTO slo_alerts (tenant_id, slo, service, alert_row, severity, state, at, since,"
          + " threshold, long_window_minutes, short_window_minutes, burn_long, burn_short,"
          + " objective) VALUES ";

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
      double[] burns) {
    String b =
        java.util.Arrays.stream(burns).mapToObj(Double::toString).collect(Collectors.joining(", "));
    return "('%s', '%s', '%s', toDateTime(%d), 0, 0, %s, toDateTime(%d), %d, %d, %s, %s)"
        .formatted(
            tenant,
            slo,
            service,
            minute.getEpochSecond(),
            objective,
            windowStart.getEpochSecond(),
            eligible,
            bad,
            remaining,
            b);
  }

  private static String alert(
      String tenant,
      String slo,
      String row,
      String state,
      String at,
      double burnLong,
      double burnShort) {
    Map<String, String> table =
        Map.of(
            "page-fast", "14.4, 60, 5",
            "page-slow", "6, 360, 30",
            "ticket-fast", "3, 1440, 120",
            "ticket-slow", "1, 4320, 360");
    long t = Instant.parse(at).getEpochSecond();
    // A resolved page-fast carries the since of its firing, ten hours earlier.
    long since = state.equals("resolved") ? t - 36_000 : t;
    return "('%s', '%s', 's', '%s', '%s', '%s', toDateTime(%d), toDateTime(%d), %s, %s, %s, 0.999)"
        .formatted(
            tenant,
            slo,
            row,
            row.startsWith("page") ? "page" : "ticket",
            state,
            t,
            since,
            table.get(row),
            burnLong,
            burnShort);
  }

  @Autowired private HttpGraphQlTester anonymous;
  @LocalServerPort private int port;
  private ChromeDriver browser;

  @BeforeEach
  void startBrowser() throws Exception {
    browser = HeadlessChromium.start();
  }

  @AfterEach
  void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  private void open(String pageAndQuery, String token) {
    BrowserPages.open(browser, "http://localhost:" + port + pageAndQuery, token);
  }

  private String state() {
    return BrowserPages.state(browser);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> apiOne(String token, String document, String path) {
    return (Map<String, Object>)
        anonymous
            .mutate()
            .header("Authorization", "Bearer " + token)
            .build()
            .document(document)
            .execute()
            .errors()
            .verify()
            .path(path)
            .entity(Map.class)
            .get();
  }

  /** A shown cell equals the API's value: numbers as numbers (the page keeps them exact). */
  private static void assertSame(String what, String shown, Object api) {
    if (api == null) {
      assertThat(shown).as(what).isEmpty();
    } else if (api instanceof Number n) {
      assertThat(Double.parseDouble(shown)).as(what).isEqualTo(n.doubleValue());
    } else {
      assertThat(shown).as(what).isEqualTo(String.valueOf(api));
    }
  }

  @SuppressWarnings("unchecked")
  private static double burn(Map<String, Object> slo, String window) {
    return ((List<Map<String, Object>>) slo.get("burnRates"))
        .stream()
            .filter(b -> b.get("window").equals(window))
            .map(b -> ((Number) b.get("rate")).doubleValue())
            .findFirst()
            .orElseThrow();
  }

  @Test
  @SuppressWarnings("unchecked")
  void theListShowsEverySloLeastBudgetFirstWithTheApisNumbersAndLinksToEach() throws Exception {
    open("/sre/slos.html", SRE);
    assertThat(state()).as(browser.findElement(By.id("status")).getText()).isEqualTo("loaded");
    List<Map<String, Object>> slos =
        BrowserPages.api(
            anonymous,
            SRE,
            "{ slos { name service objective remainingBudget evaluatedAt burnRates { window rate }"
                + " firing { row } } }",
            "slos");
    Map<String, Map<String, String>> shown = BrowserPages.table(browser, "slos");
    // -0.5, then sessions (40 % or so), then 0.94; nothing of the other tenant.
    assertThat(shown.keySet())
        .containsExactly("grades-api-uptime", SESSIONS, "courses-api-latency")
        .containsExactlyElementsOf(slos.stream().map(s -> (String) s.get("name")).toList());
    for (Map<String, Object> s : slos) {
      Map<String, String> row = shown.get((String) s.get("name"));
      for (String field :
          List.of("name", "service", "objective", "remainingBudget", "evaluatedAt")) {
        assertSame(s.get("name") + " " + field, row.get(field), s.get(field));
      }
      for (String window : List.of("1h", "6h", "3d")) {
        assertSame(s.get("name") + " burn " + window, row.get("burn" + window), burn(s, window));
      }
      assertThat(row.get("firing"))
          .as(s.get("name") + " firing")
          .isEqualTo(
              ((List<Map<String, Object>>) s.get("firing"))
                  .stream().map(f -> (String) f.get("row")).collect(Collectors.joining(",")));
    }
    assertThat(shown.get(SESSIONS).get("firing")).isEqualTo("page-slow");
    assertThat(shown.get("grades-api-uptime").get("firing")).isEqualTo("ticket-slow");
    assertThat(shown.get("courses-api-latency").get("firing")).isEmpty();
    // The budget as a bar: empty once spent.
    assertThat(
            browser
                .findElement(By.cssSelector("#slos tr[data-key='grades-api-uptime'] meter"))
                .getDomProperty("value"))
        .isEqualTo("0");
    BrowserPages.screenshot(browser, "sre-slos-page.png");

    browser.findElement(By.linkText(SESSIONS)).click();
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(d -> "loaded".equals(BrowserPages.state((ChromeDriver) d)));
    assertThat(browser.getCurrentUrl()).endsWith("/sre/slo.html?slo=" + SESSIONS);
    assertThat(browser.findElement(By.id("slo-name")).getText()).isEqualTo(SESSIONS);
  }

  @Test
  @SuppressWarnings("unchecked")
  void anSlosPageShowsTheApisEvaluationChartAndAlertHistoryOnTheSloWindow() throws Exception {
    open("/sre/slo.html?slo=" + SESSIONS, SRE);
    assertThat(state()).as(browser.findElement(By.id("status")).getText()).isEqualTo("loaded");
    String changes =
        "row severity state at since threshold longWindowMinutes shortWindowMinutes burnLong"
            + " burnShort";
    Map<String, Object> slo =
        apiOne(
            SRE,
            "{ slo(name: \""
                + SESSIONS
                + "\") { name service objective windowStart eligible bad remainingBudget"
                + " evaluatedAt burnRates { window rate } firing { "
                + changes
                + " } budgetBurnDown { from to bucketMinutes points { evaluatedAt remainingBudget }"
                + " } alertHistory(limit: 200) { "
                + changes
                + " } } }",
            "slo");

    Map<String, String> summary = BrowserPages.table(browser, "summary").get(SESSIONS);
    for (String field :
        List.of(
            "service",
            "objective",
            "remainingBudget",
            "eligible",
            "bad",
            "windowStart",
            "evaluatedAt")) {
      assertSame("summary " + field, summary.get(field), slo.get(field));
    }
    assertThat(slo.get("evaluatedAt")).isEqualTo(END.toString());

    Map<String, Map<String, String>> burns = BrowserPages.table(browser, "burn-rates");
    List<Map<String, Object>> apiBurns = (List<Map<String, Object>>) slo.get("burnRates");
    assertThat(burns.keySet())
        .containsExactly("5m", "30m", "1h", "2h", "6h", "1d", "3d")
        .containsExactlyElementsOf(apiBurns.stream().map(b -> (String) b.get("window")).toList());
    for (Map<String, Object> b : apiBurns) {
      assertSame(
          "burn " + b.get("window"),
          burns.get((String) b.get("window")).get("rate"),
          b.get("rate"));
    }

    Map<String, Map<String, String>> firing = BrowserPages.table(browser, "firing");
    List<Map<String, Object>> apiFiring = (List<Map<String, Object>>) slo.get("firing");
    assertThat(firing.keySet()).containsExactly("page-slow");
    for (Map<String, Object> f : apiFiring) {
      Map<String, String> row = firing.get((String) f.get("row"));
      for (String field : row.keySet()) {
        assertSame("firing " + field, row.get(field), f.get(field));
      }
    }

    List<Map<String, Object>> history = (List<Map<String, Object>>) slo.get("alertHistory");
    Map<String, Map<String, String>> alerts = BrowserPages.table(browser, "alerts");
    assertThat(alerts.keySet())
        .containsExactly(
            "2026-03-01T09:31:00Z page-slow firing",
            "2026-02-28T20:01:00Z page-fast resolved",
            "2026-02-28T10:01:00Z page-fast firing")
        .containsExactlyElementsOf(
            history.stream()
                .map(c -> c.get("at") + " " + c.get("row") + " " + c.get("state"))
                .toList());
    for (Map<String, Object> c : history) {
      Map<String, String> row = alerts.get(c.get("at") + " " + c.get("row") + " " + c.get("state"));
      assertThat(row.keySet()).hasSize(10);
      for (String field : row.keySet()) {
        assertSame("alert " + c.get("at") + " " + field, row.get(field), c.get(field));
      }
    }

    // The burn-down: the API's points, on an axis that is exactly the SLO window.
    Map<String, Object> burnDown = (Map<String, Object>) slo.get("budgetBurnDown");
    assertThat(burnDown.get("bucketMinutes")).isEqualTo(30);
    List<Map<String, Object>> points = (List<Map<String, Object>>) burnDown.get("points");
    assertThat(points).hasSize(7 * 48);
    List<List<Object>> drawn =
        (List<List<Object>>)
            browser.executeScript(
                "return echarts.getInstanceByDom(document.getElementById('chart-budget'))"
                    + ".getOption().series[0].data;");
    assertThat(drawn).hasSameSizeAs(points);
    for (int i = 0; i < points.size(); i++) {
      assertThat(drawn.get(i).get(0)).isEqualTo(points.get(i).get("evaluatedAt"));
      assertSame(
          "point " + i, String.valueOf(drawn.get(i).get(1)), points.get(i).get("remainingBudget"));
    }
    List<Object> extent =
        (List<Object>)
            browser.executeScript(
                "return echarts.getInstanceByDom(document.getElementById('chart-budget'))"
                    + ".getModel().getComponent('xAxis').axis.scale.getExtent();");
    assertThat(((Number) extent.get(0)).longValue())
        .isEqualTo(Instant.parse((String) burnDown.get("from")).toEpochMilli());
    assertThat(((Number) extent.get(1)).longValue())
        .isEqualTo(Instant.parse((String) burnDown.get("to")).toEpochMilli());
    assertThat(burnDown.get("from")).isEqualTo(slo.get("windowStart"));
    assertThat(burnDown.get("to")).isEqualTo(slo.get("evaluatedAt"));
    assertThat(browser.findElements(By.cssSelector("#chart-burn canvas"))).isNotEmpty();
    BrowserPages.screenshot(browser, "sre-slo-page.png");
  }

  @Test
  void aNewEvaluationReachesTheOpenPageLive() throws Exception {
    String tenant = "slo-pages-live";
    Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(3));
    db.execute(
        INSERT_STATUS
            + status(
                tenant,
                SESSIONS,
                "sessions-api",
                minute,
                0.999,
                minute,
                1000,
                0,
                1.0,
                new double[7]));
    open("/sre/slo.html?slo=" + SESSIONS, TestIdentity.sre(tenant));
    assertThat(state()).isEqualTo("loaded");
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(
            d -> "connected".equals(d.findElement(By.id("status")).getDomAttribute("data-live")));
    db.execute(
        INSERT_STATUS
            + status(
                tenant,
                SESSIONS,
                "sessions-api",
                minute.plusSeconds(60),
                0.999,
                minute,
                2000,
                1,
                0.5,
                new double[] {10, 5, 2, 1, 0.5, 0.25, 0.125}));
    String next = minute.plusSeconds(120).toString();
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(
            d ->
                next.equals(
                    BrowserPages.table((ChromeDriver) d, "summary")
                        .get(SESSIONS)
                        .get("evaluatedAt")));
    Map<String, String> summary = BrowserPages.table(browser, "summary").get(SESSIONS);
    assertThat(summary).containsEntry("remainingBudget", "0.5").containsEntry("bad", "1");
    assertThat(BrowserPages.table(browser, "burn-rates").get("5m")).containsEntry("rate", "10");
  }

  @Test
  void anEducatorIsRefusedBothPagesAndAnUnknownSloIsSaidSo() {
    open("/sre/slos.html", EDUCATOR);
    assertThat(state()).isEqualTo("forbidden");
    assertThat(browser.findElements(By.cssSelector("tbody tr"))).isEmpty();
    open("/sre/slo.html?slo=" + SESSIONS, EDUCATOR);
    assertThat(state()).isEqualTo("forbidden");
    assertThat(browser.findElements(By.cssSelector("tbody tr"))).isEmpty();
    // Signed out first: a link for another identity would wait for a confirmation.
    browser.executeScript("sessionStorage.clear()");
    open("/sre/slo.html?slo=other-tenants-slo", SRE);
    assertThat(state()).isEqualTo("empty");
    assertThat(browser.findElement(By.id("status")).getText()).contains("No SLO named");
    assertThat(browser.findElements(By.cssSelector("tbody tr"))).isEmpty();
  }
}
