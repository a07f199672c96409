-- slo_alerts: every alert state change (docs/slo.md, "Alerts"): a row of the workbook's alert table
-- started firing for one SLO of one tenant, or resolved, at the end of the evaluated minute `at`,
-- with the windows and burn rates of that evaluation.
CREATE TABLE IF NOT EXISTS slo_alerts
(
    tenant_id             String,
    slo                   String,
    service               String,
    -- page-fast, page-slow, ticket-fast or ticket-slow.
    alert_row             String,
    -- page or ticket.
    severity              String,
    -- firing or resolved.
    state                 String,
    at                    DateTime,
    -- When the row started firing (for a firing change: at).
    since                 DateTime,
    -- The burn rate both windows had to exceed, the windows (scaled to the SLO period) and the
    -- burn rates over them.
    threshold             Float64,
    long_window_minutes   UInt32,
    short_window_minutes  UInt32,
    burn_long             Float64,
    burn_short            Float64,
    objective             Float64
)
-- Written after the checkpoint that holds the change, again after a restore: one row per change.
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at, 'UTC')
ORDER BY (tenant_id, slo, alert_row, at, state);
