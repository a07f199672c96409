package dev.pulse.flink.classroom.records;

import java.util.Comparator;

/**
 * One validated classroom event as the classroom job carries it: the fields of {@code
 * ClassroomEvent} that engagement needs, the event id canonical, role and type as their enum names.
 *
 * @param eventId UUID, canonical (lower case): the deduplication key within the tenant
 * @param tenantId the institution
 * @param courseId the course
 * @param sessionId the live session
 * @param userId the participant
 * @param role {@code LEARNER}, {@code INSTRUCTOR}, {@code ASSISTANT} or {@code UNKNOWN}
 * @param type the event type's name, e.g. {@code JOINED}
 * @param timeMs event time, epoch milliseconds
 */
public record ClassroomActivity(
    String eventId,
    String tenantId,
    String courseId,
    String sessionId,
    String userId,
    String role,
    String type,
    long timeMs) {

  /**
   * The order events of one session are applied in (docs/engagement.md, "Sessions"): event time,
   * then SESSION_STARTED, SESSION_ENDED, JOINED, the others, LEFT, then event id.
   */
  public static final Comparator<ClassroomActivity> APPLY_ORDER =
      Comparator.comparingLong(ClassroomActivity::timeMs)
          .thenComparingInt(ClassroomActivity::typeRank)
          .thenComparing(ClassroomActivity::eventId);

  /** The session this event belongs to. */
  public SessionKey key() {
    return new SessionKey(tenantId, courseId, sessionId);
  }

  private int typeRank() {
    return switch (type) {
      case "SESSION_STARTED" -> 0;
      case "SESSION_ENDED" -> 1;
      case "JOINED" -> 2;
      case "LEFT" -> 4;
      default -> 3;
    };
  }
}
