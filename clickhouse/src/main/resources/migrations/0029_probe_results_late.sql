-- probe_results_late: probe results that arrived later than the probe job's allowed lateness (or
-- beyond its dedup horizon), so they are in no minute row and no SLO (docs/slo.md, "Uptime and
-- incidents"). Columns: those of probe_results_raw (0004).
CREATE TABLE IF NOT EXISTS probe_results_late
(
    event_id      String,
    tenant_id     String,
    event_time    DateTime,
    event_time_ms UInt64,
    target        String,
    region        String,
    success       UInt8,
    latency_ms    Int64,
    error         Nullable(String)
)
-- The sink writes after each checkpoint, at least once: a replayed late result collapses with its
-- first copy at merge (read with FINAL).
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (tenant_id, target, region, event_time, event_id);
