-- classroom_sessions: one row per ended classroom session (docs/engagement.md, "Sessions"), written
-- by the classroom job when the session ends. A live session is not here yet: its minutes are.
CREATE TABLE IF NOT EXISTS classroom_sessions
(
    tenant_id        String,
    course_id        String,
    session_id       String,
    session_start    DateTime,
    session_start_ms UInt64,
    session_end_ms   UInt64,
    -- SESSION_ENDED, idle (no event for 30 minutes) or max-length (12 hours).
    ended_by         String,
    peak_concurrent  UInt32,
    -- Learners present for a positive time, and those who attended.
    learners         UInt32,
    attended         UInt32,
    batch_id         String,
    inserted_at      DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(session_start, 'UTC')
ORDER BY (tenant_id, course_id, session_start, session_id);
