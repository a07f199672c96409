-- Raw video playback events: one row per PlaybackEvent (Avro), as received, deduplicated on event_id.
-- Columns mirror the Avro fields in snake_case (event-schemas/src/main/avro/PlaybackEvent.avsc).
CREATE TABLE IF NOT EXISTS playback_events_raw (
    event_id String,          -- UUID string: the dedup key
    tenant_id String,
    event_time DateTime,      -- seconds; see event_time_ms
    event_time_ms UInt64,     -- epoch milliseconds: startup and rebuffer durations need millisecond precision
    view_id String,
    video_id String,
    course_id String,
    user_id String,
    type String,              -- Avro enum as String: a new symbol must not stop ingestion (Enum8 would reject it)
    bitrate_kbps Nullable(Int32),   -- null in Avro: not reported by this event
    playhead_ms Int64,
    error_code Nullable(String),    -- null in Avro: no error
    fatal UInt8,              -- Avro boolean; 18.16 has no Bool type (0/1)
    cdn String,
    region String,
    device String,
    player String
)
-- Deduplicates replays of an event: equal sorting keys in a partition collapse at merge (read with FINAL).
ENGINE = ReplacingMergeTree
-- Monthly partitions; a duplicate shares event_time with its original, hence its partition.
PARTITION BY toYYYYMM(event_time)
-- QoE is computed per view and read per video: (video_id, view_id, time) keeps a view's events together
-- and in order. event_id last makes the key unique per event; the other columns are fixed by event_id.
ORDER BY (tenant_id, video_id, view_id, event_time, event_id);
