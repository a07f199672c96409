-- api_request_days: the daily rollup of api_request_minutes, as aggregate states; read with
-- sumMerge / maxMerge / sumMapMerge GROUP BY day, never directly.
CREATE TABLE IF NOT EXISTS api_request_days
(
    tenant_id       String,
    service         String,
    endpoint        String,
    method          String,
    region          String,
    -- UTC calendar day.
    day             Date,
    requests        AggregateFunction(sum, UInt64),
    errors_5xx      AggregateFunction(sum, UInt64),
    errors_4xx      AggregateFunction(sum, UInt64),
    latency_sum_us  AggregateFunction(sum, UInt64),
    latency_max_us  AggregateFunction(max, UInt64),
    -- (bucket -> count) merged with sumMap: the day's latency histogram.
    latency_hist    AggregateFunction(sumMap, Array(Int32), Array(UInt64)),
    -- (threshold_us -> requests under it) merged with sumMap.
    under_threshold AggregateFunction(sumMap, Array(UInt64), Array(UInt64))
)
-- AggregatingMergeTree: merges combine the states of one key and day, so storage stays one row per
-- key and day while every insert (including a late delta) still adds exactly its own contribution.
ENGINE = AggregatingMergeTree
-- Yearly partitions: a day row per key is small, monthly partitions would be many tiny parts.
PARTITION BY toYear(day)
ORDER BY (tenant_id, service, endpoint, method, region, day);

-- api_request_days_mv: folds every block inserted into api_request_minutes into api_request_days.
-- It sees only the inserted block, so each minute row is added exactly once per INSERT of it; the
-- exactly-once sink never inserts a batch twice, so the rollup never double counts.
CREATE MATERIALIZED VIEW IF NOT EXISTS api_request_days_mv TO api_request_days AS
SELECT
    tenant_id,
    service,
    endpoint,
    method,
    region,
    toDate(minute, 'UTC')                       AS day,
    sumState(requests)                          AS requests,
    sumState(errors_5xx)                        AS errors_5xx,
    sumState(errors_4xx)                        AS errors_4xx,
    sumState(latency_sum_us)                    AS latency_sum_us,
    maxState(latency_max_us)                    AS latency_max_us,
    sumMapState(latency_buckets, latency_counts) AS latency_hist,
    sumMapState(threshold_us, under_threshold)  AS under_threshold
FROM api_request_minutes
GROUP BY tenant_id, service, endpoint, method, region, day;
