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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.tester.AutoConfigureHttpGraphQlTester;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The uptime page in headless Chromium against the running application and a real {@code
 * probe_minutes} (rows written here, up to the minute before the test started): over its default
 * range, the last 24 hours, it shows every target of the tenant with exactly the API's uptime,
 * checks and mean latency, per region too, the API's incidents (an ongoing one, and one that
 * started before the range, with its real start), and a chart holding each target's series on an
 * axis that is exactly the range; the range picker and a custom range from the URL change all of
 * it. Educators are refused. Keeps a screenshot in target/screenshots/.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(
    classes = PulseApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureHttpGraphQlTester
class UptimePagesIT {

  private static final String TENANT = "uptime-pages";
  private static final String SRE = TestIdentity.sre(TENANT);
  private static final String EDUCATOR =
      TestIdentity.caller("erin").tenant(TENANT).roles("educator").courses("c-1").sign();

  private static final String GRADES = "grades-api/health";
  private static final String COURSES = "courses-api/health";
  private static final String SESSIONS = "sessions-api/health";

  /** The minute the test class started in: the latest rows are of the minute before. */
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MINUTES);

  private static TestClickHouse server;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
  }

  private static Instant minutesAgo(long m) {
    return NOW.minus(Duration.ofMinutes(m));
  }

  @BeforeAll
  static void probeMinutes(TestClickHouse ch) {
    server = ch;
    ClickHouse db = ch.migratedDatabase();
    List<String> rows = new ArrayList<>();
    // grades-api/health from three regions, twice a minute each, over the last 3 hours: up, but a
    // failed eu-west check every 17 minutes; down 120 .. 111 minutes ago (eu-west and us-east
    // failing) and down again over the last 3 minutes (everything failing): an ongoing incident.
    for (int m = 180; m >= 1; m--) {
      boolean outage = m <= 120 && m >= 111;
      boolean now = m <= 3;
      int eu = outage || now ? 0 : m % 17 == 0 ? 1 : 2;
      int us = outage || now ? 0 : 2;
      int ap = now ? 0 : 2;
      rows.add(row(GRADES, "eu-west", minutesAgo(m), 2, eu, 2 * 90));
      rows.add(row(GRADES, "us-east", minutesAgo(m), 2, us, 2 * 140));
      rows.add(row(GRADES, "ap-south", minutesAgo(m), 2, ap, now ? 2 * 5000 : 2 * 310));
    }
    // courses-api/health from two regions over the last 10 hours, us-east failing one check of
    // two every 10 minutes (a region's blip, never down); eu-west's rows in two parts (on time and
    // late) every 7 minutes.
    for (int m = 600; m >= 1; m--) {
      if (m % 7 == 0) {
        rows.add(row(COURSES, "eu-west", minutesAgo(m), 1, 1, 40));
        rows.add(row(COURSES, "eu-west", minutesAgo(m), 1, 1, 44));
      } else {
        rows.add(row(COURSES, "eu-west", minutesAgo(m), 2, 2, 84));
      }
      rows.add(row(COURSES, "us-east", minutesAgo(m), 2, m % 10 == 0 ? 1 : 2, 130));
    }
    // sessions-api/health from eu-west, 26 to 20 hours ago: down 25 to 23 hours ago, so its
    // incident starts before the last 24 hours and ends within them.
    for (int m = 26 * 60; m > 20 * 60; m--) {
      boolean down = m <= 25 * 60 && m > 23 * 60;
      rows.add(row(SESSIONS, "eu-west", minutesAgo(m), 2, down ? 0 : 2, down ? 10_000 : 150));
    }
    // Another tenant's target, down: never on this tenant's page.
    for (int m = 30; m >= 1; m--) {
      rows.add(
          "('uptime-pages-other', 'other/health', 'eu-west', toDateTime(%d), 2, 0, 10, 'b')"
              .formatted(minutesAgo(m).getEpochSecond()));
    }
    for (int from = 0; from < rows.size(); from += 1000) {
      db.execute(
          "INSERT INTO probe_minutes (tenant_id, target, region, minute, checks, successes,"
              + " latency_ms_sum, batch_id) VALUES "
              + String.join(", ", rows.subList(from, Math.min(rows.size(), from + 1000))));
    }
  }

  private static String row(
      String target, String region, Instant minute, long checks, long successes, long latency) {
    return "('%s', '%s', '%s', toDateTime(%d), %d, %d, %d, 'uptime-pages-batch')"
        .formatted(TENANT, target, region, minute.getEpochSecond(), checks, successes, latency);
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

  private String status(String attribute) {
    return browser.findElement(By.id("status")).getDomAttribute(attribute);
  }

  /** What the page shows after one load: its range, tables and chart. */
  private record Shown(
      String from,
      String to,
      Map<String, Map<String, String>> targets,
      Map<String, Map<String, String>> regions,
      Map<String, Map<String, String>> incidents,
      List<List<Object>> series,
      List<Object> extent) {}

  /** The page as one load left it: read again when a reload came in between. */
  @SuppressWarnings("unchecked")
  private Shown shown() {
    for (int attempt = 0; ; attempt++) {
      String loads = status("data-loads");
      Shown shown =
          new Shown(
              status("data-from"),
              status("data-to"),
              BrowserPages.table(browser, "targets"),
              BrowserPages.table(browser, "regions"),
              BrowserPages.table(browser, "incidents"),
              (List<List<Object>>)
                  browser.executeScript(
                      "return echarts.getInstanceByDom(document.getElementById('chart-uptime'))"
                          + ".getOption().series.map(s => [s.name, s.data]);"),
              (List<Object>)
                  browser.executeScript(
                      "return echarts.getInstanceByDom(document.getElementById('chart-uptime'))"
                          + ".getModel().getComponent('xAxis').axis.scale.getExtent();"));
      if (loads.equals(status("data-loads")) || attempt == 5) {
        return shown;
      }
    }
  }

  private static final String NUMBERS = "checks successes uptime meanLatencyMs";

  /** The API's uptime and incidents over [from, to), as the page asks for them. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> api(String from, String to) {
    String range = "from: \"" + from + "\", to: \"" + to + "\"";
    GraphQlTester.Response response =
        anonymous
            .mutate()
            .header("Authorization", "Bearer " + SRE)
            .build()
            .document(
                "{ uptime("
                    + range
                    + ") { from to bucketMinutes targets { target "
                    + NUMBERS
                    + " regions { region "
                    + NUMBERS
                    + " } series { time uptime } } } incidents("
                    + range
                    + ", limit: 1000) { target start end durationSeconds downMinutes regions"
                    + " ongoing } }")
            .execute();
    response.errors().verify();
    return Map.of(
        "uptime",
        response.path("uptime").entity(Map.class).get(),
        "incidents",
        response.path("incidents").entityList(Map.class).get());
  }

  /** A shown cell equals the API's value: numbers as numbers (the page keeps them exact). */
  private static void assertSame(String what, String shown, Object api) {
    if (api instanceof Number n) {
      assertThat(Double.parseDouble(shown)).as(what).isEqualTo(n.doubleValue());
    } else {
      assertThat(shown).as(what).isEqualTo(String.valueOf(api));
    }
  }

  /** Every number the page shows is the API's over the page's own range; the API's answer. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> assertThePageShowsTheApi(Shown shown) {
    Map<String, Object> api = api(shown.from(), shown.to());
    Map<String, Object> uptime = (Map<String, Object>) api.get("uptime");
    assertThat(uptime.get("from")).isEqualTo(shown.from());
    assertThat(uptime.get("to")).isEqualTo(shown.to());
    List<Map<String, Object>> targets = (List<Map<String, Object>>) uptime.get("targets");
    assertThat(shown.targets().keySet())
        .containsExactlyElementsOf(targets.stream().map(t -> (String) t.get("target")).toList());
    List<String> regionKeys = new ArrayList<>();
    for (Map<String, Object> t : targets) {
      String name = (String) t.get("target");
      Map<String, String> row = shown.targets().get(name);
      for (String field : List.of("target", "uptime", "checks", "successes", "meanLatencyMs")) {
        assertSame(name + " " + field, row.get(field), t.get(field));
      }
      assertSame(
          name + " failed",
          row.get("failed"),
          ((Number) t.get("checks")).longValue() - ((Number) t.get("successes")).longValue());
      for (Map<String, Object> r : (List<Map<String, Object>>) t.get("regions")) {
        String key = name + " " + r.get("region");
        regionKeys.add(key);
        Map<String, String> region = shown.regions().get(key);
        assertThat(region).as(key).isNotNull();
        for (String field : List.of("region", "uptime", "checks", "successes", "meanLatencyMs")) {
          assertSame(key + " " + field, region.get(field), r.get(field));
        }
      }
    }
    assertThat(shown.regions().keySet()).containsExactlyElementsOf(regionKeys);

    List<Map<String, Object>> incidents = (List<Map<String, Object>>) api.get("incidents");
    assertThat(shown.incidents().keySet())
        .containsExactlyElementsOf(
            incidents.stream().map(i -> i.get("target") + " " + i.get("start")).toList());
    for (Map<String, Object> i : incidents) {
      String key = i.get("target") + " " + i.get("start");
      Map<String, String> row = shown.incidents().get(key);
      for (String field :
          List.of("target", "start", "end", "durationSeconds", "downMinutes", "ongoing")) {
        assertSame(key + " " + field, row.get(field), i.get(field));
      }
      assertThat(row.get("regions"))
          .as(key + " regions")
          .isEqualTo(String.join(",", (List<String>) i.get("regions")));
    }

    // The chart: a line per target, in the table's order, holding exactly the API's series, on an
    // axis that is exactly the range.
    assertThat(shown.series()).hasSameSizeAs(targets);
    for (int t = 0; t < targets.size(); t++) {
      List<Map<String, Object>> points = (List<Map<String, Object>>) targets.get(t).get("series");
      assertThat(shown.series().get(t).get(0)).isEqualTo(targets.get(t).get("target"));
      List<List<Object>> drawn = (List<List<Object>>) shown.series().get(t).get(1);
      assertThat(drawn).as(targets.get(t).get("target") + " points").hasSameSizeAs(points);
      for (int p = 0; p < points.size(); p++) {
        assertThat(drawn.get(p).get(0)).isEqualTo(points.get(p).get("time"));
        assertSame(
            targets.get(t).get("target") + " point " + p,
            String.valueOf(drawn.get(p).get(1)),
            points.get(p).get("uptime"));
      }
    }
    assertThat(((Number) shown.extent().get(0)).longValue())
        .isEqualTo(Instant.parse(shown.from()).toEpochMilli());
    assertThat(((Number) shown.extent().get(1)).longValue())
        .isEqualTo(Instant.parse(shown.to()).toEpochMilli());
    return api;
  }

  @Test
  @SuppressWarnings("unchecked")
  void overTheLastDayThePageShowsTheApisUptimeChartAndIncidents() throws Exception {
    open("/sre/uptime.html", SRE);
    assertThat(BrowserPages.state(browser))
        .as(browser.findElement(By.id("status")).getText())
        .isEqualTo("loaded");
    assertThat(new Select(browser.findElement(By.id("range"))).getFirstSelectedOption().getText())
        .isEqualTo("last 24 hours");
    Shown shown = shown();
    Instant from = Instant.parse(shown.from());
    Instant to = Instant.parse(shown.to());
    // The last 24 hours up to the next whole minute (the page loaded after the rows' last minute).
    assertThat(Duration.between(from, to)).isEqualTo(Duration.ofHours(24));
    assertThat(to.getEpochSecond() % 60).isZero();
    assertThat(to).isAfter(NOW);
    Map<String, Object> api = assertThePageShowsTheApi(shown);

    // The lowest uptime first: sessions (its outage's last 23 hours and more in the range), then
    // grades, then courses; nothing of the other tenant.
    assertThat(shown.targets().keySet()).containsExactly(SESSIONS, GRADES, COURSES);
    assertThat(((Map<String, Object>) api.get("uptime")).get("bucketMinutes")).isEqualTo(1);
    // grades: 180 minutes x 6 checks, all of which the page counts.
    assertThat(shown.targets().get(GRADES).get("checks")).isEqualTo("1080");
    assertThat(shown.targets().get(COURSES).get("checks")).isEqualTo("2400");
    // The incidents newest first: grades' ongoing one (the last 3 minutes, every region), grades'
    // ten minutes two hours ago, and sessions' from 25 hours ago, whole.
    assertThat(shown.incidents().keySet())
        .containsExactly(
            GRADES + " " + minutesAgo(3),
            GRADES + " " + minutesAgo(120),
            SESSIONS + " " + minutesAgo(25 * 60));
    Map<String, String> ongoing = shown.incidents().get(GRADES + " " + minutesAgo(3));
    assertThat(ongoing)
        .containsEntry("end", NOW.toString())
        .containsEntry("downMinutes", "3")
        .containsEntry("regions", "ap-south,eu-west,us-east")
        .containsEntry("ongoing", "true");
    assertThat(shown.incidents().get(GRADES + " " + minutesAgo(120)))
        .containsEntry("end", minutesAgo(110).toString())
        .containsEntry("durationSeconds", "600")
        .containsEntry("regions", "eu-west,us-east")
        .containsEntry("ongoing", "false");
    assertThat(shown.incidents().get(SESSIONS + " " + minutesAgo(25 * 60)))
        .containsEntry("end", minutesAgo(23 * 60).toString())
        .containsEntry("downMinutes", "120")
        .containsEntry("ongoing", "false");
    assertThat(
            browser
                .findElement(
                    By.cssSelector(
                        "#incidents tr[data-key='"
                            + GRADES
                            + " "
                            + minutesAgo(3)
                            + "'] td[data-field='ongoing']"))
                .getText())
        .isEqualTo("ongoing");
    assertThat(browser.findElements(By.cssSelector("#chart-uptime canvas"))).isNotEmpty();
    BrowserPages.screenshot(browser, "sre-uptime-page.png");
  }

  @Test
  void theRangePickerAndACustomRangeChangeEveryNumber() throws Exception {
    open("/sre/uptime.html", SRE);
    assertThat(BrowserPages.state(browser)).isEqualTo("loaded");
    String loads = status("data-loads");
    new Select(browser.findElement(By.id("range"))).selectByValue("1h");
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(d -> !loads.equals(status("data-loads")) && "loaded".equals(status("data-state")));
    Shown hour = shown();
    assertThat(Duration.between(Instant.parse(hour.from()), Instant.parse(hour.to())))
        .isEqualTo(Duration.ofHours(1));
    assertThePageShowsTheApi(hour);
    // sessions was last checked 20 hours ago; only grades' ongoing incident is in the last hour.
    assertThat(hour.targets().keySet()).containsExactlyInAnyOrder(GRADES, COURSES);
    assertThat(hour.incidents().keySet()).containsExactly(GRADES + " " + minutesAgo(3));

    // A custom range from the URL: 26 to 20 hours ago, sessions only, its outage whole; the axis
    // is that range, by 1 minute.
    String from = minutesAgo(26 * 60).toString();
    String to = minutesAgo(20 * 60).toString();
    open("/sre/uptime.html?from=" + from + "&to=" + to, SRE);
    assertThat(BrowserPages.state(browser)).isEqualTo("loaded");
    assertThat(new Select(browser.findElement(By.id("range"))).getFirstSelectedOption().getText())
        .isEqualTo("custom (from URL)");
    Shown custom = shown();
    assertThat(custom.from()).isEqualTo(from);
    assertThat(custom.to()).isEqualTo(to);
    assertThePageShowsTheApi(custom);
    assertThat(custom.targets().keySet()).containsExactly(SESSIONS);
    // 360 minutes, 120 of them down: 480 of 720 checks passed.
    assertThat(custom.targets().get(SESSIONS))
        .containsEntry("checks", "720")
        .containsEntry("successes", "480");
    assertThat(custom.incidents().keySet()).containsExactly(SESSIONS + " " + minutesAgo(25 * 60));

    // One target from the URL.
    open("/sre/uptime.html?target=" + COURSES, SRE);
    assertThat(BrowserPages.state(browser)).isEqualTo("loaded");
    assertThat(shown().targets().keySet()).containsExactly(COURSES);
    assertThat(shown().incidents()).isEmpty();
  }

  @Test
  void anEducatorIsRefused() {
    open("/sre/uptime.html", EDUCATOR);
    assertThat(BrowserPages.state(browser)).isEqualTo("forbidden");
    assertThat(browser.findElements(By.cssSelector("tbody tr"))).isEmpty();
  }
}
