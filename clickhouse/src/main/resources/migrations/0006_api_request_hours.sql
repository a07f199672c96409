-- api_request_hours: the hourly rollup of api_request_minutes, as aggregate states; read with
-- sumMerge / maxMerge / sumMapMerge GROUP BY hour, never directly.
CREATE TABLE IF NOT EXISTS api_request_hours
(
    tenant_id       String,
    service         String,
    endpoint        String,
    method          String,
    region          String,
    -- UTC start of the hour.
    hour            DateTime,
    requests        AggregateFunction(sum, UInt64),
    errors_5xx      AggregateFunction(sum, UInt64),
    errors_4xx      AggregateFunction(sum, UInt64),
    latency_sum_us  AggregateFunction(sum, UInt64),
    latency_max_us  AggregateFunction(max, UInt64),
    -- (bucket -> count) merged with sumMap: the hour's latency histogram.
    latency_hist    AggregateFunction(sumMap, Array(Int32), Array(UInt64)),
    -- (threshold_us -> requests under it) merged with sumMap.
    under_threshold AggregateFunction(sumMap, Array(UInt64), Array(UInt64))
)
-- AggregatingMergeTree: merges combine the states of one key and hour, so storage stays one row per
-- key and hour while every insert (including a late delta) still adds exactly its own contribution.
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour, 'UTC')
ORDER BY (tenant_id, service, endpoint, method, region, hour);

-- api_request_hours_mv: folds every block inserted into api_request_minutes into api_request_hours.
-- It sees only the inserted block, so each minute row is added exactly once per INSERT of it; the
-- exactly-once sink never inserts a batch twice, so the rollup never double counts.
CREATE MATERIALIZED VIEW IF NOT EXISTS api_request_hours_mv TO api_request_hours AS
SELECT
    tenant_id,
    service,
    endpoint,
    method,
    region,
    toStartOfHour(minute, 'UTC')                AS hour,
    sumState(requests)                          AS requests,
    sumState(errors_5xx)                        AS errors_5xx,
    sumState(errors_4xx)                        AS errors_4xx,
    sumState(latency_sum_us)                    AS latency_sum_us,
    maxState(latency_max_us)                    AS latency_max_us,
    sumMapState(latency_buckets, latency_counts) AS latency_hist,
    sumMapState(threshold_us, under_threshold)  AS under_threshold
FROM api_request_minutes
GROUP BY tenant_id, service, endpoint, method, region, hour;
