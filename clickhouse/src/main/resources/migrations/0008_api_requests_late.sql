-- api_requests_late: API request events that arrived later than the Flink job's allowed lateness, so
-- they are not in api_request_minutes; kept whole, with how late they were, for analysts and operators.
-- Columns: those of api_requests_raw (0003), then the lateness information.
CREATE TABLE IF NOT EXISTS api_requests_late
(
    event_id      String,
    tenant_id     String,
    event_time    DateTime,
    event_time_ms UInt64,
    service       String,
    endpoint      String,
    method        String,
    status_code   Int32,
    latency_us    Int64,
    region        String,
    trace_id      Nullable(String),
    -- The job's event-time watermark when the event arrived.
    watermark     DateTime,
    -- How far the event's time was behind that watermark, in milliseconds.
    lateness_ms   UInt64
)
-- ReplacingMergeTree keyed by event_id (with the raw table's leading columns): the sink writes
-- at-least-once, and a replayed late event collapses with its first copy at merge (read with FINAL).
ENGINE = ReplacingMergeTree
-- A replay has the same event_time, hence the same partition, so replacing can see both copies.
PARTITION BY toYYYYMM(event_time)
ORDER BY (service, endpoint, event_time, event_id);
