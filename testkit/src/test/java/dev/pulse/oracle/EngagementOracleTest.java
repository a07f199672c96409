package dev.pulse.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.oracle.ClassEvent.SessionKey;
import dev.pulse.oracle.EngagementOracle.AtRisk;
import dev.pulse.oracle.EngagementOracle.Learner;
import dev.pulse.oracle.EngagementOracle.Minute;
import dev.pulse.oracle.EngagementOracle.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engagement oracle against cases worked out by hand from docs/engagement.md, one per rule and
 * edge case: each expected number is derived in the comment above it, never read from the oracle.
 */
class EngagementOracleTest {

  private static final SessionKey KEY = new SessionKey("t", "c-1", "s-1");

  /** Events of one session, written as "HH:MM:SS[.mmm] user ROLE TYPE" on 2026-03-02. */
  private static final class Events {
    private final List<ClassEvent> list = new ArrayList<>();
    private final String session;
    private final String day;

    Events(String session, String day) {
      this.session = session;
      this.day = day;
    }

    Events() {
      this("s-1", "2026-03-02");
    }

    Events add(String time, String user, String role, String type) {
      return add(time, user, role, type, "e" + list.size() + "-" + session);
    }

    Events add(String time, String user, String role, String type, String id) {
      list.add(new ClassEvent(id, "t", "c-1", session, user, role, type, ms(day, time)));
      return this;
    }

    Events learner(String time, String user, String type) {
      return add(time, user, "LEARNER", type);
    }

    Events heartbeats(String user, String from, String until) {
      for (long t = ms(day, from); t < ms(day, until); t += 30_000) {
        list.add(
            new ClassEvent(
                "hb" + list.size() + "-" + session,
                "t",
                "c-1",
                session,
                user,
                "LEARNER",
                "HEARTBEAT",
                t));
      }
      return this;
    }
  }

  private static long ms(String day, String time) {
    return Instant.parse(day + "T" + (time.contains(".") ? time : time + ".000") + "Z")
        .toEpochMilli();
  }

  private static long ms(String time) {
    return ms("2026-03-02", time);
  }

  private static final long LATER = ms("2026-03-03", "00:00:00");

  private static Learner learner(EngagementOracle o, String user) {
    return o.learners(KEY).stream().filter(l -> l.user().equals(user)).findFirst().orElseThrow();
  }

  @Test
  void aLearnersPresenceAttentionInteractionsAndScoreInOneShortSession() {
    // a present [10:00:30, 10:02:00): 90 s; blurred [10:01:00, 10:01:30), so focused 60 s; one
    // chat.
    EngagementOracle o =
        EngagementOracle.of(
            new Events()
                .add("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED")
                .learner("10:00:30", "a", "JOINED")
                .learner("10:01:00", "a", "BLUR")
                .learner("10:01:10", "a", "CHAT_MESSAGE")
                .learner("10:01:30", "a", "FOCUS")
                .learner("10:02:00", "a", "LEFT")
                .add("10:03:00", "teacher", "INSTRUCTOR", "SESSION_ENDED")
                .list,
            LATER);
    assertThat(o.sessions())
        .containsExactly(new Session(KEY, ms("10:00:00"), ms("10:03:00"), "SESSION_ENDED"));
    assertThat(o.minutes(KEY))
        .containsExactly(
            new Minute(KEY, ms("10:00:00"), 1, 1, 1, 30_000, 30_000, 0, 0, List.of(0L, 0L, 0L, 0L)),
            new Minute(KEY, ms("10:01:00"), 1, 1, 0, 60_000, 30_000, 0, 0, List.of(1L, 0L, 0L, 0L)),
            new Minute(KEY, ms("10:02:00"), 0, 0, 0, 0, 0, 0, 0, List.of(0L, 0L, 0L, 0L)));
    // L = 180 s; attended: 90 s >= min(300 s, 90 s). A = 0.5, R = 2/3, P = min(1, 600/90) = 1,
    // C = 0: 20 + 20 + 20 + 0 = 60.
    assertThat(o.learners(KEY))
        .containsExactly(
            new Learner(
                KEY,
                "a",
                90_000,
                ms("10:00:30"),
                ms("10:02:00"),
                1,
                60_000,
                0,
                0,
                List.of(1L, 0L, 0L, 0L),
                true,
                60));
  }

