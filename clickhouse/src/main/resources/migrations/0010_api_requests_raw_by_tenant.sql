-- api_requests_raw keyed per tenant, with canonical (lower-case) event ids: the identity the Flink
-- job deduplicates on (tenant_id, event_id with UUID letter case ignored), so that storage agrees
-- with it. Under 0003 the sorting key had no tenant_id, so the same event_id reused by two tenants in
-- one second at one service and endpoint collapsed into one row; and a copy of an id in other letter
-- case (a retry older than the dedup horizon) stayed a second row. 0011 does the same for
-- api_requests_late.
--
-- 18.16 cannot change a sorting key (no ALTER ... MODIFY ORDER BY), so the table is rebuilt: create
-- the new table, swap the names with one RENAME, copy the old rows with lower(event_id), drop the
-- old table. Writers that run meanwhile are not stopped: after the RENAME they write into the new
-- table, an INSERT already running finishes into the old one first (RENAME waits for it), and the
-- copy takes it over. The copy reads every old row once (about 500,000 rows/s on a shared 2-core
-- machine), and the disk holds both tables meanwhile. Rows the earlier key had already merged
-- together (two tenants' events with one id) cannot be told apart again.
--
-- Re-running after an interruption is safe between any two statements: the CREATE and the RENAME
-- run only while the old table's retired name does not exist (-- unless-exists:, MigrationRunner),
-- and a repeated copy writes rows that collapse with the first copy (same sorting key). Only a server
-- that died inside the RENAME, between its two renames (api_requests_raw missing, the other two
-- present), needs a hand: RENAME TABLE api_requests_raw_by_tenant TO api_requests_raw, then migrate
-- again. By hand (clickhouse-client, without the runner's gates), run this file once.

-- unless-exists: api_requests_raw_0003
CREATE TABLE IF NOT EXISTS api_requests_raw_by_tenant (
    event_id String,          -- UUID in lower case (canonical): the dedup key within the tenant
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
-- SREs read per service and endpoint over time ranges (SLOs are per service, so tenant does not lead).
-- (tenant_id, event_id) last: an event's identity, as the job deduplicates; the other columns are
-- fixed by the event, so copies of one event share the whole key.
ORDER BY (service, endpoint, event_time, tenant_id, event_id);

-- unless-exists: api_requests_raw_0003
RENAME TABLE api_requests_raw TO api_requests_raw_0003, api_requests_raw_by_tenant TO api_requests_raw;

INSERT INTO api_requests_raw
    (event_id, tenant_id, event_time, event_time_ms, service, endpoint, method, status_code,
     latency_us, region, trace_id)
SELECT lower(event_id), tenant_id, event_time, event_time_ms, service, endpoint, method, status_code,
       latency_us, region, trace_id
FROM api_requests_raw_0003;

DROP TABLE IF EXISTS api_requests_raw_0003;
