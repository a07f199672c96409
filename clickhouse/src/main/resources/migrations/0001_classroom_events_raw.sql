-- Raw classroom events: one row per ClassroomEvent (Avro), as received, deduplicated on event_id.
-- Columns mirror the Avro fields in snake_case (event-schemas/src/main/avro/ClassroomEvent.avsc).
CREATE TABLE IF NOT EXISTS classroom_events_raw (
    event_id String,          -- UUID string: the dedup key
    tenant_id String,         -- institution
    -- DateTime64 does not exist on 18.16, so the instant is kept twice: event_time (seconds, for
    -- partitioning, sorting and time functions) and event_time_ms (epoch milliseconds, exact, for
    -- durations). Writers fill both from the same Avro timestamp-millis value.
    event_time DateTime,
    event_time_ms UInt64,
    course_id String,
    session_id String,
    user_id String,
    -- Enums are stored as String, not Enum8: an Enum8 column rejects a symbol added to the Avro enum
    -- later, which would stop ingestion; LowCardinality(String) needs an experimental flag on 18.16.
    role String,
    type String,
    device String,
    region String,
    app_version String
)
-- ReplacingMergeTree: rows with equal sorting keys in one partition collapse at merge time, so a
-- replayed event (same event_id, same content) leaves one row. Read with FINAL for exact counts
-- before merges finish.
ENGINE = ReplacingMergeTree
-- Monthly partitions: the usual granularity for time-ranged queries and for dropping old data; a
-- duplicate has the same event_time as its original, so it always lands in the same partition.
PARTITION BY toYYYYMM(event_time)
-- Educators read by course and session, in time order; event_id last makes the key unique per event,
-- and every other key column is fixed by event_id, so copies of one event share the whole key.
ORDER BY (tenant_id, course_id, session_id, event_time, event_id);
