-- slo_status: per tenant, SLO and UTC minute, the SLO as evaluated when event time passed the
-- minute's end (docs/slo.md, "Evaluation"): the minute's own counts, the budget over the SLO window
-- ending with the minute, and the burn rate over each reported window ending with it.
CREATE TABLE IF NOT EXISTS slo_status
(
    tenant_id     String,
    slo           String,
    service       String,
    -- UTC start of the evaluated minute; every window ends at minute + 60 s.
    minute        DateTime,
    -- The minute's good and eligible events (for Timeslices: its events, not slices).
    good          UInt64,
    total         UInt64,
    -- The objective, a fraction (0.999 is 99.9 %).
    objective     Float64,
    -- The SLO window: rolling (28 or 30 days) or the calendar month so far; its eligible and bad
    -- events (slices, for Timeslices) and the budget left: 1 - bad / ((1 - objective) x eligible).
    window_start  DateTime,
    eligible      UInt64,
    bad           UInt64,
    remaining     Float64,
    -- bad fraction / (1 - objective) over the minutes of each window; 0 without events.
    burn_5m       Float64,
    burn_30m      Float64,
    burn_1h       Float64,
    burn_2h       Float64,
    burn_6h       Float64,
    burn_1d       Float64,
    burn_3d       Float64,
    inserted_at   DateTime DEFAULT now()
)
-- At least once: an evaluation written again after a restore replaces the earlier copy (FINAL).
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(minute, 'UTC')
ORDER BY (tenant_id, slo, minute);
