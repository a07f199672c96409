-- Raw API request events: one row per ApiRequestEvent (Avro), as received, deduplicated on event_id.
-- Columns mirror the Avro fields in snake_case (event-schemas/src/main/avro/ApiRequestEvent.avsc).
CREATE TABLE IF NOT EXISTS api_requests_raw (
    event_id String,          -- UUID string: the dedup key
    tenant_id String,
    event_time DateTime,      -- seconds; see event_time_ms
    event_time_ms UInt64,     -- epoch milliseconds, exact
    service String,
    endpoint String,          -- route template, not the raw path, so cardinality stays bounded
    method String,            -- Avro enum HttpMethod as String: a new symbol must not stop ingestion
    status_code Int32,        -- Avro int, kept as is rather than narrowed
    latency_us Int64,
    region String,
    trace_id Nullable(String) -- null in Avro: no trace
)
-- Deduplicates replays of an event: equal sorting keys in a partition collapse at merge (read with FINAL).
ENGINE = ReplacingMergeTree
-- Monthly partitions; a duplicate shares event_time with its original, hence its partition.
PARTITION BY toYYYYMM(event_time)
-- SREs read per service and endpoint over time ranges; tenant is not the leading key here because SLOs
-- are per service. event_id last makes the key unique per event; the other columns are fixed by event_id.
ORDER BY (service, endpoint, event_time, event_id);
