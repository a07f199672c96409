-- pulse_rollup_ledger: which rollup views have run on which batch. Each rollup view of a fact
-- table has a ledger view named after it with "_ledger" appended; ClickHouse pushes an insert's
-- block through the table's views one after the other in name order and stops at the first that
-- fails, so "<view>_ledger" runs right after "<view>" and only when it succeeded. When a batch is
-- found stored on a retry or after a restore, the exactly-once sink reads this ledger and inserts
-- the batch's contribution into every rollup whose view had not run on it (a view that failed
-- after the table's own part was stored), then records that here (flink-clickhouse-sink README).
-- "_api_request_minutes_ledger" sorts before every view of the table ('_' before any letter) and
-- records each batch under its own name first: a batch without that row was stored before the
-- ledger existed (or the ledger's own first write failed), and is never repaired from it ('pulse
-- reconcile' checks it). Partitions older than two months are dropped by the sink.
CREATE TABLE IF NOT EXISTS pulse_rollup_ledger
(
    view     String,
    batch_id String,
    created  DateTime
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(created)
ORDER BY (batch_id, view);

-- _api_request_minutes_ledger: runs before every view of api_request_minutes.
CREATE MATERIALIZED VIEW IF NOT EXISTS _api_request_minutes_ledger TO pulse_rollup_ledger AS
SELECT '_api_request_minutes_ledger' AS view, batch_id, now() AS created
FROM api_request_minutes
GROUP BY batch_id;

-- api_request_days_mv_ledger: runs right after api_request_days_mv, for every block it folded.
CREATE MATERIALIZED VIEW IF NOT EXISTS api_request_days_mv_ledger TO pulse_rollup_ledger AS
SELECT 'api_request_days_mv' AS view, batch_id, now() AS created
FROM api_request_minutes
GROUP BY batch_id;

-- api_request_hours_mv_ledger: runs right after api_request_hours_mv, for every block it folded.
CREATE MATERIALIZED VIEW IF NOT EXISTS api_request_hours_mv_ledger TO pulse_rollup_ledger AS
SELECT 'api_request_hours_mv' AS view, batch_id, now() AS created
FROM api_request_minutes
GROUP BY batch_id;
