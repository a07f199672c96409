package dev.pulse.flink.classroom.records;

/**
 * A classroom session: what the classroom job keys its state by.
 *
 * @param tenantId the institution
 * @param courseId the course (another course with the same session id is another session)
 * @param sessionId the session
 */
public record SessionKey(String tenantId, String courseId, String sessionId) {}
