package dev.pulse.flink.classroom.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.LearnerSessionFact;
import dev.pulse.flink.classroom.records.SessionFact;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.oracle.ClassEvent;
import dev.pulse.oracle.EngagementOracle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The running state against the engagement oracle, which works the same definitions out its own
 * way: thousands of random sessions (learners joining, vanishing, rejoining, blurring, talking,
 * staff and unknown events, duplicates, same-millisecond ties, long silences, sessions that never
 * end or run past 12 hours), their events arriving out of order under a moving watermark as the job
 * applies them; every minute, learner and session must be equal.
 */
class SessionEngagementTest {

  private static final String[] TYPES = {
    "JOINED",
    "LEFT",
    "HEARTBEAT",
    "HEARTBEAT",
    "HEARTBEAT",
    "FOCUS",
    "BLUR",
    "CHAT_MESSAGE",
    "HAND_RAISED",
    "POLL_ANSWERED",
    "REACTION",
    "CAMERA_ON",
    "CAMERA_OFF",
    "MIC_ON",
    "MIC_OFF",
    "UNKNOWN",
    "SESSION_STARTED",
    "SESSION_ENDED"
  };
  private static final String[] ROLES = {
    "LEARNER",
    "LEARNER",
    "LEARNER",
    "LEARNER",
    "LEARNER",
    "LEARNER",
    "INSTRUCTOR",
    "ASSISTANT",
    "UNKNOWN"
  };
  private static final long BASE = 1_772_445_600_000L; // 2026-03-02T10:00:00Z

  /** What the engine wrote, per session. */
  private static final class Collected implements SessionEngagement.Output {
    final Map<SessionKey, List<SessionMinuteFact>> minutes = new TreeMap<>(KEY_ORDER);
    final Map<SessionKey, List<LearnerSessionFact>> learners = new TreeMap<>(KEY_ORDER);
    final Map<SessionKey, SessionFact> sessions = new TreeMap<>(KEY_ORDER);

    @Override
    public void minute(SessionMinuteFact m) {
      minutes.computeIfAbsent(m.session(), k -> new ArrayList<>()).add(m);
    }

    @Override
    public void learner(LearnerSessionFact l) {
      learners.computeIfAbsent(l.session(), k -> new ArrayList<>()).add(l);
    }

    @Override
    public void session(SessionFact s) {
      sessions.put(s.session(), s);
    }
  }

  private static final java.util.Comparator<SessionKey> KEY_ORDER =
      java.util.Comparator.comparing(SessionKey::tenantId)
          .thenComparing(SessionKey::courseId)
          .thenComparing(SessionKey::sessionId);

  @Test
  void everyMinuteLearnerAndSessionEqualsTheOracleOverRandomSessionsAndArrivalOrders() {
    int compared = 0;
    for (int trial = 0; trial < 3000; trial++) {
      compared += trial(new SplittableRandom(trial));
    }
    // Enough of it was compared for the test to mean something.
    assertThat(compared).isGreaterThan(10_000);
  }

