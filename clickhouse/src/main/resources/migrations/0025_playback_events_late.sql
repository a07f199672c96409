-- playback_events_late: player events that arrived after the playback job had forgotten their view
-- (2 hours after it ended) or before it knew it, behind event time, so they are in no QoE number
-- (docs/qoe.md, "Late events"). Columns: those of playback_events_raw (0002) that QoE reads.
CREATE TABLE IF NOT EXISTS playback_events_late
(
    event_id      String,
    tenant_id     String,
    event_time    DateTime,
    event_time_ms UInt64,
    view_id       String,
    video_id      String,
    course_id     String,
    type          String
)
-- At least once after each checkpoint: a replayed late event collapses with its first copy (FINAL).
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (tenant_id, video_id, view_id, event_time, event_id);
