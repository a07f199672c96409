package dev.pulse.flink.classroom.records;

/**
 * An ended session (docs/engagement.md, "Sessions").
 *
 * @param session the session
 * @param startMs its start {@code S}
 * @param endMs its end {@code E}
 * @param endedBy {@code SESSION_ENDED}, {@code idle} or {@code max-length}
 * @param peak most learners present at one instant
 * @param learners learners present for a positive time
 * @param attended learners who attended
 */
public record SessionFact(
    SessionKey session,
    long startMs,
    long endMs,
    String endedBy,
    int peak,
    int learners,
    int attended) {}
