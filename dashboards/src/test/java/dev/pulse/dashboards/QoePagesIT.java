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
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.tester.AutoConfigureHttpGraphQlTester;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The QoE pages in headless Chromium against the running application and real QoE tables: the SRE
 * page shows exactly the API's points, totals and breakdown (worst first), and a new minute
 * arriving live; the educator's course page lists its videos and the video page shows where viewers
 * stopped, both as the API says; an educator is refused the SRE page and another course's video.
 * Keeps screenshots in target/screenshots/.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(
    classes = PulseApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureHttpGraphQlTester
class QoePagesIT {

  private static final String SRE = TestIdentity.sre("qoe-t");
  private static final String EDUCATOR =
      TestIdentity.caller("erin").tenant("qoe-t").roles("educator").courses("c-1").sign();
  private static final String FROM = "2026-03-02T10:00:00Z";
  private static final String TO = "2026-03-02T10:30:00Z";
  private static final String[] CDNS = {"akamai", "fastly", "cloudfront"};
  private static final String[] REGIONS = {"eu-west", "us-east", "ap-south"};

  private static TestClickHouse server;
  private static ClickHouse db;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "300ms");
  }

  private static final String MINUTE_COLUMNS =
      "INSERT INTO playback_minutes (tenant_id, video_id, course_id, cdn, region, device, player,"
          + " minute, views_started, views_ended, start_failures, successes, startups,"
          + " startup_ms_sum, startup_buckets, startup_counts, rebuffers, rebuffer_ms, view_ms,"
          + " playing_ms, experience_score_sum, experience_scores, active_ms, batch_id) VALUES ";

  @BeforeAll
  static void facts(TestClickHouse ch) {
    server = ch;
    db = ch.migratedDatabase();
    // 30 minutes x 9 CDN-region combinations; cloudfront in ap-south ends fewer views, more of
    // them failed, with a lower experience score; the busiest combination is akamai in eu-west.
    List<String> rows = new ArrayList<>();
    Instant from = Instant.parse(FROM);
    for (int m = 0; m < 30; m++) {
      for (int c = 0; c < CDNS.length; c++) {
        for (int r = 0; r < REGIONS.length; r++) {
          boolean slow = c == 2 && r == 2;
          int views = slow ? 4 : 10 - c - r;
          int failures = slow ? 2 : (m + c + r) % 5 == 0 ? 1 : 0;
          int score = slow ? 45_000 : 88_000 + 1_000 * ((m + c) % 5);
          rows.add(
              "('qoe-t', 'v-1', 'c-1', '%s', '%s', 'phone', 'p1', toDateTime(%d), %d, %d, %d, %d,"
                      .formatted(
                          CDNS[c],
                          REGIONS[r],
                          from.plusSeconds(60L * m).getEpochSecond(),
                          views,
                          views,
                          failures,
                          views - failures)
                  + " %d, %d, [%d], [%d], %d, %d, %d, %d, %d, %d, %d, 'b')"
                      .formatted(
                          views - failures,
                          (views - failures) * (slow ? 4_000 : 900),
                          dev.pulse.clickhouse.metrics.LatencyBuckets.bucketOf(slow ? 4_000 : 900),
                          views - failures,
                          slow ? 3 : m % 2,
                          slow ? 9_000 : 1_000 * (m % 2),
                          views * 60_000,
                          views * 55_000,
                          views * score,
                          views,
                          views * 50_000));
        }
      }
    }
    db.execute(MINUTE_COLUMNS + String.join(", ", rows));
    // c-1's video v-1, watched on 2 March: exits at 0:20, 0:40, 3:10 and 12:00 of the video; one
    // view never started. c-2's v-9 is not the educator's.
    String views =
        "INSERT INTO playback_views (tenant_id, view_id, video_id, course_id, user_id, cdn, region,"
            + " device, player, view_start, view_start_ms, view_end_ms, ended_by, outcome,"
            + " startup_ms, view_ms, playing_ms, exit_playhead_ms, startup_score,"
            + " smoothness_score, playback_score, experience_score, version) VALUES ";
    List<String> viewRows = new ArrayList<>();
    long[] exits = {20_000, 40_000, 190_000, 720_000, 0};
    for (int i = 0; i < exits.length; i++) {
      long start = from.plusSeconds(600L * i).toEpochMilli();
      boolean played = i < 4;
      viewRows.add(
          "('qoe-t', 'view-%d', 'v-1', 'c-1', 'u-%d', 'akamai', 'eu-west', 'phone', 'p1',"
                  .formatted(i, i % 3)
              + " toDateTime(%d), %d, %d, 'VIEW_END', '%s', %d, %d, %d, %d, 90000, 100000, %d, %d, 1)"
                  .formatted(
                      start / 1000,
                      start,
                      start + 900_000,
                      played ? "success" : "exit-before-start",
                      played ? 900 : -1,
                      900_000,
                      played ? 800_000 : 0,
                      exits[i],
                      played ? 100_000 : 50_000,
                      played ? 90_000 + 1_000 * i : 50_000));
    }
    viewRows.add(
        "('qoe-t', 'view-9', 'v-9', 'c-2', 'u-9', 'akamai', 'eu-west', 'phone', 'p1',"
            + " '2026-03-02 10:00:00', 1772445600000, 1772446500000, 'VIEW_END', 'success', 900,"
            + " 900000, 800000, 5000, 90000, 100000, 100000, 96000, 1)");
    db.execute(views + String.join(", ", viewRows));
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

  private List<Map<String, Object>> api(String token, String document, String path) {
    return BrowserPages.api(anonymous, token, document, path);
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

  private static final List<String> FIELDS =
      List.of(
          "viewsEnded",
          "experienceScore",
          "failureRate",
          "startupTimeP95Ms",
          "rebufferPercentage",
          "concurrentViewers");

  @Test
  @SuppressWarnings("unchecked")
  void theSrePageShowsTheApisNumbersWithTheSlowCdnInItsRegionOnTop() throws Exception {
    open("/sre/qoe.html?from=" + FROM + "&to=" + TO, SRE);
    assertThat(state()).as(browser.findElement(By.id("status")).getText()).isEqualTo("loaded");
    String range = "from: \"" + FROM + "\", to: \"" + TO + "\"";
    String fields =
        "viewsStarted viewsEnded experienceScore failureRate startupTimeP50Ms startupTimeP95Ms"
            + " rebufferPercentage concurrentViewers";
    String metrics = "metrics { " + fields + " }";
    List<Map<String, Object>> points =
        api(
            SRE,
            "{ qoeSeries(" + range + ") { points { time " + metrics + " } } }",
            "qoeSeries.points");
    Map<String, Map<String, String>> shown = BrowserPages.table(browser, "points");
    assertThat(points).hasSize(30);
    assertThat(shown.keySet())
        .containsExactlyElementsOf(points.stream().map(p -> (String) p.get("time")).toList());
    for (Map<String, Object> p : points) {
      Map<String, Object> m = (Map<String, Object>) p.get("metrics");
      for (String field : m.keySet()) {
        assertSame(p.get("time") + " " + field, shown.get(p.get("time")).get(field), m.get(field));
      }
    }
    List<Map<String, Object>> rows =
        api(
            SRE,
            "{ qoeBreakdown(by: [CDN, REGION], limit: 20, "
                + range
                + ") { rows { cdn region impact "
                + metrics
                + " } } }",
            "qoeBreakdown.rows");
    Map<String, Map<String, String>> breakdown = BrowserPages.table(browser, "breakdown");
    assertThat(breakdown.keySet())
        .containsExactlyElementsOf(
            rows.stream().map(r -> r.get("cdn") + " · " + r.get("region")).toList());
    assertThat(breakdown.keySet()).first().isEqualTo("cloudfront · ap-south");
    for (Map<String, Object> r : rows) {
      Map<String, String> row = breakdown.get(r.get("cdn") + " · " + r.get("region"));
      assertSame("impact", row.get("impact"), r.get("impact"));
      Map<String, Object> m = (Map<String, Object>) r.get("metrics");
      for (String field : FIELDS) {
        assertSame(r.get("cdn") + " " + field, row.get(field), m.get(field));
      }
    }
    Map<String, Object> total =
        (Map<String, Object>)
            anonymous
                .mutate()
                .header("Authorization", "Bearer " + SRE)
                .build()
                .document("{ qoeBreakdown(by: [CDN], " + range + ") { total { " + fields + " } } }")
                .execute()
                .path("qoeBreakdown.total")
                .entity(Map.class)
                .get();
    Map<String, String> totals = BrowserPages.table(browser, "totals").get("total");
    for (String field : FIELDS) {
      assertSame("total " + field, totals.get(field), total.get(field));
    }
    for (String chart :
        List.of("chart-scores", "chart-startup", "chart-failures", "chart-viewers")) {
      assertThat(browser.findElements(By.cssSelector("#" + chart + " canvas")))
          .as(chart)
          .isNotEmpty();
    }
    BrowserPages.screenshot(browser, "sre-qoe-page.png");
  }

  @Test
  void theSrePageShowsANewMinuteArriveLive() throws Exception {
    String sre = TestIdentity.sre("qoe-live");
    Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(180);
    insertLive(minute, 3);
    open("/sre/qoe.html", sre);
    assertThat(state()).isEqualTo("loaded");
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(
            d -> "connected".equals(d.findElement(By.id("status")).getDomAttribute("data-live")));
    assertThat(BrowserPages.table(browser, "points")).hasSize(1);
    insertLive(minute.plusSeconds(60), 7);
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(d -> d.findElements(By.cssSelector("#points tbody tr")).size() == 2);
    assertThat(BrowserPages.table(browser, "points").get(minute.plusSeconds(60).toString()))
        .containsEntry("viewsStarted", "7");
  }

  private static void insertLive(Instant minute, int views) {
    db.execute(
        "INSERT INTO playback_minutes (tenant_id, minute, views_started, active_ms, batch_id)"
            + " VALUES ('qoe-live', toDateTime("
            + minute.getEpochSecond()
            + "), "
            + views
            + ", 60000, 'b')");
  }

  @Test
  void theEducatorsVideoPagesShowTheApisNumbersAndWhereViewersStopped() throws Exception {
    String range = "&from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z";
    open("/educator/course.html?course=c-1" + range, EDUCATOR);
    assertThat(state()).isEqualTo("loaded");
    List<Map<String, Object>> videos =
        api(
            EDUCATOR,
            "{ courseVideos(course: \"c-1\", from: \"2026-03-02T00:00:00Z\", to:"
                + " \"2026-03-03T00:00:00Z\") { video views viewers watchTimeMs startedPlaying"
                + " experienceScore } }",
            "courseVideos");
    Map<String, Map<String, String>> shownVideos = BrowserPages.table(browser, "videos");
    assertThat(shownVideos.keySet()).containsExactly("v-1");
    for (Map.Entry<String, Object> f : videos.get(0).entrySet()) {
      assertSame(f.getKey(), shownVideos.get("v-1").get(f.getKey()), f.getValue());
    }
    // 5 views by u-0, u-1, u-2 (3 viewers), 4 of them played.
    assertThat(shownVideos.get("v-1")).containsEntry("views", "5").containsEntry("viewers", "3");

    open("/educator/video.html?course=c-1&video=v-1" + range, EDUCATOR);
    assertThat(state()).isEqualTo("loaded");
    Map<String, Map<String, String>> exits = BrowserPages.table(browser, "exits");
    // Stopped at 0:20 and 0:40 (minute 0), 3:10 (minute 3), 12:00 (minute 12).
    assertThat(exits.keySet()).containsExactly("0", "3", "12");
    assertThat(exits.get("0")).containsEntry("views", "2").containsEntry("remaining", "2");
    assertThat(exits.get("12")).containsEntry("views", "1").containsEntry("remaining", "0");
    List<Map<String, Object>> apiExits =
        api(
            EDUCATOR,
            "{ courseVideo(course: \"c-1\", video: \"v-1\", from: \"2026-03-02T00:00:00Z\", to:"
                + " \"2026-03-03T00:00:00Z\") { exits { minute views } } }",
            "courseVideo.exits");
    for (Map<String, Object> e : apiExits) {
      assertSame(
          "exits " + e.get("minute"),
          exits.get(String.valueOf(e.get("minute"))).get("views"),
          e.get("views"));
    }
    assertThat(browser.findElements(By.cssSelector("#chart-exits canvas"))).isNotEmpty();
    BrowserPages.screenshot(browser, "educator-video-page.png");
  }

  @Test
  void anEducatorIsRefusedTheSrePageAndAnotherCoursesVideo() throws Exception {
    open("/sre/qoe.html?from=" + FROM + "&to=" + TO, EDUCATOR);
    assertThat(state()).isEqualTo("forbidden");
    assertThat(browser.findElements(By.cssSelector("tbody tr"))).isEmpty();
    open("/educator/video.html?course=c-2&video=v-9", EDUCATOR);
    assertThat(state()).isEqualTo("forbidden");
    assertThat(browser.findElements(By.cssSelector("tbody tr"))).isEmpty();
  }
}
