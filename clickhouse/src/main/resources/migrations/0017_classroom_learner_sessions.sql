-- classroom_learner_sessions: one row per learner and ended classroom session (docs/engagement.md,
-- "Per learner and session"), written by the classroom job when the session ends.
CREATE TABLE IF NOT EXISTS classroom_learner_sessions
(
    tenant_id        String,
    course_id        String,
    session_id       String,
    user_id          String,
    -- The session's start S (seconds, for partitions and time functions; milliseconds, exact) and end E.
    session_start    DateTime,
    session_start_ms UInt64,
    session_end_ms   UInt64,
    -- Present time, milliseconds.
    attendance_ms    UInt64,
    first_joined_ms  UInt64,
    last_left_ms     UInt64,
    -- Number of presences (1 + rejoins).
    presences        UInt32,
    focused_ms       UInt64,
    camera_ms        UInt64,
    mic_ms           UInt64,
    chat             UInt64,
    hands            UInt64,
    polls            UInt64,
    reactions        UInt64,
    -- 1 when attendance >= the smaller of 5 minutes and half the session.
    attended         UInt8,
    -- The engagement score, 0-100.
    score            UInt8,
    batch_id         String,
    inserted_at      DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(session_start, 'UTC')
-- A course's sessions, then one session's learners; at-risk reads a course's latest sessions.
ORDER BY (tenant_id, course_id, session_start, session_id, user_id);