  @Test
  void aLearnerWhoVanishesIsPresentUntilLastSeenPlusTheTimeoutAndARejoinIsANewPresence() {
    // b: joined 10:00:00, heartbeat 10:00:30, silent: present until 10:02:00. Back at 10:05:00
    // (a heartbeat, no JOINED), stays until the end at 10:10:00 with heartbeats every 30 s.
    EngagementOracle o =
        EngagementOracle.of(
            new Events()
                .add("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED")
                .learner("10:00:00", "b", "JOINED")
                .learner("10:00:30", "b", "HEARTBEAT")
                .heartbeats("b", "10:05:00", "10:10:00")
                .add("10:10:00", "teacher", "INSTRUCTOR", "SESSION_ENDED")
                .list,
            LATER);
    Learner b = learner(o, "b");
    // 120 s + 300 s, in two presences; camera and microphone never on.
    assertThat(b.attendanceMs()).isEqualTo(420_000);
    assertThat(b.presences()).isEqualTo(2);
    assertThat(b.firstJoinedMs()).isEqualTo(ms("10:00:00"));
    assertThat(b.lastLeftMs()).isEqualTo(ms("10:10:00"));
    List<Minute> minutes = o.minutes(KEY);
    assertThat(minutes).hasSize(10);
    // 10:02, 10:03, 10:04: nobody; 10:05: the rejoin.
    assertThat(minutes.stream().map(Minute::active).toList())
        .containsExactly(1, 1, 0, 0, 0, 1, 1, 1, 1, 1);
    assertThat(minutes.get(5).joins()).isEqualTo(1);
    // Score: L = 600 s, A = 0.7, R = 1, P = 0, C = 0: 28 + 30 = 58.
    assertThat(b.score()).isEqualTo(58);
  }

  @Test
  void aLeftWithoutJoinedADuplicateJoinedAReplayedEventAndStaffEventsCountForNothingMore() {
    EngagementOracle o =
        EngagementOracle.of(
            new Events()
                .add("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED")
                .learner("10:00:20", "c", "LEFT")
                .learner("10:00:10", "d", "JOINED")
                .learner("10:00:40", "d", "JOINED")
                .add("10:00:50", "d", "LEARNER", "REACTION", "same-id")
                .add("10:00:50", "d", "LEARNER", "REACTION", "SAME-ID")
                .add("10:00:55", "teacher", "INSTRUCTOR", "CHAT_MESSAGE")
                .add("10:00:56", "ta", "ASSISTANT", "JOINED")
                .add("10:00:57", "d", "UNKNOWN", "CHAT_MESSAGE")
                .add("10:00:58", "d", "LEARNER", "UNKNOWN")
                .learner("10:01:10", "d", "LEFT")
                .add("10:02:00", "teacher", "INSTRUCTOR", "SESSION_ENDED")
                .list,
            LATER);
    // Only d: one presence [10:00:10, 10:01:10), one reaction (the replay, same id in another
    // case, is the same event).
    assertThat(o.learners(KEY)).extracting(Learner::user).containsExactly("d");
    Learner d = learner(o, "d");
    assertThat(d.presences()).isEqualTo(1);
    assertThat(d.attendanceMs()).isEqualTo(60_000);
    assertThat(d.interactions()).containsExactly(0L, 0L, 0L, 1L);
    assertThat(o.minutes(KEY).get(0).interactions()).containsExactly(0L, 0L, 0L, 1L);
  }

  @Test
  void eventsBeforeTheStartOpenTheSessionAndEventsAtOrAfterTheEndAreNotCounted() {
    EngagementOracle o =
        EngagementOracle.of(
            new Events()
                .learner("09:59:30", "e", "JOINED")
                .add("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED")
                .learner("10:00:30", "e", "HEARTBEAT")
                .learner("10:01:00", "e", "CHAT_MESSAGE")
                .add("10:01:00", "teacher", "INSTRUCTOR", "SESSION_ENDED")
                .learner("10:01:05", "f", "JOINED")
                .add("10:01:10", "teacher", "INSTRUCTOR", "SESSION_STARTED")
                .list,
            LATER);
    // S is e's JOINED; E is 10:01:00, whose chat is after the end (same millisecond).
    assertThat(o.sessions())
        .containsExactly(new Session(KEY, ms("09:59:30"), ms("10:01:00"), "SESSION_ENDED"));
    assertThat(o.learners(KEY)).extracting(Learner::user).containsExactly("e");
    assertThat(learner(o, "e").attendanceMs()).isEqualTo(90_000);
    assertThat(learner(o, "e").interactions()).containsExactly(0L, 0L, 0L, 0L);
    assertThat(o.minutes(KEY))
        .extracting(Minute::minuteMs)
        .containsExactly(ms("09:59:00"), ms("10:00:00"));
    assertThat(o.minutes(KEY).get(0).presentMs()).isEqualTo(30_000);
  }

