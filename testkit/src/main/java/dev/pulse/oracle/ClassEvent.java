package dev.pulse.oracle;

import java.util.Objects;

/**
 * One classroom event as the engagement oracle reads it: the contract's fields, with the enums as
 * their symbol names (so the oracle needs none of the pipeline's generated classes; {@code
 * dev.pulse.testing.SentEvents} makes them from the records a test sent).
 *
 * @param eventId the producer's UUID (compared in lower case)
 * @param tenant the institution
 * @param course the course
 * @param session the session
 * @param user the participant
 * @param role {@code LEARNER}, {@code INSTRUCTOR}, {@code ASSISTANT} or {@code UNKNOWN}
 * @param type the event type's symbol, e.g. {@code JOINED}
 * @param timeMs the event time, epoch milliseconds
 */
public record ClassEvent(
    String eventId,
    String tenant,
    String course,
    String session,
    String user,
    String role,
    String type,
    long timeMs) {

  public ClassEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(course, "course");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(type, "type");
  }

  /** The session this event belongs to. */
  public SessionKey key() {
    return new SessionKey(tenant, course, session);
  }

  /**
   * A session: one (tenant, course, session id).
   *
   * @param tenant the institution
   * @param course the course
   * @param session the session id
   */
  public record SessionKey(String tenant, String course, String session)
      implements Comparable<SessionKey> {
    @Override
    public int compareTo(SessionKey o) {
      int c = tenant.compareTo(o.tenant);
      if (c == 0) {
        c = course.compareTo(o.course);
      }
      return c != 0 ? c : session.compareTo(o.session);
    }
  }
}
