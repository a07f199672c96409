package dev.pulse.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.api.PulseApiApplication;
import dev.pulse.api.it.LateEvents;
import dev.pulse.api.it.MigratedStore;
import dev.pulse.api.it.MinuteFacts;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
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
 * The SRE service page in headless Chromium against the running application and a real ClickHouse:
 * the numbers the page shows equal, exactly, what the GraphQL API returns for the same query, and a
 * minute inserted after the page loaded arrives through the live subscription, and the late events
 * of the range are shown as a note beside the series. Keeps a screenshot in target/screenshots/.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(
    classes = PulseApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureHttpGraphQlTester
class ServiceDashboardIT {

  private static final String FROM = "2026-03-02T10:00:00Z";
  private static final String TO = "2026-03-02T10:30:00Z";
  private static final String[] FIELDS = {
    "requests", "errors5xx", "errors4xx", "errorRate", "p50Ms", "p95Ms", "p99Ms", "maxMs"
  };

  private static final String SRE_A =
      TestIdentity.caller("sam").name("Sam Reyes").tenant("tenant-a").roles("sre").sign();
  private static final String SRE_B =
      TestIdentity.caller("bo").name("Bo Berg").tenant("tenant-b").roles("sre").sign();

  private static TestClickHouse server;
  private static ClickHouse clickHouse;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "300ms");
  }

  @BeforeAll
  static void migrateAndInsertFacts(TestClickHouse ch) {
    server = ch;
    clickHouse = ch.migratedDatabase();
    MinuteFacts facts = new MinuteFacts();
    // Twenty minutes of traffic with a latency regression and an error spike from 10:12 on.
    for (int m = 0; m < 20; m++) {
      String minute = String.format("2026-03-02T10:%02d:00Z", m);
      boolean incident = m >= 12 && m < 16;
      List<Integer> latencies = new ArrayList<>(MinuteFacts.range(20 + m, 80 + m));
      if (incident) {
        latencies.addAll(MinuteFacts.repeat(900, 15));
      }
      facts.row(
          "tenant-a",
          "courses-api",
          "/courses/{id}",
          "GET",
          "eu-west",
          minute,
          latencies,
          incident ? 9 : m % 3,
          m % 4);
    }
    facts.row(
        "tenant-b",
        "courses-api",
        "/courses/{id}",
        "GET",
        "eu-west",
        "2026-03-02T10:05:00Z",
        MinuteFacts.repeat(4000, 50),
        50,
        0);
    facts.insertInto(clickHouse);
    // Late events: three of tenant A's in 10:00-10:30 (late-1 stored twice by a replay), one at
    // 10:30:00 (outside the range), one of tenant B's. The page must say 3.
    new LateEvents()
        .key("tenant-a", "courses-api", "/courses/{id}", "GET", "eu-west")
        .event("late-1", "2026-03-02T10:13:20Z")
        .event("late-1", "2026-03-02T10:13:20Z")
        .event("late-2", "2026-03-02T10:14:05Z")
        .event("late-3", "2026-03-02T10:29:59Z")
        .event("late-4", "2026-03-02T10:30:00Z")
        .key("tenant-b", "courses-api", "/courses/{id}", "GET", "eu-west")
        .event("late-b", "2026-03-02T10:13:00Z")
        .insertInto(clickHouse);
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

  private WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(browser, Duration.ofSeconds(seconds));
  }

  /**
   * The page's numbers table, by time: field -> the exact value behind the rounded text the page
   * shows. Read in one script call, so a live point re-rendering the table cannot change it (or
   * detach its rows) half-way.
   */
  @SuppressWarnings("unchecked")
  private Map<String, Map<String, String>> shownPoints() {
    List<List<Object>> rows =
        (List<List<Object>>)
            browser.executeScript(
                "return Array.from(document.querySelectorAll('#points tbody tr'))"
                    + ".map(tr => [tr.dataset.time, Array.from(tr.children)"
                    + ".map(td => [td.dataset.field, td.dataset.value])]);");
    Map<String, Map<String, String>> shown = new LinkedHashMap<>();
    for (List<Object> row : rows) {
      Map<String, String> cells = new LinkedHashMap<>();
      for (List<String> cell : (List<List<String>>) row.get(1)) {
        cells.put(cell.get(0), cell.get(1));
      }
      shown.put((String) row.get(0), cells);
    }
    return shown;
  }

  private List<Map<String, Object>> apiPoints(String token) {
    return anonymous
        .mutate()
        .header("Authorization", "Bearer " + token)
        .build()
        .documentName("serviceMetrics")
        .variable("service", "courses-api")
        .variable("endpoint", "/courses/{id}")
        .variable("from", FROM)
        .variable("to", TO)
        .execute()
        .errors()
        .verify()
        .path("serviceMetrics.points")
        .entityList(Map.class)
        .get()
        .stream()
        .map(m -> (Map<String, Object>) m)
        .toList();
  }

  private long apiLateEvents(String token) {
    return anonymous
        .mutate()
        .header("Authorization", "Bearer " + token)
        .build()
        .documentName("serviceMetricsLateEvents")
        .variable("service", "courses-api")
        .variable("endpoint", "/courses/{id}")
        .variable("from", FROM)
        .variable("to", TO)
        .execute()
        .errors()
        .verify()
        .path("serviceMetrics.lateEvents")
        .entity(Long.class)
        .get();
  }

  /** The page for the inserted range, opened through a sign-in link carrying {@code token}. */
  private void openPageAs(String token) {
    // Range and endpoint from the URL: fixed, relative to the inserted data, never the wall clock.
    browser.get(pageUrl() + "#token=" + token);
    awaitLoaded();
  }

  private String pageUrl() {
    return "http://localhost:"
        + port
        + "/sre/service.html?service=courses-api&endpoint=%2Fcourses%2F%7Bid%7D&from="
        + FROM
        + "&to="
        + TO;
  }

  private void awaitLoaded() {
    waitUpTo(20)
        .until(
            d ->
                "loaded".equals(d.findElement(By.id("status")).getDomAttribute("data-state"))
                    || "error"
                        .equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
    assertThat(browser.findElement(By.id("status")).getDomAttribute("data-state"))
        .as(browser.findElement(By.id("status")).getText())
        .isEqualTo("loaded");
  }

  @Test
  void theServicePageShowsExactlyTheApisNumbersAndReceivesNewMinutesLive() throws Exception {
    openPageAs(SRE_A);

    List<Map<String, Object>> api = apiPoints(SRE_A);
    assertThat(api).hasSize(20);
    Map<String, Map<String, String>> shown = shownPoints();
    assertThat(shown.keySet())
        .containsExactlyElementsOf(api.stream().map(p -> (String) p.get("time")).toList());
    for (Map<String, Object> point : api) {
      Map<String, String> row = shown.get((String) point.get("time"));
      for (String field : FIELDS) {
        assertThat(Double.parseDouble(row.get(field)))
            .as(point.get("time") + " " + field)
            .isEqualTo(((Number) point.get(field)).doubleValue());
      }
    }
    // People read the numbers rounded: milliseconds to 2 decimals, the error rate in percent.
    Map<String, Object> first = api.get(0);
    WebElement firstRow =
        browser.findElement(By.cssSelector("#points tr[data-time='" + first.get("time") + "']"));
    assertThat(firstRow.findElement(By.cssSelector("td[data-field='p95Ms']")).getText())
        .isEqualTo(String.format(Locale.ROOT, "%.2f", ((Number) first.get("p95Ms")).doubleValue()));
    assertThat(firstRow.findElement(By.cssSelector("td[data-field='errorRate']")).getText())
        .isEqualTo(
            String.format(
                Locale.ROOT, "%.2f %%", ((Number) first.get("errorRate")).doubleValue() * 100));
    // Tenant B's 4000 ms at 10:05 is not on tenant A's page.
    assertThat(Double.parseDouble(shown.get("2026-03-02T10:05:00Z").get("maxMs"))).isEqualTo(85.0);
    // The charts drew: ECharts rendered a canvas in each chart container.
    assertThat(browser.findElements(By.cssSelector(".chart canvas")))
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(browser.findElement(By.id("granularity")).getText()).isEqualTo("MINUTE");

    // The late events of the range, beside the series: shown, with the number the API gives.
    WebElement late = browser.findElement(By.id("late-events"));
    assertThat(late.isDisplayed()).isTrue();
    assertThat(late.getText()).startsWith("3 late events in this range");
    assertThat(late.getDomAttribute("data-late-events"))
        .isEqualTo(String.valueOf(apiLateEvents(SRE_A)));

    // A minute closed after the page loaded arrives through the subscription.
    waitUpTo(20)
        .until(
            d -> "connected".equals(d.findElement(By.id("status")).getDomAttribute("data-live")));
    new MinuteFacts()
        .row(
            "tenant-a",
            "courses-api",
            "/courses/{id}",
            "GET",
            "eu-west",
            "2026-03-02T10:20:00Z",
            List.of(100, 200, 300, 400),
            2,
            0)
        .insertInto(clickHouse);
    waitUpTo(20)
        .until(
            d ->
                !d.findElements(By.cssSelector("#points tr[data-time='2026-03-02T10:20:00Z']"))
                    .isEmpty());
    Map<String, String> live = shownPoints().get("2026-03-02T10:20:00Z");
    assertThat(live)
        .containsEntry("requests", "4")
        .containsEntry("errors5xx", "2")
        .containsEntry("errorRate", "0.5")
        .containsEntry("maxMs", "400");
    Map<String, Object> apiLive = apiPoints(SRE_A).get(20);
    for (String field : FIELDS) {
      assertThat(Double.parseDouble(live.get(field)))
          .as("live " + field)
          .isEqualTo(((Number) apiLive.get(field)).doubleValue());
    }

    Path screenshots = Path.of("target", "screenshots");
    Files.createDirectories(screenshots);
    Files.write(
        screenshots.resolve("sre-service-page.png"), browser.getScreenshotAs(OutputType.BYTES));
  }

  /** Each chart's x-axis extent as ECharts drew it, epoch ms: chart id -> [min, max]. */
  @SuppressWarnings("unchecked")
  private Map<String, List<Long>> xExtents() {
    List<List<Object>> charts =
        (List<List<Object>>)
            browser.executeScript(
                "return Array.from(document.querySelectorAll('.chart')).map(el => {"
                    + " const e = echarts.getInstanceByDom(el).getModel().getComponent('xAxis')"
                    + ".axis.scale.getExtent(); return [el.id, e[0], e[1]]; });");
    Map<String, List<Long>> out = new LinkedHashMap<>();
    for (List<Object> c : charts) {
      out.put(
          (String) c.get(0),
          List.of(((Number) c.get(1)).longValue(), ((Number) c.get(2)).longValue()));
    }
    return out;
  }

  @Test
  void everyChartSpansExactlyTheChosenRangeHoweverFewItsPoints() throws Exception {
    // The URL's range: 10:00 .. 10:30 on every chart, the requests' bars included.
    openPageAs(SRE_A);
    long from = Instant.parse(FROM).toEpochMilli();
    long to = Instant.parse(TO).toEpochMilli();
    Map<String, List<Long>> extents = xExtents();
    assertThat(extents.keySet()).containsExactly("chart-requests", "chart-errors", "chart-latency");
    extents.forEach((id, e) -> assertThat(e).as(id).containsExactly(from, to));

    // "last hour" with two minutes of traffic in it, 40 and 10 minutes ago: ECharts' bars widened
    // the requests' axis to hours (their width from the 30-minute gap) and shrank them to lines.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    new MinuteFacts()
        .row(
            "tenant-c",
            "courses-api",
            "/courses/{id}",
            "GET",
            "eu-west",
            now.minusSeconds(40 * 60).toString(),
            List.of(100, 200),
            1,
            0)
        .row(
            "tenant-c",
            "courses-api",
            "/courses/{id}",
            "GET",
            "eu-west",
            now.minusSeconds(10 * 60).toString(),
            List.of(100, 300),
            0,
            1)
        .insertInto(clickHouse);
    String sreC = TestIdentity.caller("cy").tenant("tenant-c").roles("sre").sign();
    // A new tab session: a link for another identity would otherwise wait for a confirmation.
    browser.executeScript("sessionStorage.clear()");
    long before = System.currentTimeMillis();
    browser.get("http://localhost:" + port + "/sre/service.html?service=courses-api#token=" + sreC);
    awaitLoaded();
    long after = System.currentTimeMillis();
    assertThat(browser.executeScript("return document.getElementById('range').value"))
        .isEqualTo("1h");
    Map<String, List<Long>> live = xExtents();
    assertThat(live).hasSize(3);
    List<Long> requests = live.get("chart-requests");
    // The hour up to the end of the current minute, as the page asked the API for it.
    long end = requests.get(1);
    assertThat(end % 60_000).isZero();
    assertThat(end).isBetween(ceilMinute(before), ceilMinute(after));
    assertThat(requests).containsExactly(end - 3_600_000, end);
    live.forEach((id, e) -> assertThat(e).as(id).isEqualTo(requests));
    assertThat(shownPoints()).hasSize(2);
    BrowserPages.screenshot(browser, "sre-service-last-hour.png");
  }

  private static long ceilMinute(long ms) {
    return (ms + 59_999) / 60_000 * 60_000;
  }

  @Test
  void pagesArePublicWithoutAToken() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String path : new String[] {"/", "/sre/service.html", "/sre/service.js"}) {
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void aSignInLinkShowsWhoIsSignedInAndKeepsTheTokenOutOfLocalStorageAndTheAddressBar() {
    openPageAs(SRE_A);
    WebElement signedIn = browser.findElement(By.id("signed-in"));
    assertThat(signedIn.getDomAttribute("data-state")).isEqualTo("signed-in");
    assertThat(signedIn.getText()).contains("Sam Reyes (sre) at tenant-a");
    assertThat(browser.getCurrentUrl()).doesNotContain("token").doesNotContain(SRE_A);
    assertThat(browser.executeScript("return window.localStorage.length")).isEqualTo(0L);
    assertThat(browser.executeScript("return document.cookie")).isEqualTo("");
    // Signing out forgets the token: the page asks to sign in and shows no numbers.
    browser.findElement(By.id("sign-out")).click();
    waitUpTo(20)
        .until(d -> "idle".equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
    assertThat(browser.findElements(By.cssSelector("#points tbody tr"))).isEmpty();
    assertThat(browser.executeScript("return window.sessionStorage.length")).isEqualTo(0L);
  }

  @Test
  void aLinkForAnotherIdentityIsOfferedAndNeverTakenSilently() {
    openPageAs(SRE_A);
    // A second link, for someone of another tenant, in the same tab.
    browser.get(pageUrl() + "#token=" + SRE_B);
    waitUpTo(20)
        .until(
            d ->
                "switch-offered"
                    .equals(d.findElement(By.id("signed-in")).getDomAttribute("data-state")));
    WebElement offer = browser.findElement(By.id("signed-in"));
    assertThat(offer.getText())
        .contains("Signed in as Sam Reyes (sre) at tenant-a")
        .contains("The link signs in as Bo Berg (sre) at tenant-b");
    // While the offer stands the page is still Sam's: tenant A's numbers, not B's 4000 ms minute.
    assertThat(Double.parseDouble(shownPoints().get("2026-03-02T10:05:00Z").get("maxMs")))
        .isEqualTo(85.0);
    clickAndAwaitReload("keep-identity");
    assertThat(browser.findElement(By.id("signed-in")).getDomAttribute("data-tenant"))
        .isEqualTo("tenant-a");
    assertThat(Double.parseDouble(shownPoints().get("2026-03-02T10:05:00Z").get("maxMs")))
        .isEqualTo(85.0);

    browser.get(pageUrl() + "#token=" + SRE_B);
    waitUpTo(20).until(d -> !d.findElements(By.id("switch-identity")).isEmpty());
    clickAndAwaitReload("switch-identity");
    assertThat(browser.findElement(By.id("signed-in")).getDomAttribute("data-tenant"))
        .isEqualTo("tenant-b");
    assertThat(Double.parseDouble(shownPoints().get("2026-03-02T10:05:00Z").get("maxMs")))
        .isEqualTo(4000.0);
  }

  /** Clicks the button {@code id} and waits for the page's next completed load. */
  private void clickAndAwaitReload(String id) {
    String loads = browser.findElement(By.id("status")).getDomAttribute("data-loads");
    browser.findElement(By.id(id)).click();
    waitUpTo(20)
        .until(d -> !loads.equals(d.findElement(By.id("status")).getDomAttribute("data-loads")));
  }

  @Test
  void anEducatorIsToldServiceMetricsAreNotTheirsAndSeesNone() {
    String educator =
        TestIdentity.caller("eve")
            .name("Eve Educator")
            .tenant("tenant-a")
            .roles("educator")
            .courses("course-1")
            .sign();
    browser.get(pageUrl() + "#token=" + educator);
    waitUpTo(20)
        .until(
            d -> "forbidden".equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
    assertThat(browser.findElement(By.id("status")).getText())
        .contains("for SREs, analysts and operators");
    assertThat(browser.findElement(By.id("signed-in")).getText())
        .contains("Eve Educator (educator) at tenant-a");
    assertThat(browser.findElements(By.cssSelector("#points tbody tr"))).isEmpty();
  }

  @Test
  void pagesAreServedWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sre/service.html"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(
            csp ->
                assertThat(csp)
                    .contains("default-src 'self'")
                    .contains("script-src 'self'")
                    .contains("frame-ancestors 'none'"));
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    // The page works under it: the other tests load, chart and go live with this policy on.
  }

  @Test
  void aRefusedTokenShowsAClearMessageAndNoNumbers() {
    browser.get("http://localhost:" + port + "/sre/service.html");
    browser.findElement(By.id("token")).sendKeys("not-a-token");
    browser.findElement(By.id("token-save")).click();
    waitUpTo(20)
        .until(
            d -> "error".equals(d.findElement(By.id("signed-in")).getDomAttribute("data-state")));
    assertThat(browser.findElement(By.id("signed-in")).getText()).contains("401");
    assertThat(browser.findElements(By.cssSelector("#points tbody tr"))).isEmpty();
  }
}
