-- probe_minutes: per UTC minute and per (tenant, target, region), the additive facts of the probe
-- job's checks (docs/slo.md, "Uptime and incidents"): checks, successes and their summed latency.
-- The on-time row of a minute, then a row per firing for checks within the allowed lateness, so a
-- minute may have several rows: readers always aggregate (sum ... GROUP BY). Uptime of a minute =
-- successes / checks; incidents are found from these rows at read time.
CREATE TABLE IF NOT EXISTS probe_minutes
(
    tenant_id      String,
    target         String,
    region         String,
    -- UTC start of the event-time minute.
    minute         DateTime,
    checks         Int64,
    successes      Int64,
    -- Milliseconds, summed over the checks (a timed-out check counts its timeout).
    latency_ms_sum Int64,
    -- Identity of the sink batch that inserted the row: the exactly-once committer looks it up.
    batch_id       String,
    inserted_at    DateTime DEFAULT now()
)
-- Plain MergeTree, as api_request_minutes (0005): every row must survive as written.
ENGINE = MergeTree
PARTITION BY toYYYYMM(minute, 'UTC')
-- Uptime and incidents are read per tenant and target over a time range, then by region.
ORDER BY (tenant_id, target, minute, region);
