package dev.pulse.api.engagement;

import static dev.pulse.clickhouse.SqlLiteral.date;
import static dev.pulse.clickhouse.SqlLiteral.dateTime;
import static dev.pulse.clickhouse.SqlLiteral.string;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.engagement.Engagement.AtRiskLearner;
import dev.pulse.api.engagement.Engagement.ClassSession;
import dev.pulse.api.engagement.Engagement.Course;
import dev.pulse.api.engagement.Engagement.CourseDay;
import dev.pulse.api.engagement.Engagement.CourseOverview;
import dev.pulse.api.engagement.Engagement.CourseSession;
import dev.pulse.api.engagement.Engagement.LearnerSession;
import dev.pulse.api.engagement.Engagement.SessionMinute;
import dev.pulse.api.security.CourseScope;
import dev.pulse.api.security.Operation;
import dev.pulse.clickhouse.ClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Repository;

/**
 * The engagement tables (migrations 0016-0020) as the schema shows them. Every statement starts
 * with the scope's filter, {@code tenant_id = <token tenant> AND course_id IN (<token courses>)},
 * built here from the {@link CourseScope} alone.
 */
@Repository
public class EngagementRepository {

  /** docs/engagement.md, "At risk". */
  static final int RISK_SESSIONS = 3;

  static final int KNOWN_LEARNER_SESSIONS = 10;
  static final int RISK_SCORE = 40;

  /** A session with a minute this recent that has not ended is live. */
  private static final long LIVE_WINDOW_S = 600;

  private final ClickHouse clickHouse;

  public EngagementRepository(ClickHouse clickHouse) {
    this.clickHouse = clickHouse;
  }

  private static String where(CourseScope scope) {
    return "tenant_id = " + string(scope.tenant()) + " AND course_id IN " + inList(scope.courses());
  }

  /**
   * {@code AND <column> >= <a week before the courses' first ended session's day>}, or nothing when
   * none has ended yet. A course's rows lie in the months from its first session on: bounded so, a
   * statement by session or learner skips the partitions of earlier months (earlier terms'
   * courses), where ClickHouse would otherwise read a granule of each part that the sorting key
   * cannot rule out; at ten times the history that made these pages 3-4x slower (benchmarks README,
   * "Pages"). The week covers a session still running since before that day.
   */
  private String sinceFirstDay(CourseScope scope, String column, Operation operation) {
    return since(column, firstDay(scope, operation));
  }

  /** The bound of {@link #sinceFirstDay}, or null when no session of the courses has ended. */
  private Instant firstDay(CourseScope scope, Operation operation) {
    JsonNode r =
        query(
                "SELECT count() AS n, toUInt32(toDateTime(min(day), 'UTC')) AS first"
                    + " FROM classroom_course_days WHERE "
                    + where(scope),
                operation)
            .get(0);
    return r.get("n").asLong() == 0
        ? null
        : Instant.ofEpochSecond(r.get("first").asLong()).minus(Duration.ofDays(7));
  }

  private static String since(String column, Instant first) {
    return first == null ? "" : " AND " + column + " >= " + dateTime(first);
  }

  /** {@code ('a', 'b')}: the values as an IN list of string literals. */
  private static String inList(List<String> values) {
    return "(" + String.join(", ", values.stream().map(v -> string(v)).toList()) + ")";
  }

  List<Course> courses(CourseScope scope, Operation operation) {
    if (scope.courses().isEmpty()) {
      return List.of();
    }
    Map<String, Object[]> byCourse = new LinkedHashMap<>();
    scope.courses().forEach(c -> byCourse.put(c, new Object[] {0, null, null}));
    for (JsonNode r :
        query(
            "SELECT course_id, count() AS sessions, max(session_start_ms) AS last_start"
                + " FROM classroom_sessions WHERE "
                + where(scope)
                + sinceFirstDay(scope, "session_start", operation)
                + " GROUP BY course_id",
            operation)) {
      Object[] c = byCourse.get(r.get("course_id").asText());
      c[0] = r.get("sessions").asInt();
      c[1] = Instant.ofEpochMilli(r.get("last_start").asLong());
    }
    for (JsonNode r :
        query(
            "SELECT course_id, argMax(session_id, minute) AS session FROM classroom_session_minutes"
                + " WHERE "
                + where(scope)
                + " AND minute >= now() - "
                + LIVE_WINDOW_S
                + " AND (course_id, session_id) NOT IN (SELECT course_id, session_id FROM"
                + " classroom_sessions WHERE "
                + where(scope)
                + " AND session_start >= now() - 86400) GROUP BY course_id",
            operation)) {
      byCourse.get(r.get("course_id").asText())[2] = r.get("session").asText();
    }
    List<Course> out = new ArrayList<>();
    byCourse.forEach(
        (id, c) -> out.add(new Course(id, (Integer) c[0], (Instant) c[1], (String) c[2])));
    return out;
  }

