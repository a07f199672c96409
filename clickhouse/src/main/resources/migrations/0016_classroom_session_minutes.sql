-- classroom_session_minutes: one row per classroom session and UTC minute (docs/engagement.md,
-- "Per session and minute"), written by the classroom job once the minute is final, so a live
-- session's minutes arrive one by one. Values are the minute's own, not deltas.
CREATE TABLE IF NOT EXISTS classroom_session_minutes
(
    tenant_id       String,
    course_id       String,
    session_id      String,
    -- UTC start of the minute.
    minute          DateTime,
    -- Learners present for a positive time in the minute.
    active_learners UInt32,
    -- Most learners present at one instant of the minute.
    peak_concurrent UInt32,
    -- Presences that started in the minute.
    joins           UInt32,
    -- Learners' present milliseconds, summed, and the parts focused, with camera on, with mic on.
    present_ms      UInt64,
    focused_ms      UInt64,
    camera_ms       UInt64,
    mic_ms          UInt64,
    -- Learner interactions in the minute, by kind.
    chat            UInt64,
    hands           UInt64,
    polls           UInt64,
    reactions       UInt64,
    -- Identity of the sink batch that inserted the row: the exactly-once committer looks it up.
    batch_id        String,
    inserted_at     DateTime DEFAULT now()
)
-- Plain MergeTree written exactly once per batch (as api_request_minutes): no FINAL needed.
ENGINE = MergeTree
-- UTC months: the exactly-once sink cuts its batches by UTC month, one atomic part per INSERT.
PARTITION BY toYYYYMM(minute, 'UTC')
-- Educators read one session's minutes, or a course's sessions, in time order.
ORDER BY (tenant_id, course_id, session_id, minute);
