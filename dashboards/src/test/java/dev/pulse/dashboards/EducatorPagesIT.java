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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
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
 * The educator pages in headless Chromium against the running application and real engagement
 * tables: signed in through a link, the course, session and learner pages show exactly the API's
 * numbers, the live session page shows a new minute arrive without a reload, and another course's
 * pages are refused. Keeps screenshots in target/screenshots/.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(
    classes = PulseApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureHttpGraphQlTester
class EducatorPagesIT {

  private static final String EDUCATOR =
      TestIdentity.caller("erin")
          .name("Erin Ede")
          .tenant("edu-t")
          .roles("educator")
          .courses("c-1", "c-3")
          .sign();
  private static final String RANGE = "&from=2026-03-01T00:00:00Z&to=2026-03-10T00:00:00Z";

  private static TestClickHouse server;
  private static ClickHouse db;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "300ms");
  }

  @BeforeAll
  static void facts(TestClickHouse ch) {
    server = ch;
    db = ch.migratedDatabase();
    String sessions = SESSIONS;
    String learners =
        "INSERT INTO classroom_learner_sessions (tenant_id, course_id, session_id, user_id,"
            + " session_start, session_start_ms, session_end_ms, attendance_ms, presences,"
            + " focused_ms, camera_ms, mic_ms, chat, attended, score, batch_id) VALUES ";
    for (int d = 0; d < 3; d++) {
      String day = "2026-03-0" + (2 + d);
      long ms = Instant.parse(day + "T10:00:00Z").toEpochMilli();
      db.execute(
          sessions
              + "('edu-t', 'c-1', 's-"
              + (d + 1)
              + "', '"
              + day
              + " 10:00:00', "
              + ms
              + ", "
              + (ms + 2_700_000)
              + ", 'SESSION_ENDED', 2, 2, "
              + (d == 0 ? 2 : 1)
              + ", 'b')");
      // ana attends all three; ben only the first, then is there for a minute (score 8).
      db.execute(
          learners
              + "('edu-t', 'c-1', 's-"
              + (d + 1)
              + "', 'ana', '"
              + day
              + " 10:00:00', "
              + ms
              + ", "
              + (ms + 2_700_000)
              + ", 2400000, 1, 1800000, 600000, 0, 3, 1, "
              + (70 + d)
              + ", 'b'), ('edu-t', 'c-1', 's-"
              + (d + 1)
              + "', 'ben', '"
              + day
              + " 10:00:00', "
              + ms
              + ", "
              + (ms + 2_700_000)
              + ", "
              + (d == 0 ? "2400000" : "60000")
              + ", 1, 30000, 0, 0, 0, "
              + (d == 0 ? "1, 55" : "0, 8")
              + ", 'b')");
    }
    db.execute(
        sessions
            + "('edu-t', 'c-2', 's-9', '2026-03-04 11:00:00', 1772622000000, 1772623000000,"
            + " 'SESSION_ENDED', 9, 9, 9, 'b')");
    minute("s-4", Instant.now().minusSeconds(180), 2, 1);
    // c-3's s-5 runs too; it ends during a test.
    db.execute(
        "INSERT INTO classroom_session_minutes (tenant_id, course_id, session_id, minute,"
            + " active_learners, batch_id) VALUES ('edu-t', 'c-3', 's-5', toDateTime("
            + Instant.now().minusSeconds(420).getEpochSecond() / 60 * 60
            + "), 4, 'b')");
  }

  private static final String SESSIONS =
      "INSERT INTO classroom_sessions (tenant_id, course_id, session_id, session_start,"
          + " session_start_ms, session_end_ms, ended_by, peak_concurrent, learners, attended,"
          + " batch_id) VALUES ";

  private static void minute(String session, Instant at, int active, int chat) {
    db.execute(
        "INSERT INTO classroom_session_minutes (tenant_id, course_id, session_id, minute,"
            + " active_learners, peak_concurrent, joins, present_ms, focused_ms, chat, batch_id)"
            + " VALUES ('edu-t', 'c-1', '"
            + session
            + "', toDateTime("
            + at.getEpochSecond() / 60 * 60
            + "), "
            + active
            + ", "
            + active
            + ", 0, 100000, 80000, "
            + chat
            + ", 'b')");
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

  private void open(String pageAndQuery) {
    BrowserPages.open(browser, "http://localhost:" + port + "/educator/" + pageAndQuery, EDUCATOR);
  }

  private String state() {
    return BrowserPages.state(browser);
  }

  private Map<String, Map<String, String>> table(String id) {
    return BrowserPages.table(browser, id);
  }

  private List<Map<String, Object>> api(String document, String path) {
    return BrowserPages.api(anonymous, EDUCATOR, document, path);
  }

  private static String text(Object value) {
    return value == null ? "" : String.valueOf(value);
  }

  private void screenshot(String name) throws Exception {
    BrowserPages.screenshot(browser, name);
  }

  @Test
  void theCoursePageShowsWhoIsSignedInAndTheApisSessionsAndLearnersAtRisk() throws Exception {
    open("course.html?course=c-1" + RANGE);
    assertThat(state()).as(browser.findElement(By.id("status")).getText()).isEqualTo("loaded");
    assertThat(browser.findElement(By.id("signed-in")).getText())
        .contains("Erin Ede (educator) at edu-t");
    List<Map<String, Object>> sessions =
        api(
            "{ course(id: \"c-1\", from: \"2026-03-01T00:00:00Z\", to: \"2026-03-10T00:00:00Z\")"
                + " { sessions { session start learners attended peakConcurrent meanScore"
                + " endedBy } } }",
            "course.sessions");
    Map<String, Map<String, String>> shown = table("sessions");
    assertThat(shown.keySet()).containsExactly("s-3", "s-2", "s-1");
    for (Map<String, Object> s : sessions) {
      Map<String, String> row = shown.get((String) s.get("session"));
      for (String field :
          List.of("start", "learners", "attended", "peakConcurrent", "meanScore", "endedBy")) {
        if (s.get(field) instanceof Number n) {
          assertThat(Double.parseDouble(row.get(field)))
              .as(s.get("session") + " " + field)
              .isEqualTo(n.doubleValue());
        } else {
          assertThat(row.get(field))
              .as(s.get("session") + " " + field)
              .isEqualTo(text(s.get(field)));
        }
      }
    }
    List<Map<String, Object>> risks =
        api("{ atRiskLearners(course: \"c-1\") { learner reason } }", "atRiskLearners");
    assertThat(risks).hasSize(1);
    Map<String, Map<String, String>> shownRisks = table("at-risk");
    assertThat(shownRisks.keySet()).containsExactly("ben");
    assertThat(shownRisks.get("ben").get("reason"))
        .isEqualTo(risks.get(0).get("reason"))
        .isEqualTo(
            "attended 1 of the last 3 sessions; scored below 40 in 2 of the last 3 sessions (8, 8)");
    // The live session is offered, and the days chart drew.
    assertThat(browser.findElement(By.id("live")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.id("live-link")).getDomAttribute("href")).contains("s-4");
    assertThat(browser.findElements(By.cssSelector("#chart-days canvas"))).isNotEmpty();
    screenshot("educator-course-page.png");
  }

  @Test
  void theLiveSessionPageShowsANewMinuteArriveWithoutAReload() throws Exception {
    open("session.html?course=c-1&session=s-4");
    assertThat(state()).isEqualTo("loaded");
    awaitLive("connected");
    assertThat(table("minutes")).hasSize(1);
    minute("s-4", Instant.now().minusSeconds(120), 3, 4);
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(d -> d.findElements(By.cssSelector("#minutes tbody tr")).size() == 2);
    List<Map<String, Object>> minutes =
        api(
            "{ classSession(course: \"c-1\", session: \"s-4\") { minutes { time activeLearners"
                + " chat attention } } }",
            "classSession.minutes");
    Map<String, Map<String, String>> shown = table("minutes");
    for (Map<String, Object> m : minutes) {
      Map<String, String> row = shown.get((String) m.get("time"));
      assertThat(row.get("activeLearners")).isEqualTo(text(m.get("activeLearners")));
      assertThat(row.get("chat")).isEqualTo(text(m.get("chat")));
      assertThat(Double.parseDouble(row.get("attention")))
          .isEqualTo(((Number) m.get("attention")).doubleValue());
    }
    assertThat(minutes.get(1).get("activeLearners")).isEqualTo(3);
    screenshot("educator-live-session-page.png");
  }

  @Test
  void theLiveSessionPageShowsItsLearnersOnceTheSessionEndsWithoutAReload() throws Exception {
    open("session.html?course=c-3&session=s-5");
    awaitLive("connected");
    assertThat(table("learners")).isEmpty();
    Instant start = Instant.now().minusSeconds(420);
    db.execute(
        "INSERT INTO classroom_learner_sessions (tenant_id, course_id, session_id, user_id,"
            + " session_start, session_start_ms, session_end_ms, attendance_ms, presences,"
            + " focused_ms, camera_ms, mic_ms, chat, attended, score, batch_id) VALUES ('edu-t',"
            + " 'c-3', 's-5', 'cleo', toDateTime("
            + start.getEpochSecond()
            + "), "
            + start.toEpochMilli()
            + ", "
            + (start.toEpochMilli() + 60_000)
            + ", 60000, 1, 30000, 0, 0, 2, 1, 64, 'b')");
    db.execute(
        SESSIONS
            + "('edu-t', 'c-3', 's-5', toDateTime("
            + start.getEpochSecond()
            + "), "
            + start.toEpochMilli()
            + ", "
            + (start.toEpochMilli() + 60_000)
            + ", 'SESSION_ENDED', 4, 1, 1, 'b')");
    // The subscription completes once the session has ended; the page then loads its learners.
    awaitLive("off");
    assertThat(browser.findElement(By.id("status")).getText()).startsWith("Ended");
    assertThat(table("learners").get("cleo"))
        .containsEntry("score", "64")
        .containsEntry("attended", "true");
  }

  private void awaitLive(String state) {
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(d -> state.equals(d.findElement(By.id("status")).getDomAttribute("data-live")));
  }

  @Test
  void anEndedSessionAndALearnerPageShowTheApisLearnerNumbers() throws Exception {
    open("session.html?course=c-1&session=s-1");
    assertThat(browser.findElement(By.id("status")).getDomAttribute("data-live")).isEqualTo("off");
    List<Map<String, Object>> learners =
        api(
            "{ classSession(course: \"c-1\", session: \"s-1\") { learners { learner"
                + " attendanceMinutes score attended } } }",
            "classSession.learners");
    Map<String, Map<String, String>> shown = table("learners");
    assertThat(shown.keySet()).containsExactly("ana", "ben");
    for (Map<String, Object> l : learners) {
      Map<String, String> row = shown.get((String) l.get("learner"));
      assertThat(row.get("score")).isEqualTo(text(l.get("score")));
      assertThat(Double.parseDouble(row.get("attendanceMinutes")))
          .isEqualTo(((Number) l.get("attendanceMinutes")).doubleValue());
    }
    // The score picture: ana's 70 and ben's 55, one learner in each of those bands of ten.
    WebElement picture = browser.findElement(By.id("scores"));
    assertThat(picture.isDisplayed()).isTrue();
    assertThat(picture.getDomAttribute("data-counts")).isEqualTo("0,0,0,0,0,1,0,1,0,0");
    assertThat(browser.findElements(By.cssSelector("#chart-scores canvas"))).isNotEmpty();
    screenshot("educator-ended-session-page.png");
    open("learner.html?course=c-1&learner=ben");
    assertThat(state()).isEqualTo("loaded");
    List<String> scores = new ArrayList<>();
    table("history").values().forEach(r -> scores.add(r.get("score")));
    assertThat(scores).containsExactly("8", "8", "55");
  }

  @Test
  void anEducatorIsRefusedAnotherCoursesPages() throws Exception {
    for (String page :
        List.of(
            "course.html?course=c-2" + RANGE,
            "session.html?course=c-2&session=s-9",
            "learner.html?course=c-2&learner=zed")) {
      open(page);
      assertThat(state()).as(page).isEqualTo("forbidden");
      assertThat(browser.findElement(By.id("status")).getText())
          .startsWith("This page is not yours to see");
      assertThat(browser.findElements(By.cssSelector("tbody tr"))).as(page).isEmpty();
    }
    screenshot("educator-refused-page.png");
  }
}
