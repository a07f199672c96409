-- api_requests_late keyed per tenant, with canonical (lower-case) event ids, like api_requests_raw
-- in 0010 (which says why, and how the rebuild works and resumes). Re-running after an interruption
-- is safe between any two statements; a server that died inside the RENAME (api_requests_late
-- missing, the other two present) needs RENAME TABLE api_requests_late_by_tenant TO
-- api_requests_late, then migrate again. By hand (clickhouse-client), run this file once.

-- unless-exists: api_requests_late_0008
CREATE TABLE IF NOT EXISTS api_requests_late_by_tenant
(
    event_id      String,     -- UUID in lower case (canonical)
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
-- ReplacingMergeTree on the raw table's key: the sink writes at-least-once, and a replayed late event
-- collapses with its first copy at merge (read with FINAL).
ENGINE = ReplacingMergeTree
-- A replay has the same event_time, hence the same partition, so replacing can see both copies.
PARTITION BY toYYYYMM(event_time)
ORDER BY (service, endpoint, event_time, tenant_id, event_id);

-- unless-exists: api_requests_late_0008
RENAME TABLE api_requests_late TO api_requests_late_0008, api_requests_late_by_tenant TO api_requests_late;

INSERT INTO api_requests_late
    (event_id, tenant_id, event_time, event_time_ms, service, endpoint, method, status_code,
     latency_us, region, trace_id, watermark, lateness_ms)
SELECT lower(event_id), tenant_id, event_time, event_time_ms, service, endpoint, method, status_code,
       latency_us, region, trace_id, watermark, lateness_ms
FROM api_requests_late_0008;

DROP TABLE IF EXISTS api_requests_late_0008;