  CourseOverview course(CourseScope scope, Instant from, Instant to, Operation operation) {
    List<CourseSession> sessions = new ArrayList<>();
    String range =
        " AND session_start >= "
            + dateTime(from.truncatedTo(ChronoUnit.SECONDS))
            + " AND session_start < "
            + dateTime(to.truncatedTo(ChronoUnit.SECONDS));
    Map<String, Double> meanScores = new TreeMap<>();
    for (JsonNode r :
        query(
            "SELECT session_id, avg(score) AS mean_score FROM classroom_learner_sessions WHERE "
                + where(scope)
                + range
                + " GROUP BY session_id",
            operation)) {
      meanScores.put(r.get("session_id").asText(), r.get("mean_score").asDouble());
    }
    for (JsonNode r :
        query(
            "SELECT session_id, session_start_ms, session_end_ms, ended_by, learners, attended,"
                + " peak_concurrent FROM classroom_sessions WHERE "
                + where(scope)
                + range
                + " ORDER BY session_start_ms DESC, session_id LIMIT 1000",
            operation)) {
      String id = r.get("session_id").asText();
      sessions.add(
          new CourseSession(
              id,
              Instant.ofEpochMilli(r.get("session_start_ms").asLong()),
              Instant.ofEpochMilli(r.get("session_end_ms").asLong()),
              r.get("ended_by").asText(),
              r.get("learners").asInt(),
              r.get("attended").asInt(),
              r.get("peak_concurrent").asInt(),
              meanScores.get(id)));
    }
    List<CourseDay> days = new ArrayList<>();
    for (JsonNode r :
        query(
            "SELECT toString(day) AS day_text, sumMerge(sessions) AS held,"
                + " sumMerge(attended_learner_sessions) AS attended,"
                + " uniqExactIfMerge(attending_learners) AS attending,"
                + " sumMerge(present_ms) AS present, sumMerge(focused_ms) AS focused_total,"
                + " sumMerge(chat) + sumMerge(hands) + sumMerge(polls) + sumMerge(reactions)"
                + " AS interaction_total FROM classroom_course_days WHERE "
                + where(scope)
                + " AND day >= "
                + date(from.atZone(ZoneOffset.UTC).toLocalDate())
                // The days [from, to) touches: to itself is not in the range.
                + " AND day <= "
                + date(to.minusMillis(1).atZone(ZoneOffset.UTC).toLocalDate())
                + " GROUP BY day ORDER BY day",
            operation)) {
      long present = r.get("present").asLong();
      days.add(
          new CourseDay(
              r.get("day_text").asText(),
              r.get("held").asInt(),
              r.get("attended").asInt(),
              r.get("attending").asInt(),
              present == 0 ? null : (double) r.get("focused_total").asLong() / present,
              r.get("interaction_total").asLong()));
    }
    return new CourseOverview(scope.course(), sessions, days);
  }

  ClassSession session(CourseScope scope, String session, Operation operation) {
    String filter = where(scope) + " AND session_id = " + string(session);
    Instant first = firstDay(scope, operation);
    String since = since("session_start", first);
    List<SessionMinute> minutes =
        minutes(filter + since("minute", first) + " ORDER BY minute LIMIT 1000", operation);
    List<LearnerSession> learners =
        learnerSessions(filter + since + " ORDER BY user_id LIMIT 10000", operation);
    return new ClassSession(
        scope.course(), session, !ended(filter + since, operation), minutes, learners);
  }

  /** Whether the session has ended: its row in {@code classroom_sessions} is written. */
  boolean ended(CourseScope scope, String session, Operation operation) {
    return ended(
        where(scope)
            + " AND session_id = "
            + string(session)
            + sinceFirstDay(scope, "session_start", operation),
        operation);
  }

  private boolean ended(String filter, Operation operation) {
    return query("SELECT count() AS n FROM classroom_sessions WHERE " + filter, operation)
            .get(0)
            .get("n")
            .asLong()
        > 0;
  }

  /** The session's newest stored minute (none or one): where a live subscription starts. */
  List<SessionMinute> latestMinute(CourseScope scope, String session, Operation operation) {
    return minutes(
        where(scope)
            + " AND session_id = "
            + string(session)
            + sinceFirstDay(scope, "minute", operation)
            + " ORDER BY minute DESC LIMIT 1",
        operation);
  }

  /** The session's minutes from {@code from} on, oldest first (at most 100). */
  List<SessionMinute> minutesSince(
      CourseScope scope, String session, Instant from, Operation operation) {
    return minutes(
        where(scope)
            + " AND session_id = "
            + string(session)
            + " AND minute >= "
            + dateTime(from.truncatedTo(ChronoUnit.SECONDS))
            + " ORDER BY minute LIMIT 100",
        operation);
  }

