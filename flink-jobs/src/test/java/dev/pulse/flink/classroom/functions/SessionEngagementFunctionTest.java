package dev.pulse.flink.classroom.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.LearnerSessionFact;
import dev.pulse.flink.classroom.records.SessionFact;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The engagement step in Flink's operator harness, with explicit watermarks: minutes come out as
 * the watermark passes each minute's end, learner and session facts at the end, late events to
 * their side output; after the end nothing of the session is left but its end, and a day later no
 * state and no timer at all; a restore from a snapshot mid-session carries on exactly.
 */
class SessionEngagementFunctionTest {

  private static final SessionKey KEY = new SessionKey("t", "c-1", "s-1");

  private static long ms(String time) {
    return Instant.parse("2026-03-02T" + time + "Z").toEpochMilli();
  }

  private static int ids;

  private static StreamRecord<ClassroomActivity> event(
      String time, String user, String role, String type) {
    long t = ms(time);
    return new StreamRecord<>(
        new ClassroomActivity("e" + ids++, "t", "c-1", "s-1", user, role, type, t), t);
  }

  private static KeyedOneInputStreamOperatorTestHarness<
          SessionKey, ClassroomActivity, SessionMinuteFact>
      harness() throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new SessionEngagementFunction()),
            ClassroomActivity::key,
            SessionKey.TYPE);
    harness.open();
    return harness;
  }

  private static List<SessionMinuteFact> minutes(
      KeyedOneInputStreamOperatorTestHarness<SessionKey, ClassroomActivity, SessionMinuteFact> h) {
    List<SessionMinuteFact> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r && r.getValue() instanceof SessionMinuteFact m) {
        out.add(m);
      }
    }
    return out;
  }

  @Test
  void minutesComeOutAsTheWatermarkPassesThemAndTheEndLeavesNoStateNorTimer() throws Exception {
    try (var h = harness()) {
      h.processElement(event("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED"));
      h.processElement(event("10:00:30", "a", "LEARNER", "JOINED"));
      h.processElement(event("10:01:00", "a", "LEARNER", "HEARTBEAT"));
      h.processElement(event("10:01:20", "a", "LEARNER", "CHAT_MESSAGE"));
      h.processWatermark(new Watermark(ms("10:00:59")));
      assertThat(minutes(h)).isEmpty();
      // 10:00 is final once the watermark reaches 10:01:00: a present [10:00:30, 10:01:00).
      h.processWatermark(new Watermark(ms("10:01:00")));
      assertThat(minutes(h))
          .containsExactly(
              new SessionMinuteFact(
                  KEY, ms("10:00:00"), 1, 1, 1, 30_000, 30_000, 0, 0, 0, 0, 0, 0));
      h.processElement(event("10:01:30", "a", "LEARNER", "LEFT"));
      h.processElement(event("10:02:10", "teacher", "INSTRUCTOR", "SESSION_ENDED"));
      // Behind the watermark: late, to its side output, never counted.
      h.processElement(event("10:00:50", "b", "LEARNER", "JOINED"));
      assertThat(h.getSideOutput(SessionEngagementFunction.LATE))
          .extracting(r -> r.getValue().userId())
          .containsExactly("b");
      h.processWatermark(new Watermark(ms("10:02:10")));
      // 10:01: a present [10:01:00, 10:01:30) with one chat; 10:02: nobody, up to the end.
      assertThat(minutes(h))
          .containsExactly(
              new SessionMinuteFact(KEY, ms("10:00:00"), 1, 1, 1, 30_000, 30_000, 0, 0, 0, 0, 0, 0),
              new SessionMinuteFact(KEY, ms("10:01:00"), 1, 1, 0, 30_000, 30_000, 0, 0, 1, 0, 0, 0),
              new SessionMinuteFact(KEY, ms("10:02:00"), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
      // L = 130 s; a: 60 s, attended (>= 65 s? no: 60 < min(300, 65)), A = 60/130, R = 1,
      // P = min(1, 10) = 1, C = 0: 18.46 + 30 + 20 + 0.5 = 68.96 -> 68.
      assertThat(h.getSideOutput(SessionEngagementFunction.LEARNERS))
          .extracting(StreamRecord::getValue)
          .containsExactly(
              new LearnerSessionFact(
                  KEY,
                  "a",
                  ms("10:00:00"),
                  ms("10:02:10"),
                  60_000,
                  ms("10:00:30"),
                  ms("10:01:30"),
                  1,
                  60_000,
                  0,
                  0,
                  1,
                  0,
                  0,
                  0,
                  false,
                  68));
      assertThat(h.getSideOutput(SessionEngagementFunction.SESSIONS))
          .extracting(StreamRecord::getValue)
          .containsExactly(
              new SessionFact(KEY, ms("10:00:00"), ms("10:02:10"), "SESSION_ENDED", 1, 1, 0));
      // Only the session's end is left; a learner who turns up after it is not a new session.
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
      h.processElement(event("10:05:00", "c", "LEARNER", "JOINED"));
      h.processWatermark(new Watermark(ms("10:30:00")));
      assertThat(minutes(h)).hasSize(3);
      // A day later, nothing.
      h.processWatermark(new Watermark(ms("10:02:10") + SessionEngagementFunction.ENDED_MEMORY_MS));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void withAllowedLatenessAnEventThatLateStillCountsAndALaterOneIsLate() throws Exception {
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new SessionEngagementFunction(30_000)),
            ClassroomActivity::key,
            SessionKey.TYPE)) {
      h.open();
      h.processElement(event("10:00:00", "a", "LEARNER", "JOINED"));
      h.processWatermark(new Watermark(ms("10:01:20")));
      // Event time is 10:00:50 (the watermark less 30 s): 10:00 is not final yet.
      assertThat(minutes(h)).isEmpty();
      // 25 s behind the watermark, within the lateness: counted in 10:00.
      h.processElement(event("10:00:55", "a", "LEARNER", "CHAT_MESSAGE"));
      // 35 s behind: late.
      h.processElement(event("10:00:45", "a", "LEARNER", "REACTION"));
      h.processWatermark(new Watermark(ms("10:01:30")));
      assertThat(minutes(h))
          .containsExactly(
              new SessionMinuteFact(
                  KEY, ms("10:00:00"), 1, 1, 1, 60_000, 60_000, 0, 0, 1, 0, 0, 0));
      assertThat(h.getSideOutput(SessionEngagementFunction.LATE))
          .extracting(r -> r.getValue().type())
          .containsExactly("REACTION");
    }
  }

  @Test
  void aSessionNobodyEndsClosesOnTheIdleTimerWithoutAnyEvent() throws Exception {
    try (var h = harness()) {
      h.processElement(event("10:00:00", "a", "LEARNER", "JOINED"));
      h.processWatermark(new Watermark(ms("10:29:59")));
      assertThat(h.getSideOutput(SessionEngagementFunction.SESSIONS)).isNull();
      // Only 10:00 and 10:01 (a: [10:00:00, 10:01:30)); the empty minutes after are held.
      assertThat(minutes(h))
          .extracting(SessionMinuteFact::minuteMs)
          .containsExactly(ms("10:00:00"), ms("10:01:00"));
      h.processWatermark(new Watermark(ms("10:30:00")));
      assertThat(h.getSideOutput(SessionEngagementFunction.SESSIONS))
          .extracting(StreamRecord::getValue)
          .containsExactly(new SessionFact(KEY, ms("10:00:00"), ms("10:01:30"), "idle", 1, 1, 1));
      assertThat(minutes(h)).hasSize(2);
    }
  }

  @Test
  void aRestoreFromASnapshotMidSessionCarriesOnAsIfNothingHappened() throws Exception {
    List<StreamRecord<ClassroomActivity>> first = new ArrayList<>();
    List<StreamRecord<ClassroomActivity>> second = new ArrayList<>();
    first.add(event("10:00:00", "teacher", "INSTRUCTOR", "SESSION_STARTED"));
    for (String u : List.of("a", "b", "c")) {
      first.add(event("10:00:10", u, "LEARNER", "JOINED"));
    }
    first.add(event("10:01:05", "b", "LEARNER", "BLUR"));
    first.add(event("10:01:40", "c", "LEARNER", "CAMERA_ON"));
    first.add(event("10:02:30", "a", "LEARNER", "HEARTBEAT")); // held at the snapshot
    second.add(event("10:02:40", "b", "LEARNER", "REACTION"));
    second.add(event("10:03:00", "c", "LEARNER", "LEFT"));
    second.add(event("10:04:00", "teacher", "INSTRUCTOR", "SESSION_ENDED"));

    List<Object> uninterrupted;
    try (var h = harness()) {
      first.forEach(e -> process(h, e));
      h.processWatermark(new Watermark(ms("10:02:00")));
      second.forEach(e -> process(h, e));
      h.processWatermark(new Watermark(ms("10:04:00")));
      uninterrupted = everything(h);
    }
    OperatorSubtaskState snapshot;
    List<Object> before;
    try (var h = harness()) {
      first.forEach(e -> process(h, e));
      h.processWatermark(new Watermark(ms("10:02:00")));
      before = everything(h);
      snapshot = h.snapshot(1, 1);
    }
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new SessionEngagementFunction()),
            ClassroomActivity::key,
            SessionKey.TYPE)) {
      h.initializeState(snapshot);
      h.open();
      h.processWatermark(new Watermark(ms("10:02:00")));
      second.forEach(e -> process(h, e));
      h.processWatermark(new Watermark(ms("10:04:00")));
      List<Object> all = new ArrayList<>(before);
      all.addAll(everything(h));
      assertThat(all).isEqualTo(uninterrupted);
      assertThat(minutes(h)).isNotEmpty();
    }
  }

  private static void process(
      KeyedOneInputStreamOperatorTestHarness<SessionKey, ClassroomActivity, SessionMinuteFact> h,
      StreamRecord<ClassroomActivity> e) {
    try {
      h.processElement(new StreamRecord<>(e.getValue(), e.getTimestamp()));
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** Minutes, learners and sessions written, in that order. */
  private static List<Object> everything(
      KeyedOneInputStreamOperatorTestHarness<SessionKey, ClassroomActivity, SessionMinuteFact> h) {
    List<Object> all = new ArrayList<>(minutes(h));
    var learners = h.getSideOutput(SessionEngagementFunction.LEARNERS);
    if (learners != null) {
      learners.forEach(r -> all.add(r.getValue()));
    }
    var sessions = h.getSideOutput(SessionEngagementFunction.SESSIONS);
    if (sessions != null) {
      sessions.forEach(r -> all.add(r.getValue()));
    }
    return all;
  }
}
