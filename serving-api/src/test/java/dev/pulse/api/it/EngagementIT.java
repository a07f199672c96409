package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * Classroom engagement through GraphQL against the running application and real engagement tables
 * (rows written here, numbers worked out by hand): an educator reads their course's sessions,
 * minutes, learners, days, at-risk learners and a learner's history, and nothing of a course the
 * token does not name, nor of another tenant's course with the same id.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EngagementIT {

  private static TestClickHouse server;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "200ms");
  }

  @LocalServerPort private int port;

  private static final String LEARNER_COLUMNS =
      "INSERT INTO classroom_learner_sessions (tenant_id, course_id, session_id, user_id,"
          + " session_start, session_start_ms, session_end_ms, attendance_ms, presences,"
          + " focused_ms, camera_ms, mic_ms, chat, attended, score, batch_id) VALUES ";
  private static final String SESSION_COLUMNS =
      "INSERT INTO classroom_sessions (tenant_id, course_id, session_id, session_start,"
          + " session_start_ms, session_end_ms, ended_by, peak_concurrent, learners, attended,"
          + " batch_id) VALUES ";

  private static final Instant LIVE_MINUTE =
      Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(120);

  @BeforeAll
  static void facts(TestClickHouse ch) {
    server = ch;
    ClickHouse db = ch.migratedDatabase();
    // eng-t / c-1: three ended sessions on 2, 3 and 4 March at 10:00, 45 minutes each.
    for (int d = 0; d < 3; d++) {
      String start = "2026-03-0" + (2 + d) + " 10:00:00";
      long ms = Instant.parse("2026-03-0" + (2 + d) + "T10:00:00Z").toEpochMilli();
      db.execute(
          SESSION_COLUMNS
              + "('eng-t', 'c-1', 's-"
              + (d + 1)
              + "', '"
              + start
              + "', "
              + ms
              + ", "
              + (ms + 2_700_000)
              + ", 'SESSION_ENDED', 3, 3, 2, 'b')");
    }
    // ann attends all (80, 75, 90); bob attends s-1 (60), misses s-2, is in s-3 for 2 minutes
    // (not attended, 12); cat attends all (50, 35, 30).
    String[][] learners = {
      {"s-1", "ann", "1", "80"},
      {"s-2", "ann", "1", "75"},
      {"s-3", "ann", "1", "90"},
      {"s-1", "bob", "1", "60"},
      {"s-3", "bob", "0", "12"},
      {"s-1", "cat", "1", "50"},
      {"s-2", "cat", "1", "35"},
      {"s-3", "cat", "1", "30"}
    };
    for (String[] l : learners) {
      int d = Integer.parseInt(l[0].substring(2)) - 1;
      long ms = Instant.parse("2026-03-0" + (2 + d) + "T10:00:00Z").toEpochMilli();
      long attendance = l[2].equals("1") ? 2_400_000 : 120_000;
      db.execute(
          LEARNER_COLUMNS
              + "('eng-t', 'c-1', '"
              + l[0]
              + "', '"
              + l[1]
              + "', '2026-03-0"
              + (2 + d)
              + " 10:00:00', "
              + ms
              + ", "
              + (ms + 2_700_000)
              + ", "
              + attendance
              + ", 1, "
              + attendance / 2
              + ", 0, 0, 1, "
              + l[2]
              + ", "
              + l[3]
              + ", 'b')");
    }
    db.execute(
        "INSERT INTO classroom_session_minutes (tenant_id, course_id, session_id, minute,"
            + " active_learners, peak_concurrent, joins, present_ms, focused_ms, chat, batch_id)"
            + " VALUES ('eng-t', 'c-1', 's-3', '2026-03-04 10:00:00', 3, 3, 3, 120000, 90000, 2,"
            + " 'b'), ('eng-t', 'c-1', 's-3', '2026-03-04 10:01:00', 2, 3, 0, 100000, 0, 0, 'b'),"
            + " ('eng-t', 'c-1', 's-4', toDateTime("
            + LIVE_MINUTE.getEpochSecond()
            + "), 1, 1, 1, 30000, 30000, 0, 'b')");
    // What the educator must never see: a course of theirs in another tenant, another course.
    db.execute(
        SESSION_COLUMNS
            + "('eng-other', 'c-1', 's-x', '2026-03-04 11:00:00', 1772622000000, 1772623000000,"
            + " 'SESSION_ENDED', 9, 9, 9, 'b'), ('eng-t', 'c-2', 's-9', '2026-03-04 11:00:00',"
            + " 1772622000000, 1772623000000, 'SESSION_ENDED', 9, 9, 9, 'b')");
    db.execute(
        LEARNER_COLUMNS
            + "('eng-other', 'c-1', 's-x', 'spy', '2026-03-04 11:00:00', 1772622000000,"
            + " 1772623000000, 60000, 1, 0, 0, 0, 0, 0, 1, 'b'), ('eng-t', 'c-2', 's-9', 'zed',"
            + " '2026-03-04 11:00:00', 1772622000000, 1772623000000, 60000, 1, 0, 0, 0, 0, 0, 1,"
            + " 'b')");
    db.execute(
        "INSERT INTO classroom_session_minutes (tenant_id, course_id, session_id, minute,"
            + " active_learners, batch_id) VALUES ('eng-other', 'c-1', 's-x', '2026-03-04"
            + " 11:00:00', 9, 'b')");
  }

  private static final String EDUCATOR =
      TestIdentity.caller("erin").tenant("eng-t").roles("educator").courses("c-1").sign();

  private JsonNode ask(String token, String query) throws Exception {
    return ApiClient.post(port, token, query, Map.of());
  }

  private JsonNode ask(String query) throws Exception {
    JsonNode answer = ask(EDUCATOR, query);
    assertThat(answer.path("errors")).as(answer.toString()).isEmpty();
    return answer.get("data");
  }

  private String classification(String token, String query) throws Exception {
    return ask(token, query).at("/errors/0/extensions/classification").asText();
  }

  @Test
  void anEducatorSeesTheirCourseWithItsEndedSessionsAndTheLiveOne() throws Exception {
    JsonNode courses = ask("{ courses { id sessions lastSessionStart liveSession } }");
    assertThat(courses.get("courses").toString())
        .isEqualTo(
            "[{\"id\":\"c-1\",\"sessions\":3,\"lastSessionStart\":\"2026-03-04T10:00:00Z\","
                + "\"liveSession\":\"s-4\"}]");
  }

  @Test
  void aSessionsMinutesAndLearnersAreTheStoredOnes() throws Exception {
    JsonNode s =
        ask("{ classSession(course: \"c-1\", session: \"s-3\") { live minutes { time"
                + " activeLearners peakConcurrent joins attention chat } learners { learner"
                + " attendanceMinutes attentionRatio attended score } } }")
            .get("classSession");
    assertThat(s.get("live").asBoolean()).isFalse();
    // attention = focused / present: 90000 / 120000 = 0.75, then 0 / 100000 = 0.
    assertThat(s.get("minutes").toString())
        .isEqualTo(
            "[{\"time\":\"2026-03-04T10:00:00Z\",\"activeLearners\":3,\"peakConcurrent\":3,"
                + "\"joins\":3,\"attention\":0.75,\"chat\":2},{\"time\":\"2026-03-04T10:01:00Z\","
                + "\"activeLearners\":2,\"peakConcurrent\":3,\"joins\":0,\"attention\":0.0,"
                + "\"chat\":0}]");
    // 2,400,000 ms = 40 minutes, half of it focused; bob 2 minutes.
    assertThat(s.get("learners").toString())
        .isEqualTo(
            "[{\"learner\":\"ann\",\"attendanceMinutes\":40.0,\"attentionRatio\":0.5,"
                + "\"attended\":true,\"score\":90},{\"learner\":\"bob\",\"attendanceMinutes\":2.0,"
                + "\"attentionRatio\":0.5,\"attended\":false,\"score\":12},{\"learner\":\"cat\","
                + "\"attendanceMinutes\":40.0,\"attentionRatio\":0.5,\"attended\":true,"
                + "\"score\":30}]");
    JsonNode live =
        ask("{ classSession(course: \"c-1\", session: \"s-4\") { live minutes { time } learners {"
                + " learner } } }")
            .get("classSession");
    assertThat(live.get("live").asBoolean()).isTrue();
    assertThat(live.get("minutes").findValuesAsText("time"))
        .containsExactly(LIVE_MINUTE.toString());
    assertThat(live.get("learners")).isEmpty();
  }

  @Test
  void aLiveSessionsNewMinuteArrivesThroughTheSubscription() throws Exception {
    // s-5's minutes are older than s-4's, so s-4 stays the course's live session.
    Instant first = LIVE_MINUTE.minusSeconds(300);
    insertMinute("s-5", first, 4);
    var ws = ApiClient.webSocket(port, EDUCATOR);
    List<Map> received =
        ws.document(
                "subscription { classSessionMinutes(course: \"c-1\", session: \"s-5\") { time"
                    + " activeLearners } }")
            .executeSubscription()
            .toFlux("classSessionMinutes", Map.class)
            .take(2)
            .doOnNext(
                m -> {
                  if (m.get("time").equals(first.toString())) {
                    insertMinute("s-5", first.plusSeconds(60), 6);
                  }
                })
            .collectList()
            .block(java.time.Duration.ofSeconds(30));
    assertThat(received)
        .extracting(m -> m.get("time") + "=" + m.get("activeLearners"))
        .containsExactly(first + "=4", first.plusSeconds(60) + "=6");
    // Another course's session: refused.
    var refused =
        ws.document(
                "subscription { classSessionMinutes(course: \"c-2\", session: \"s-9\") { time } }")
            .executeSubscription()
            .toFlux()
            .onErrorResume(e -> reactor.core.publisher.Flux.empty())
            .collectList()
            .block(java.time.Duration.ofSeconds(10));
    assertThat(refused).isEmpty();
  }

  @Test
  void theSubscriptionCompletesOnceTheSessionHasEndedWithItsLastMinute() throws Exception {
    // A course of its own, so no other test sees this session.
    String educator =
        TestIdentity.caller("eve").tenant("eng-t").roles("educator").courses("c-7").sign();
    Instant first = LIVE_MINUTE.minusSeconds(60);
    insertMinute("c-7", "s-70", first, 5);
    List<Map> received =
        ApiClient.webSocket(port, educator)
            .document(
                "subscription { classSessionMinutes(course: \"c-7\", session: \"s-70\") { time"
                    + " activeLearners } }")
            .executeSubscription()
            .toFlux("classSessionMinutes", Map.class)
            .doOnNext(
                m -> {
                  if (m.get("time").equals(first.toString())) {
                    // The session ends: its session row, then (as the job may commit them) its
                    // last minute.
                    server
                        .migratedDatabase()
                        .execute(
                            SESSION_COLUMNS
                                + "('eng-t', 'c-7', 's-70', toDateTime("
                                + first.getEpochSecond()
                                + "), "
                                + first.toEpochMilli()
                                + ", "
                                + (first.toEpochMilli() + 100_000)
                                + ", 'SESSION_ENDED', 5, 5, 5, 'b')");
                    insertMinute("c-7", "s-70", first.plusSeconds(60), 2);
                  }
                })
            // Without the completion, this waits until the timeout and fails.
            .collectList()
            .block(java.time.Duration.ofSeconds(30));
    assertThat(received)
        .extracting(m -> m.get("time") + "=" + m.get("activeLearners"))
        .containsExactly(first + "=5", first.plusSeconds(60) + "=2");
  }

  private static void insertMinute(String session, Instant minute, int active) {
    insertMinute("c-1", session, minute, active);
  }

  private static void insertMinute(String course, String session, Instant minute, int active) {
    server
        .migratedDatabase()
        .execute(
            "INSERT INTO classroom_session_minutes (tenant_id, course_id, session_id, minute,"
                + " active_learners, batch_id) VALUES ('eng-t', '"
                + course
                + "', '"
                + session
                + "', toDateTime("
                + minute.getEpochSecond()
                + "), "
                + active
                + ", 'b')");
  }

  @Test
  void atRiskNamesBobForAttendanceAndCatForScoresNewestFirst() throws Exception {
    assertThat(
            ask("{ atRiskLearners(course: \"c-1\") { learner reason } }")
                .get("atRiskLearners")
                .toString())
        .isEqualTo(
            "[{\"learner\":\"bob\",\"reason\":\"attended 1 of the last 3 sessions\"},"
                + "{\"learner\":\"cat\",\"reason\":\"scored below 40 in 2 of the last 3 sessions"
                + " (30, 35)\"}]");
    assertThat(
            ask("{ learnerHistory(course: \"c-1\", learner: \"cat\") { session score } }")
                .get("learnerHistory")
                .findValuesAsText("score"))
        .containsExactly("30", "35", "50");
  }

  @Test
  void theCourseOverviewHasItsSessionsNewestFirstAndItsDaysFromTheRollup() throws Exception {
    JsonNode c =
        ask("{ course(id: \"c-1\", from: \"2026-03-01T00:00:00Z\", to: \"2026-03-10T00:00:00Z\")"
                + " { sessions { session attended meanScore } days { day sessions"
                + " attendedLearnerSessions uniqueAttendingLearners meanAttention } } }")
            .get("course");
    // Mean scores: s-3 (90 + 12 + 30) / 3 = 44, s-2 (75 + 35) / 2 = 55, s-1 (80 + 60 + 50) / 3 =
    // 63.33.
    assertThat(c.get("sessions").findValuesAsText("session")).containsExactly("s-3", "s-2", "s-1");
    assertThat(c.get("sessions").get(0).get("meanScore").asDouble()).isEqualTo(44.0);
    assertThat(c.get("sessions").get(1).get("meanScore").asDouble()).isEqualTo(55.0);
    // Days: 3, 2 and 2 attended learner sessions; every learner half focused.
    assertThat(c.get("days").toString())
        .isEqualTo(
            "[{\"day\":\"2026-03-02\",\"sessions\":1,\"attendedLearnerSessions\":3,"
                + "\"uniqueAttendingLearners\":3,\"meanAttention\":0.5},{\"day\":\"2026-03-03\","
                + "\"sessions\":1,\"attendedLearnerSessions\":2,\"uniqueAttendingLearners\":2,"
                + "\"meanAttention\":0.5},{\"day\":\"2026-03-04\",\"sessions\":1,"
                + "\"attendedLearnerSessions\":2,\"uniqueAttendingLearners\":2,"
                + "\"meanAttention\":0.5}]");
    // The range is [from, to): a range ending at midnight has neither the next day's sessions nor
    // that day.
    JsonNode oneDay =
        ask("{ course(id: \"c-1\", from: \"2026-03-02T00:00:00Z\", to: \"2026-03-03T00:00:00Z\")"
                + " { sessions { session } days { day } } }")
            .get("course");
    assertThat(oneDay.get("sessions").findValuesAsText("session")).containsExactly("s-1");
    assertThat(oneDay.get("days").findValuesAsText("day")).containsExactly("2026-03-02");
  }

  @Test
  void nothingOfACourseTheTokenDoesNotNameNorOfAnotherTenantsCourse() throws Exception {
    for (String query :
        List.of(
            "{ course(id: \"c-2\", from: \"2026-03-01T00:00:00Z\", to: \"2026-03-10T00:00:00Z\")"
                + " { id } }",
            "{ classSession(course: \"c-2\", session: \"s-9\") { live } }",
            "{ atRiskLearners(course: \"c-2\") { learner } }",
            "{ learnerHistory(course: \"c-2\", learner: \"zed\") { score } }",
            "{ classSession(course: \"c-1' OR '1'='1\", session: \"s-9\") { live } }")) {
      assertThat(classification(EDUCATOR, query)).as(query).isEqualTo("FORBIDDEN");
    }
    // The other tenant's session under the same course id: nothing of it.
    JsonNode other =
        ask("{ classSession(course: \"c-1\", session: \"s-x\") { live minutes { time } learners"
                + " { learner } } }")
            .get("classSession");
    assertThat(other.get("minutes")).isEmpty();
    assertThat(other.get("learners")).isEmpty();
    assertThat(
            ask("{ learnerHistory(course: \"c-1\", learner: \"spy\") { score } }")
                .get("learnerHistory"))
        .isEmpty();
    assertThat(
            ask("{ classSession(course: \"c-1\", session: \"s-3' OR '1'='1\") { minutes { time } } }")
                .at("/classSession/minutes"))
        .isEmpty();
    // Other roles, and an educator without courses.
    String sre = TestIdentity.caller("sam").tenant("eng-t").roles("sre").sign();
    assertThat(classification(sre, "{ courses { id } }")).isEqualTo("FORBIDDEN");
    String none = TestIdentity.caller("nia").tenant("eng-t").roles("educator").sign();
    assertThat(ask(none, "{ courses { id } }").at("/data/courses")).isEmpty();
  }

  @Test
  void hostileArgumentsAreBadRequests() throws Exception {
    assertThat(
            classification(
                EDUCATOR,
                "{ classSession(course: \"c-1\", session: \"" + "x".repeat(300) + "\") { live } }"))
        .isEqualTo("BAD_REQUEST");
    assertThat(
            classification(
                EDUCATOR,
                // A GraphQL escape in the document: an unpaired surrogate, which JSON over HTTP
                // cannot carry as text.
                "{ learnerHistory(course: \"c-1\", learner: \"a\\uD800\") { score } }"))
        .as("graphql-java's parser refuses it before the API sees it")
        .isEqualTo("InvalidSyntax");
    assertThat(
            classification(
                EDUCATOR,
                "{ course(id: \"c-1\", from: \"2026-03-10T00:00:00Z\", to: \"2026-03-01T00:00:00Z\")"
                    + " { id } }"))
        .isEqualTo("BAD_REQUEST");
  }
}