  private List<SessionMinute> minutes(String whereAndOrder, Operation operation) {
    List<SessionMinute> minutes = new ArrayList<>();
    for (JsonNode r :
        query(
            "SELECT toUInt32(minute) AS minute, active_learners, peak_concurrent, joins,"
                + " present_ms, focused_ms, chat, hands, polls, reactions"
                + " FROM classroom_session_minutes WHERE "
                + whereAndOrder,
            operation)) {
      long present = r.get("present_ms").asLong();
      minutes.add(
          new SessionMinute(
              Instant.ofEpochSecond(r.get("minute").asLong()),
              r.get("active_learners").asInt(),
              r.get("peak_concurrent").asInt(),
              r.get("joins").asInt(),
              present == 0 ? null : (double) r.get("focused_ms").asLong() / present,
              r.get("chat").asLong(),
              r.get("hands").asLong(),
              r.get("polls").asLong(),
              r.get("reactions").asLong()));
    }
    return minutes;
  }

  List<LearnerSession> learnerHistory(CourseScope scope, String learner, Operation operation) {
    return learnerSessions(
        where(scope)
            + " AND user_id = "
            + string(learner)
            + sinceFirstDay(scope, "session_start", operation)
            + " ORDER BY session_start_ms DESC, session_id LIMIT 100",
        operation);
  }

  /**
   * The rule of docs/engagement.md over the course's latest ended sessions: the learners of its
   * last {@value #KNOWN_LEARNER_SESSIONS}, judged on its last {@value #RISK_SESSIONS}.
   */
  List<AtRiskLearner> atRisk(CourseScope scope, Operation operation) {
    List<String> latest = new ArrayList<>();
    String since = sinceFirstDay(scope, "session_start", operation);
    for (JsonNode r :
        query(
            "SELECT session_id FROM classroom_sessions WHERE "
                + where(scope)
                + since
                + " ORDER BY session_start_ms DESC, session_id LIMIT "
                + KNOWN_LEARNER_SESSIONS,
            operation)) {
      latest.add(r.get("session_id").asText());
    }
    if (latest.size() < RISK_SESSIONS) {
      return List.of();
    }
    List<String> judged = latest.subList(0, RISK_SESSIONS);
    Map<String, Map<String, LearnerSession>> byLearner = new TreeMap<>();
    for (LearnerSession l :
        learnerSessions(
            where(scope) + since + " AND session_id IN " + inList(latest) + " LIMIT 100000",
            operation)) {
      byLearner.computeIfAbsent(l.learner(), k -> new LinkedHashMap<>()).put(l.session(), l);
    }
    List<AtRiskLearner> risks = new ArrayList<>();
    byLearner.forEach(
        (learner, sessions) -> {
          int attended = 0;
          List<String> low = new ArrayList<>();
          for (String s : judged) {
            LearnerSession l = sessions.get(s);
            if (l != null) {
              attended += l.attended() ? 1 : 0;
              if (l.score() < RISK_SCORE) {
                low.add(Integer.toString(l.score()));
              }
            }
          }
          List<String> reasons = new ArrayList<>();
          if (attended < 2) {
            reasons.add("attended " + attended + " of the last " + RISK_SESSIONS + " sessions");
          }
          if (low.size() >= 2) {
            reasons.add(
                "scored below "
                    + RISK_SCORE
                    + " in "
                    + low.size()
                    + " of the last "
                    + RISK_SESSIONS
                    + " sessions ("
                    + String.join(", ", low)
                    + ")");
          }
          if (!reasons.isEmpty()) {
            risks.add(new AtRiskLearner(learner, String.join("; ", reasons)));
          }
        });
    return risks;
  }

  private List<LearnerSession> learnerSessions(String whereAndOrder, Operation operation) {
    List<LearnerSession> out = new ArrayList<>();
    for (JsonNode r :
        query(
            "SELECT session_id, user_id, session_start_ms, attendance_ms, presences, focused_ms,"
                + " camera_ms, mic_ms, chat, hands, polls, reactions, attended, score"
                + " FROM classroom_learner_sessions WHERE "
                + whereAndOrder,
            operation)) {
      double attendance = r.get("attendance_ms").asLong();
      out.add(
          new LearnerSession(
              r.get("session_id").asText(),
              r.get("user_id").asText(),
              Instant.ofEpochMilli(r.get("session_start_ms").asLong()),
              attendance / 60_000,
              r.get("presences").asInt(),
              r.get("focused_ms").asLong() / attendance,
              r.get("camera_ms").asLong() / attendance,
              r.get("mic_ms").asLong() / attendance,
              r.get("chat").asLong(),
              r.get("hands").asLong(),
              r.get("polls").asLong(),
              r.get("reactions").asLong(),
              r.get("attended").asInt() == 1,
              r.get("score").asInt()));
    }
    return out;
  }

  private List<JsonNode> query(String sql, Operation operation) {
    return clickHouse.query(sql, operation.nextQueryId());
  }
}
