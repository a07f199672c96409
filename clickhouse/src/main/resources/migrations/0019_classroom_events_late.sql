-- classroom_events_late: classroom events that arrived after the classroom job's watermark had
-- passed their time, so they are in no engagement metric (docs/engagement.md, "Late events").
-- Columns: those of classroom_events_raw (0001) that engagement reads.
CREATE TABLE IF NOT EXISTS classroom_events_late
(
    event_id      String,
    tenant_id     String,
    event_time    DateTime,
    event_time_ms UInt64,
    course_id     String,
    session_id    String,
    user_id       String,
    role          String,
    type          String
)
-- The sink writes after each checkpoint, at least once: a replayed late event collapses with its
-- first copy at merge (read with FINAL).
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (tenant_id, course_id, session_id, event_time, event_id);