  @Test
  void aSessionThatNeverEndsClosesThirtyMinutesAfterItsLastEventAtLastPlusTheTimeout() {
    List<ClassEvent> events =
        new Events()
            .add("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED")
            .learner("10:00:00", "g", "JOINED")
            .learner("10:20:00", "g", "HEARTBEAT")
            .list;
    // 10:20:00 + 30 min = 10:50:00: still open at 10:49:59.999, closed at 10:50:00.
    EngagementOracle open = EngagementOracle.of(events, ms("10:49:59.999"));
    assertThat(open.sessions().get(0).endMs()).isNull();
    assertThat(open.learners(KEY)).isEmpty();
    // Minutes closed by the watermark, 10:00 .. 10:48, but the empty ones from 10:21:30 (the last
    // event + 90 s) on are not known to be in the session: 10:00 .. 10:21.
    assertThat(open.minutes(KEY)).hasSize(22);
    assertThat(open.minutes(KEY).get(21).minuteMs()).isEqualTo(ms("10:21:00"));
    EngagementOracle closed = EngagementOracle.of(events, ms("10:50:00"));
    assertThat(closed.sessions())
        .containsExactly(new Session(KEY, ms("10:00:00"), ms("10:21:30"), "idle"));
    // g vanished after 10:00:00 (no sign of life for 20 min): [10:00:00, 10:01:30), then
    // [10:20:00, 10:21:30).
    assertThat(learner(closed, "g").attendanceMs()).isEqualTo(180_000);
    assertThat(learner(closed, "g").presences()).isEqualTo(2);
    assertThat(closed.minutes(KEY)).hasSize(22);
  }

  @Test
  void aSessionEndsTwelveHoursAfterItsStartAtTheLatest() {
    Events e = new Events().add("06:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED");
    e.heartbeats("zombie", "06:00:00", "19:00:00");
    EngagementOracle o = EngagementOracle.of(e.list, LATER);
    assertThat(o.sessions())
        .containsExactly(new Session(KEY, ms("06:00:00"), ms("18:00:00"), "max-length"));
    assertThat(learner(o, "zombie").attendanceMs()).isEqualTo(12 * 3_600_000L);
    assertThat(o.minutes(KEY)).hasSize(720);
  }

  @Test
  void peakConcurrentCountsLearnersAtOneInstantActiveCountsTheMinute() {
    EngagementOracle o =
        EngagementOracle.of(
            new Events()
                .add("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED")
                .learner("10:00:00", "a", "JOINED")
                .learner("10:00:20", "a", "LEFT")
                .learner("10:00:30", "b", "JOINED")
                .learner("10:00:40", "c", "JOINED")
                .learner("10:00:45", "z", "JOINED")
                .learner("10:00:45", "z", "LEFT")
                .add("10:01:00", "teacher", "INSTRUCTOR", "SESSION_ENDED")
                .list,
            LATER);
    // a [0, 20 s), b [30 s, 60 s), c [40 s, 60 s); z's zero-length presence counts for nothing.
    Minute m = o.minutes(KEY).get(0);
    assertThat(m.active()).isEqualTo(3);
    assertThat(m.peak()).isEqualTo(2);
    assertThat(m.joins()).isEqualTo(3);
    assertThat(m.presentMs()).isEqualTo(20_000 + 30_000 + 20_000);
    assertThat(o.learners(KEY)).extracting(Learner::user).containsExactly("a", "b", "c");
  }

