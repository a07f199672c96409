-- slo_status_latest: per tenant and SLO, its latest evaluation in slo_status (the newest minute; of
-- copies of one minute, as slo_status FINAL, the last written). The SLO list and an SLO's page read
-- one row per SLO here instead of every minute of the history (benchmarks/README.md, "Pages": the
-- list's cost no longer grows with the months kept). slo_status_latest_mv passes every evaluation on;
-- merges keep the newest minute per SLO (by version), and FINAL reads only that. A row seen twice is
-- still one row, so the copy of the existing history below may overlap what the view already wrote.
CREATE TABLE IF NOT EXISTS slo_status_latest
(
    tenant_id     String,
    slo           String,
    service       String,
    minute        DateTime,
    objective     Float64,
    window_start  DateTime,
    eligible      UInt64,
    bad           UInt64,
    remaining     Float64,
    burn_5m       Float64,
    burn_30m      Float64,
    burn_1h       Float64,
    burn_2h       Float64,
    burn_6h       Float64,
    burn_1d       Float64,
    burn_3d       Float64,
    -- minute, then inserted_at (the later copy of a minute wins, as in slo_status FINAL).
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, slo);

CREATE MATERIALIZED VIEW IF NOT EXISTS slo_status_latest_mv TO slo_status_latest AS
SELECT
    tenant_id, slo, service, minute, objective, window_start, eligible, bad, remaining,
    burn_5m, burn_30m, burn_1h, burn_2h, burn_6h, burn_1d, burn_3d,
    toUInt64(minute) * 4294967296 + toUInt64(inserted_at) AS version
FROM slo_status;

INSERT INTO slo_status_latest
SELECT
    tenant_id, slo, service, minute, objective, window_start, eligible, bad, remaining,
    burn_5m, burn_30m, burn_1h, burn_2h, burn_6h, burn_1d, burn_3d,
    toUInt64(minute) * 4294967296 + toUInt64(inserted_at) AS version
FROM slo_status;

OPTIMIZE TABLE slo_status_latest FINAL;
