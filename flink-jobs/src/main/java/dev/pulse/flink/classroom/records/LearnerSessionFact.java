package dev.pulse.flink.classroom.records;

/**
 * One learner's facts for an ended session (docs/engagement.md, "Per learner and session").
 *
 * @param session the session
 * @param userId the learner
 * @param sessionStartMs the session's start {@code S}
 * @param sessionEndMs its end {@code E}
 * @param attendanceMs present time
 * @param firstJoinedMs start of the first presence
 * @param lastLeftMs end of the last presence
 * @param presences number of presences (1 + rejoins)
 * @param focusedMs focused present time
 * @param cameraMs present time with the camera on
 * @param micMs present time with the microphone on
 * @param chat chat messages
 * @param hands hands raised
 * @param polls poll answers
 * @param reactions reactions
 * @param attended attendance of at least the smaller of 5 minutes and half the session
 * @param score the engagement score, 0-100
 */
public record LearnerSessionFact(
    SessionKey session,
    String userId,
    long sessionStartMs,
    long sessionEndMs,
    long attendanceMs,
    long firstJoinedMs,
    long lastLeftMs,
    int presences,
    long focusedMs,
    long cameraMs,
    long micMs,
    long chat,
    long hands,
    long polls,
    long reactions,
    boolean attended,
    int score) {}