  @Test
  void cameraAndMicrophoneSharesAndTheScoresRoundingAndAttendedThreshold() {
    // L = 20 min. h: [10:00, 10:20), camera on from 10:05 (15 min), mic [10:10, 10:12) (2 min),
    // 3 chats. A = 1, R = 1, P = min(1, 3 * 10 / 20) = 1, C = max(0.75, 0.1) = 0.75:
    // 40 + 30 + 20 + 7.5 + 0.5 = 98.
    // k: [10:00, 10:04:59.999) blurred from 10:01: 4:59.999 < 5 min, not attended;
    // A = 299999/1200000, R = 60000/299999, P = 0, C = 0: 9.99997 + 6.00002 + 0.5 = 16.49999 -> 16.
    Events e = new Events().add("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED");
    e.learner("10:00:00", "h", "JOINED").heartbeats("h", "10:00:30", "10:20:00");
    e.learner("10:05:00", "h", "CAMERA_ON").learner("10:10:00", "h", "MIC_ON");
    e.learner("10:12:00", "h", "MIC_OFF");
    e.learner("10:01:00", "h", "CHAT_MESSAGE").learner("10:02:00", "h", "CHAT_MESSAGE");
    e.learner("10:03:00", "h", "CHAT_MESSAGE");
    e.learner("10:00:00", "k", "JOINED").learner("10:01:00", "k", "BLUR");
    e.heartbeats("k", "10:01:00", "10:04:30").learner("10:04:59.999", "k", "LEFT");
    e.add("10:20:00", "teacher", "INSTRUCTOR", "SESSION_ENDED");
    EngagementOracle o = EngagementOracle.of(e.list, LATER);
    Learner h = learner(o, "h");
    assertThat(h.cameraMs()).isEqualTo(15 * 60_000);
    assertThat(h.micMs()).isEqualTo(2 * 60_000);
    assertThat(h.score()).isEqualTo(98);
    Learner k = learner(o, "k");
    assertThat(k.attendanceMs()).isEqualTo(299_999);
    assertThat(k.attended()).isFalse();
    assertThat(k.focusedMs()).isEqualTo(60_000);
    assertThat(k.score()).isEqualTo(16);
  }

  @Test
  void atRiskNamesTheRuleAndTheNumbersOverTheLastThreeSessions() {
    List<ClassEvent> all = new ArrayList<>();
    // Four sessions on four days, each 10:00-10:30. x attends all four, fully and focused; y
    // attends only the oldest and the newest; w attends the newest three (below).
    String[] days = {"2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"};
    for (int d = 0; d < days.length; d++) {
      Events e = new Events("s-" + d, days[d]);
      e.add("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED");
      e.learner("10:00:00", "x", "JOINED").heartbeats("x", "10:00:30", "10:30:00");
      if (d == 0 || d == 3) {
        e.learner("10:00:00", "y", "JOINED").heartbeats("y", "10:00:30", "10:30:00");
      }
      if (d >= 1) {
        // w: in s-1 present the whole 30 min, focused. In s-2 and s-3 blurred from the start and
        // gone at 10:15: A = 0.5, R = 0, P = 0, C = 0: 20 + 0.5 -> 20, below 40, though attended.
        e.learner("10:00:00", "w", "JOINED");
        if (d == 1) {
          e.heartbeats("w", "10:00:30", "10:30:00");
        } else {
          e.learner("10:00:00", "w", "BLUR").heartbeats("w", "10:00:30", "10:15:00");
          e.learner("10:15:00", "w", "LEFT");
        }
      }
      e.add("10:30:00", "teacher", "INSTRUCTOR", "SESSION_ENDED");
      all.addAll(e.list);
    }
    EngagementOracle o = EngagementOracle.of(all, ms("2026-03-06", "00:00:00"));
    // The last three are s-3, s-2, s-1. y attended only s-3; w attended all three (15 min >=
    // 5 min) but scored 20 in s-3 and s-2.
    assertThat(o.atRisk("t", "c-1"))
        .containsExactly(
            new AtRisk("w", "scored below 40 in 2 of the last 3 sessions (20, 20)"),
            new AtRisk("y", "attended 1 of the last 3 sessions"));
    // With only the first two sessions ended, nobody is at risk yet.
    assertThat(EngagementOracle.of(all, ms("2026-03-04", "00:00:00")).atRisk("t", "c-1")).isEmpty();
  }
}
