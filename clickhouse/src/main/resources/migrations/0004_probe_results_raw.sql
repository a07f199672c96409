-- Raw synthetic probe results (uptime checks): one row per ProbeResult (Avro), deduplicated on event_id.
-- Columns mirror the Avro fields in snake_case (event-schemas/src/main/avro/ProbeResult.avsc).
CREATE TABLE IF NOT EXISTS probe_results_raw (
    event_id String,          -- UUID string: the dedup key
    tenant_id String,
    event_time DateTime,      -- seconds; see event_time_ms
    event_time_ms UInt64,     -- epoch milliseconds, exact
    target String,
    region String,
    success UInt8,            -- Avro boolean; 18.16 has no Bool type (0/1)
    latency_ms Int64,
    error Nullable(String)    -- null in Avro: the probe succeeded
)
-- Deduplicates replays of an event: equal sorting keys in a partition collapse at merge (read with FINAL).
ENGINE = ReplacingMergeTree
-- Monthly partitions; a duplicate shares event_time with its original, hence its partition.
PARTITION BY toYYYYMM(event_time)
-- Uptime is read per target (and region) over time. event_id last makes the key unique per event;
-- the other columns are fixed by event_id.
ORDER BY (target, region, event_time, event_id);
