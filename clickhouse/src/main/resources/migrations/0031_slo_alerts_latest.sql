-- slo_alerts_latest: per tenant, SLO and alert row, its latest change in slo_alerts (the newest `at`;
-- at one instant, resolved after firing). The rows firing now are read here, one row per alert row,
-- instead of every change of the history (benchmarks/README.md, "Pages"). slo_alerts_latest_mv
-- passes every change on; merges keep the newest per alert row (by version), and FINAL reads only
-- that. A change seen twice is still one row, so the copy of the existing history below may overlap
-- what the view already wrote.
CREATE TABLE IF NOT EXISTS slo_alerts_latest
(
    tenant_id             String,
    slo                   String,
    service               String,
    alert_row             String,
    severity              String,
    state                 String,
    at                    DateTime,
    since                 DateTime,
    threshold             Float64,
    long_window_minutes   UInt32,
    short_window_minutes  UInt32,
    burn_long             Float64,
    burn_short            Float64,
    objective             Float64,
    version               UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, slo, alert_row);

CREATE MATERIALIZED VIEW IF NOT EXISTS slo_alerts_latest_mv TO slo_alerts_latest AS
SELECT
    tenant_id, slo, service, alert_row, severity, state, at, since, threshold,
    long_window_minutes, short_window_minutes, burn_long, burn_short, objective,
    toUInt64(at) * 2 + (state = 'resolved') AS version
FROM slo_alerts;

INSERT INTO slo_alerts_latest
SELECT
    tenant_id, slo, service, alert_row, severity, state, at, since, threshold,
    long_window_minutes, short_window_minutes, burn_long, burn_short, objective,
    toUInt64(at) * 2 + (state = 'resolved') AS version
FROM slo_alerts;

OPTIMIZE TABLE slo_alerts_latest FINAL;