  /** One random trial; returns how many minutes and learners it compared. */
  private static int trial(SplittableRandom r) {
    List<ClassroomActivity> events = new ArrayList<>();
    int sessions = 1 + r.nextInt(2);
    int learners = 1 + r.nextInt(6);
    int n = 1 + r.nextInt(r.nextBoolean() ? 40 : 300);
    long spread = new long[] {120_000, 900_000, 3_600_000, 14 * 3_600_000L}[r.nextInt(4)];
    long quantum = r.nextBoolean() ? 1 : 10_000;
    for (int i = 0; i < n; i++) {
      long t = BASE + (r.nextLong(spread) / quantum) * quantum;
      String type = TYPES[r.nextInt(TYPES.length)];
      String role = ROLES[r.nextInt(ROLES.length)];
      String session = "s-" + r.nextInt(sessions);
      ClassroomActivity e =
          new ClassroomActivity(
              "e-" + i, "t", "c-1", session, "u" + r.nextInt(learners), role, type, t);
      events.add(e);
      if (r.nextInt(20) == 0) {
        events.add(e); // a replay
      }
    }
    events.sort(ClassroomActivity.APPLY_ORDER);
    // Arrival order: event time order with local disorder.
    List<ClassroomActivity> arrival = new ArrayList<>(events);
    for (int i = 0; i < arrival.size(); i++) {
      int j = Math.min(arrival.size() - 1, i + r.nextInt(4));
      ClassroomActivity tmp = arrival.get(i);
      arrival.set(i, arrival.get(j));
      arrival.set(j, tmp);
    }

    long bound = r.nextInt(4) * 5_000L;
    long watermark = Long.MIN_VALUE;
    long maxSeen = Long.MIN_VALUE;
    Set<String> seen = new HashSet<>();
    List<ClassEvent> counted = new ArrayList<>();
    List<ClassroomActivity> buffer = new ArrayList<>();
    Map<SessionKey, SessionEngagement> state = new HashMap<>();
    Collected out = new Collected();
    for (ClassroomActivity e : arrival) {
      if (!seen.add(e.eventId())) {
        continue; // the dedup upstream
      }
      if (e.timeMs() <= watermark) {
        continue; // late: the job sends it to the late events, counted nowhere
      }
      buffer.add(e);
      counted.add(
          new ClassEvent(
              e.eventId(),
              e.tenantId(),
              e.courseId(),
              e.sessionId(),
              e.userId(),
              e.role(),
              e.type(),
              e.timeMs()));
      maxSeen = Math.max(maxSeen, e.timeMs());
      if (r.nextInt(3) == 0) {
        watermark = Math.max(watermark, maxSeen - bound);
        fire(buffer, watermark, state, out);
      }
    }
    long end = r.nextBoolean() ? maxSeen + 13 * 3_600_000L : maxSeen - r.nextInt(1_200_000);
    watermark = Math.max(watermark, end);
    fire(buffer, watermark, state, out);

    EngagementOracle oracle = EngagementOracle.of(counted, watermark);
    int compared = 0;
    for (EngagementOracle.Session s : oracle.sessions()) {
      SessionKey key = new SessionKey(s.key().tenant(), s.key().course(), s.key().session());
      List<SessionMinuteFact> expected = new ArrayList<>();
      for (EngagementOracle.Minute m : oracle.minutes(s.key())) {
        expected.add(
            new SessionMinuteFact(
                key,
                m.minuteMs(),
                m.active(),
                m.peak(),
                m.joins(),
                m.presentMs(),
                m.focusedMs(),
                m.cameraMs(),
                m.micMs(),
                m.interactions().get(0),
                m.interactions().get(1),
                m.interactions().get(2),
                m.interactions().get(3)));
      }
      assertThat(out.minutes.getOrDefault(key, List.of()))
          .as("minutes of %s, events %s", key, counted)
          .isEqualTo(expected);
      compared += expected.size();
      if (s.endMs() == null) {
        assertThat(out.sessions).doesNotContainKey(key);
        continue;
      }
      SessionFact fact = out.sessions.get(key);
      assertThat(fact).as("session %s", key).isNotNull();
      assertThat(List.of(fact.startMs(), fact.endMs(), fact.endedBy()))
          .as("session %s, events %s", key, counted)
          .isEqualTo(List.of(s.startMs(), s.endMs(), s.endedBy()));
      List<LearnerSessionFact> expectedLearners = new ArrayList<>();
      for (EngagementOracle.Learner l : oracle.learners(s.key())) {
        expectedLearners.add(
            new LearnerSessionFact(
                key,
                l.user(),
                s.startMs(),
                s.endMs(),
                l.attendanceMs(),
                l.firstJoinedMs(),
                l.lastLeftMs(),
                l.presences(),
                l.focusedMs(),
                l.cameraMs(),
                l.micMs(),
                l.interactions().get(0),
                l.interactions().get(1),
                l.interactions().get(2),
                l.interactions().get(3),
                l.attended(),
                l.score()));
      }
      assertThat(out.learners.getOrDefault(key, List.of()))
          .as("learners of %s, events %s", key, counted)
          .isEqualTo(expectedLearners);
      compared += expectedLearners.size();
      assertThat(fact.learners()).isEqualTo(expectedLearners.size());
      assertThat(fact.peak())
          .isEqualTo(expected.stream().mapToInt(SessionMinuteFact::peak).max().orElse(0));
    }
    return compared;
  }

  /** What the job does when the watermark moves: applies what it passed, in order, then moves. */
  private static void fire(
      List<ClassroomActivity> buffer,
      long watermark,
      Map<SessionKey, SessionEngagement> state,
      Collected out) {
    List<ClassroomActivity> due = new ArrayList<>();
    buffer.removeIf(
        e -> {
          if (e.timeMs() <= watermark) {
            due.add(e);
            return true;
          }
          return false;
        });
    due.sort(ClassroomActivity.APPLY_ORDER);
    for (ClassroomActivity e : due) {
      state.computeIfAbsent(e.key(), SessionEngagement::new).apply(e, out);
    }
    state.values().forEach(s -> s.advanceTo(watermark, out));
  }
}
