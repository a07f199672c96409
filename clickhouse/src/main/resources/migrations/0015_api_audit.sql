-- pulse_api_audit: one row per GraphQL operation serving-api ran or refused (a query, a subscribe),
-- written by serving-api: who (tenant, subject, roles), what (operation, its top-level fields, a
-- SHA-256 of the document and one of its variables: the arguments, without their values), how
-- (transport), how long, the outcome, and the ClickHouse queries it caused with the rows they read
-- (from system.query_log, by query id). Operators read it through GraphQL (auditTrail) or SQL.
-- A subscription's row is written when it is set up; its duration is the set-up's, not the stream's.
CREATE TABLE IF NOT EXISTS pulse_api_audit
(
    time             DateTime,
    time_ms          UInt64,          -- epoch milliseconds of the start (DateTime64 is not in 18.16)
    tenant_id        String,
    subject          String,
    roles            Array(String),
    transport        String,          -- http, sse, websocket
    operation_type   String,          -- query, mutation, subscription, or '' when unparseable
    operation_name   String,          -- the document's operation name, or ''
    fields           Array(String),   -- top-level fields asked for, aliases resolved to field names
    document_sha256  String,          -- hex SHA-256 of the document text
    variables_sha256 String,          -- hex SHA-256 of the variables as canonical JSON (sorted keys)
    duration_ms      UInt32,
    outcome          String,          -- ok, error, forbidden, refused (a limit), unauthorized, bad_request
    error_types      Array(String),   -- the classification of each error, in order
    query_ids        Array(String),   -- ClickHouse query ids the operation sent (<tenant>/<uuid>)
    rows_read        Nullable(UInt64) -- their read_rows in system.query_log; null when not logged
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (tenant_id, time, subject);
