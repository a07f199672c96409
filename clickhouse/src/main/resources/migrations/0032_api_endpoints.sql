-- api_endpoints: per tenant, service, endpoint and method, the last UTC day it served requests. The
-- services list (GraphQL `services`) reads one row per endpoint and method here instead of every day
-- of api_request_days (benchmarks/README.md, "Pages": the list's cost no longer grows with the days
-- kept). api_endpoints_mv passes each minute-fact batch on, grouped; merges keep one row per key (the
-- latest day), and a row seen twice is still one row, so any repeat is harmless: the copy of the
-- existing days below, a batch written again. api_endpoints_mv_ledger records each batch the view
-- ran on (0014), so the sink completes a batch the view missed.
CREATE TABLE IF NOT EXISTS api_endpoints
(
    tenant_id  String,
    service    String,
    endpoint   String,
    method     String,
    last_day   Date
)
ENGINE = ReplacingMergeTree(last_day)
ORDER BY (tenant_id, service, endpoint, method);

CREATE MATERIALIZED VIEW IF NOT EXISTS api_endpoints_mv TO api_endpoints AS
SELECT tenant_id, service, endpoint, method, max(toDate(minute, 'UTC')) AS last_day
FROM api_request_minutes
GROUP BY tenant_id, service, endpoint, method;

CREATE MATERIALIZED VIEW IF NOT EXISTS api_endpoints_mv_ledger TO pulse_rollup_ledger AS
SELECT 'api_endpoints_mv' AS view, batch_id, now() AS created
FROM api_request_minutes
GROUP BY batch_id;

INSERT INTO api_endpoints
SELECT tenant_id, service, endpoint, method, max(day) AS last_day
FROM api_request_days
GROUP BY tenant_id, service, endpoint, method;

OPTIMIZE TABLE api_endpoints FINAL;
