-- Keys and hours in [{from}, {to}) where api_request_hours differs from the same aggregation of
-- api_request_minutes (or exists on one side only). Columns: bucket (epoch seconds), key (tenant, service,
-- endpoint, method, region), then the minutes' and the rollup's values as text.
SELECT toUnixTimestamp(hour), tenant_id, service, endpoint, method, region,
       toString((f.requests, f.errors_5xx, f.errors_4xx, f.latency_sum_us, f.latency_max_us, f.hist, f.under)),
       toString((r.requests, r.errors_5xx, r.errors_4xx, r.latency_sum_us, r.latency_max_us, r.hist, r.under))
FROM
(
    SELECT tenant_id, service, endpoint, method, region, toStartOfHour(minute, 'UTC') AS hour,
           sum(requests) AS requests, sum(errors_5xx) AS errors_5xx, sum(errors_4xx) AS errors_4xx,
           sum(latency_sum_us) AS latency_sum_us, max(latency_max_us) AS latency_max_us,
           sumMap(latency_buckets, latency_counts) AS hist, sumMap(threshold_us, under_threshold) AS under
    FROM api_request_minutes
    WHERE minute >= {from} AND minute < {to}
    GROUP BY tenant_id, service, endpoint, method, region, hour
) AS f
ANY FULL OUTER JOIN
(
    SELECT tenant_id, service, endpoint, method, region, hour,
           sumMerge(requests) AS requests, sumMerge(errors_5xx) AS errors_5xx, sumMerge(errors_4xx) AS errors_4xx,
           sumMerge(latency_sum_us) AS latency_sum_us, maxMerge(latency_max_us) AS latency_max_us,
           sumMapMerge(latency_hist) AS hist, sumMapMerge(under_threshold) AS under
    FROM api_request_hours
    WHERE hour >= {from} AND hour < {to}
    GROUP BY tenant_id, service, endpoint, method, region, hour
) AS r
USING (tenant_id, service, endpoint, method, region, hour)
WHERE f.requests != r.requests OR f.errors_5xx != r.errors_5xx OR f.errors_4xx != r.errors_4xx
   OR f.latency_sum_us != r.latency_sum_us OR f.latency_max_us != r.latency_max_us
   OR f.hist != r.hist OR f.under != r.under
ORDER BY hour, tenant_id, service, endpoint, method, region
