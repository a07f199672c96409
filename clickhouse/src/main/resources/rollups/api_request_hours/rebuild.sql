-- Recomputes one hour of the rollup from the minute facts, as api_request_hours_mv would have.
INSERT INTO api_request_hours
SELECT tenant_id, service, endpoint, method, region,
       toStartOfHour(minute, 'UTC') AS hour,
       sumState(requests) AS requests, sumState(errors_5xx) AS errors_5xx, sumState(errors_4xx) AS errors_4xx,
       sumState(latency_sum_us) AS latency_sum_us, maxState(latency_max_us) AS latency_max_us,
       sumMapState(latency_buckets, latency_counts) AS latency_hist,
       sumMapState(threshold_us, under_threshold) AS under_threshold
FROM api_request_minutes
WHERE minute >= {bucket} AND minute < {bucket} + 3600
GROUP BY tenant_id, service, endpoint, method, region, hour
