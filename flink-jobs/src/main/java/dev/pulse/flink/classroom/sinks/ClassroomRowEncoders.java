package dev.pulse.flink.classroom.sinks;

import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.LearnerSessionFact;
import dev.pulse.flink.classroom.records.SessionFact;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.flink.sink.RowEncoder;
import dev.pulse.flink.sink.RowOut;

/**
 * How the classroom job's records become rows of their tables, column for column as the migrations
 * declare them (0001 {@code classroom_events_raw}, 0016-0019).
 */
public final class ClassroomRowEncoders {

  /** A validated, deduplicated event as a row of {@code classroom_events_raw}. */
  public static final RowEncoder<ClassroomActivity> RAW_EVENT = ClassroomRowEncoders::rawEvent;

  /** An event behind the watermark as a row of {@code classroom_events_late}. */
  public static final RowEncoder<ClassroomActivity> LATE_EVENT = ClassroomRowEncoders::lateEvent;

  /** A row of {@code classroom_session_minutes}, without batch_id and inserted_at. */
  public static final RowEncoder<SessionMinuteFact> MINUTE = ClassroomRowEncoders::minute;

  /** A row of {@code classroom_learner_sessions}, without batch_id and inserted_at. */
  public static final RowEncoder<LearnerSessionFact> LEARNER = ClassroomRowEncoders::learner;

  /** A row of {@code classroom_sessions}, without batch_id and inserted_at. */
  public static final RowEncoder<SessionFact> SESSION = ClassroomRowEncoders::session;

  private ClassroomRowEncoders() {}

  private static void rawEvent(ClassroomActivity e, RowOut out) {
    lateEvent(e, out);
    out.string("device", e.device())
        .string("region", e.region())
        .string("app_version", e.appVersion());
  }

  private static void lateEvent(ClassroomActivity e, RowOut out) {
    out.string("event_id", e.eventId())
        .string("tenant_id", e.tenantId())
        .dateTime("event_time", seconds(e.timeMs()))
        .uint64("event_time_ms", e.timeMs())
        .string("course_id", e.courseId())
        .string("session_id", e.sessionId())
        .string("user_id", e.userId())
        .string("role", e.role())
        .string("type", e.type());
  }

  private static RowOut key(SessionKey k, RowOut out) {
    return out.string("tenant_id", k.tenantId())
        .string("course_id", k.courseId())
        .string("session_id", k.sessionId());
  }

  private static void minute(SessionMinuteFact m, RowOut out) {
    key(m.session(), out)
        .dateTime("minute", seconds(m.minuteMs()))
        .uint32("active_learners", m.active())
        .uint32("peak_concurrent", m.peak())
        .uint32("joins", m.joins())
        .uint64("present_ms", m.presentMs())
        .uint64("focused_ms", m.focusedMs())
        .uint64("camera_ms", m.cameraMs())
        .uint64("mic_ms", m.micMs())
        .uint64("chat", m.chat())
        .uint64("hands", m.hands())
        .uint64("polls", m.polls())
        .uint64("reactions", m.reactions());
  }

  private static void learner(LearnerSessionFact l, RowOut out) {
    key(l.session(), out)
        .string("user_id", l.userId())
        .dateTime("session_start", seconds(l.sessionStartMs()))
        .uint64("session_start_ms", l.sessionStartMs())
        .uint64("session_end_ms", l.sessionEndMs())
        .uint64("attendance_ms", l.attendanceMs())
        .uint64("first_joined_ms", l.firstJoinedMs())
        .uint64("last_left_ms", l.lastLeftMs())
        .uint32("presences", l.presences())
        .uint64("focused_ms", l.focusedMs())
        .uint64("camera_ms", l.cameraMs())
        .uint64("mic_ms", l.micMs())
        .uint64("chat", l.chat())
        .uint64("hands", l.hands())
        .uint64("polls", l.polls())
        .uint64("reactions", l.reactions())
        .uint8("attended", l.attended() ? 1 : 0)
        .uint8("score", l.score());
  }

  private static void session(SessionFact s, RowOut out) {
    key(s.session(), out)
        .dateTime("session_start", seconds(s.startMs()))
        .uint64("session_start_ms", s.startMs())
        .uint64("session_end_ms", s.endMs())
        .string("ended_by", s.endedBy())
        .uint32("peak_concurrent", s.peak())
        .uint32("learners", s.learners())
        .uint32("attended", s.attended());
  }

  /** The DateTime (seconds) containing an epoch-millisecond instant. */
  static long seconds(long epochMillis) {
    return Math.floorDiv(epochMillis, 1000L);
  }

  /** The partition time of a minute row, for the exactly-once sink. */
  public static long minuteSeconds(SessionMinuteFact m) {
    return seconds(m.minuteMs());
  }

  /** The partition time of a learner row. */
  public static long learnerSeconds(LearnerSessionFact l) {
    return seconds(l.sessionStartMs());
  }

  /** The partition time of a session row. */
  public static long sessionSeconds(SessionFact s) {
    return seconds(s.startMs());
  }
}
