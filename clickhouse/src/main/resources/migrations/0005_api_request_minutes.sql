-- api_request_minutes: per minute and per (tenant, service, endpoint, method, region), the additive
-- API request facts written by the Flink API metrics job (one row per window firing: the on-time
-- row, then a delta row per late firing). Readers always aggregate: sum / sumMap / max GROUP BY.
CREATE TABLE IF NOT EXISTS api_request_minutes
(
    tenant_id       String,
    service         String,
    endpoint        String,
    method          String,
    region          String,
    -- UTC start of the event-time minute.
    minute          DateTime,
    requests        UInt64,
    -- status 500..599
    errors_5xx      UInt64,
    -- status 400..499
    errors_4xx      UInt64,
    latency_sum_us  UInt64,
    -- max is idempotent: a delta row may repeat the minute's maximum so far.
    latency_max_us  UInt64,
    -- Sparse latency histogram: LatencyBuckets bucket indexes (ascending) and their counts, merged with sumMap.
    latency_buckets Array(Int32),
    latency_counts  Array(UInt64),
    -- Latency SLI: per configured threshold (us), the requests with latency_us <= threshold, merged with sumMap.
    threshold_us    Array(UInt64),
    under_threshold Array(UInt64),
    -- Identity of the sink batch that inserted the row: the exactly-once committer looks it up before inserting.
    batch_id        String,
    inserted_at     DateTime DEFAULT now()
)
-- Plain MergeTree, not Replacing/Summing: every delta row must survive as written (a Replacing engine
-- would drop late deltas, a Summing one would merge away batch_id, which idempotent commits search).
ENGINE = MergeTree
-- Monthly partitions, by UTC month whatever the server's time zone: the exactly-once sink cuts its
-- batches by UTC month, so each INSERT stays within one partition and is one atomic part.
PARTITION BY toYYYYMM(minute, 'UTC')
-- Dashboards filter by tenant, then service/endpoint, then a time range.
ORDER BY (tenant_id, service, endpoint, method, region, minute);
