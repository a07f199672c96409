package dev.pulse.flink.classroom.records;

/**
 * One minute of a session (docs/engagement.md, "Per session and minute"), final when written.
 *
 * @param session the session
 * @param minuteMs the minute's UTC start, epoch milliseconds
 * @param active learners present for a positive time in the minute
 * @param peak most learners present at one instant of the minute
 * @param joins presences that started in the minute
 * @param presentMs learners' present milliseconds, summed
 * @param focusedMs the focused part of it
 * @param cameraMs the part with the camera on
 * @param micMs the part with the microphone on
 * @param chat chat messages
 * @param hands hands raised
 * @param polls poll answers
 * @param reactions reactions
 */
public record SessionMinuteFact(
    SessionKey session,
    long minuteMs,
    int active,
    int peak,
    int joins,
    long presentMs,
    long focusedMs,
    long cameraMs,
    long micMs,
    long chat,
    long hands,
    long polls,
    long reactions) {}
