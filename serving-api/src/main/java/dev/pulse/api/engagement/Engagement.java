package dev.pulse.api.engagement;

import java.time.Instant;

/** The shapes of the engagement schema (engagement.graphqls), field for field. */
final class Engagement {

  private Engagement() {}

  record Course(String id, int sessions, Instant lastSessionStart, String liveSession) {}

  record CourseOverview(
      String id, java.util.List<CourseSession> sessions, java.util.List<CourseDay> days) {}

  record CourseSession(
      String session,
      Instant start,
      Instant end,
      String endedBy,
      int learners,
      int attended,
      int peakConcurrent,
      Double meanScore) {}

  record CourseDay(
      String day,
      int sessions,
      int attendedLearnerSessions,
      int uniqueAttendingLearners,
      Double meanAttention,
      long interactions) {}

  record ClassSession(
      String course,
      String session,
      boolean live,
      java.util.List<SessionMinute> minutes,
      java.util.List<LearnerSession> learners) {}

  record SessionMinute(
      Instant time,
      int activeLearners,
      int peakConcurrent,
      int joins,
      Double attention,
      long chat,
      long hands,
      long polls,
      long reactions) {}

  record LearnerSession(
      String session,
      String learner,
      Instant sessionStart,
      double attendanceMinutes,
      int presences,
      double attentionRatio,
      double cameraShare,
      double micShare,
      long chat,
      long hands,
      long polls,
      long reactions,
      boolean attended,
      int score) {}

  record AtRiskLearner(String learner, String reason) {}
}
