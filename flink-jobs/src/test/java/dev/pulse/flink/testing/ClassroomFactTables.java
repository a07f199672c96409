package dev.pulse.flink.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.oracle.EngagementOracle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The classroom job's tables as rows of text, beside the same rows worked out by the engagement
 * oracle, so a test compares them with one equality each: every session minute, learner session and
 * session (in key order), and the course/day rollups merged from their aggregate states.
 */
public final class ClassroomFactTables {

  private ClassroomFactTables() {}

  /** {@code classroom_session_minutes}, one row per session minute, in key order. */
  public static List<String> minutes(ClickHouse db) {
    List<String> stored = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT tenant_id, course_id, session_id, toUInt32(minute) AS minute, active_learners,"
                + " peak_concurrent, joins, present_ms, focused_ms, camera_ms, mic_ms, chat,"
                + " hands, polls, reactions FROM classroom_session_minutes"
                + " ORDER BY tenant_id, course_id, session_id, minute")) {
      List<String> cells = new ArrayList<>();
      r.fields().forEachRemaining(f -> cells.add(f.getValue().asText()));
      stored.add(String.join("|", cells));
    }
    return stored;
  }

  /** The oracle's session minutes, as {@link #minutes(ClickHouse)} shows them. */
  public static List<String> minutes(EngagementOracle oracle) {
    List<String> expected = new ArrayList<>();
    for (EngagementOracle.Session s : oracle.sessions()) {
      for (EngagementOracle.Minute m : oracle.minutes(s.key())) {
        expected.add(
            String.join(
                "|",
                s.key().tenant(),
                s.key().course(),
                s.key().session(),
                Long.toString(m.minuteMs() / 1000),
                Integer.toString(m.active()),
                Integer.toString(m.peak()),
                Integer.toString(m.joins()),
                Long.toString(m.presentMs()),
                Long.toString(m.focusedMs()),
                Long.toString(m.cameraMs()),
                Long.toString(m.micMs()),
                m.interactions().get(0).toString(),
                m.interactions().get(1).toString(),
                m.interactions().get(2).toString(),
                m.interactions().get(3).toString()));
      }
    }
    return expected;
  }

  /** {@code classroom_learner_sessions}, one row per learner and session, in key order. */
  public static List<String> learners(ClickHouse db) {
    List<String> stored = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT session_id, user_id, attendance_ms, first_joined_ms, last_left_ms, presences,"
                + " focused_ms, camera_ms, mic_ms, chat, hands, polls, reactions, attended, score"
                + " FROM classroom_learner_sessions ORDER BY tenant_id, course_id, session_id,"
                + " user_id")) {
      stored.add(
          String.join(
              "|",
              r.get("session_id").asText(),
              r.get("user_id").asText(),
              r.get("attendance_ms").asText(),
              r.get("first_joined_ms").asText(),
              r.get("last_left_ms").asText(),
              r.get("presences").asText(),
              r.get("focused_ms").asText(),
              r.get("camera_ms").asText(),
              r.get("mic_ms").asText(),
              List.of(
                      r.get("chat").asLong(),
                      r.get("hands").asLong(),
                      r.get("polls").asLong(),
                      r.get("reactions").asLong())
                  .toString(),
              r.get("attended").asText(),
              r.get("score").asText()));
    }
    return stored;
  }

  /** The oracle's learner sessions, as {@link #learners(ClickHouse)} shows them. */
  public static List<String> learners(EngagementOracle oracle) {
    List<String> expected = new ArrayList<>();
    for (EngagementOracle.Session s : oracle.sessions()) {
      for (EngagementOracle.Learner l : oracle.learners(s.key())) {
        expected.add(
            String.join(
                "|",
                s.key().session(),
                l.user(),
                Long.toString(l.attendanceMs()),
                Long.toString(l.firstJoinedMs()),
                Long.toString(l.lastLeftMs()),
                Integer.toString(l.presences()),
                Long.toString(l.focusedMs()),
                Long.toString(l.cameraMs()),
                Long.toString(l.micMs()),
                l.interactions().toString(),
                l.attended() ? "1" : "0",
                Integer.toString(l.score())));
      }
    }
    return expected;
  }

  /** {@code classroom_sessions}, one row per ended session, in key order. */
  public static List<String> sessions(ClickHouse db) {
    List<String> stored = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT session_id, session_start_ms, session_end_ms, ended_by, learners"
                + " FROM classroom_sessions ORDER BY tenant_id, course_id, session_id")) {
      stored.add(
          String.join(
              "|",
              r.get("session_id").asText(),
              r.get("session_start_ms").asText(),
              r.get("session_end_ms").asText(),
              r.get("ended_by").asText(),
              r.get("learners").asText()));
    }
    return stored;
  }

  /** The oracle's sessions, as {@link #sessions(ClickHouse)} shows them. */
  public static List<String> sessions(EngagementOracle oracle) {
    List<String> expected = new ArrayList<>();
    for (EngagementOracle.Session s : oracle.sessions()) {
      expected.add(
          String.join(
              "|",
              s.key().session(),
              Long.toString(s.startMs()),
              Long.toString(s.endMs()),
              s.endedBy(),
              Integer.toString(oracle.learners(s.key()).size())));
    }
    return expected;
  }

  /**
   * {@code classroom_course_days} merged from its states, by course and day: sessions, learner
   * sessions, attended ones, unique attending learners, present and focused milliseconds.
   */
  public static Map<String, String> courseDays(ClickHouse db) {
    Map<String, String> stored = new TreeMap<>();
    for (JsonNode r :
        db.query(
            "SELECT course_id, toString(day) AS day, sumMerge(sessions) AS s,"
                + " sumMerge(learner_sessions) AS ls, sumMerge(attended_learner_sessions) AS a,"
                + " uniqExactIfMerge(attending_learners) AS u, sumMerge(present_ms) AS p,"
                + " sumMerge(focused_ms) AS f FROM classroom_course_days GROUP BY course_id, day")) {
      stored.put(
          r.get("course_id").asText() + "|" + r.get("day").asText(),
          String.join(
              "|",
              r.get("s").asText(),
              r.get("ls").asText(),
              r.get("a").asText(),
              r.get("u").asText(),
              r.get("p").asText(),
              r.get("f").asText()));
    }
    return stored;
  }

  /** The oracle's course days, summed from its sessions, as {@link #courseDays(ClickHouse)}. */
  public static Map<String, String> courseDays(EngagementOracle oracle) {
    Map<String, long[]> sums = new TreeMap<>();
    Map<String, Set<String>> attending = new TreeMap<>();
    for (EngagementOracle.Session s : oracle.sessions()) {
      String day =
          s.key().course() + "|" + Instant.ofEpochMilli(s.startMs()).toString().substring(0, 10);
      long[] d = sums.computeIfAbsent(day, k -> new long[5]);
      d[0]++;
      for (EngagementOracle.Learner l : oracle.learners(s.key())) {
        d[1]++;
        d[2] += l.attended() ? 1 : 0;
        d[3] += l.attendanceMs();
        d[4] += l.focusedMs();
        if (l.attended()) {
          attending.computeIfAbsent(day, k -> new HashSet<>()).add(l.user());
        }
      }
    }
    Map<String, String> expected = new TreeMap<>();
    sums.forEach(
        (day, d) ->
            expected.put(
                day,
                d[0]
                    + "|"
                    + d[1]
                    + "|"
                    + d[2]
                    + "|"
                    + attending.getOrDefault(day, Set.of()).size()
                    + "|"
                    + d[3]
                    + "|"
                    + d[4]));
    return expected;
  }
}
