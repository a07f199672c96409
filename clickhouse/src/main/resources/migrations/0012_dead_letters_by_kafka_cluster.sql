-- dead_letters keyed by the Kafka cluster too: (topic, partition, offset) names a record only within
-- one Kafka cluster. Under 0009 a new cluster's records at the same offsets (the demo starts a fresh
-- broker for every run and keeps ClickHouse) replaced earlier runs' dead letters at merge. The new
-- column kafka_cluster_id holds the cluster id the job read from the brokers when it started; rows
-- copied from 0009 have '' (recorded before the cluster was).
--
-- Rebuilt like api_requests_raw in 0010 (18.16 cannot change a sorting key): create, swap the names
-- with one RENAME, copy, drop. Re-running after an interruption is safe between any two statements
-- (the CREATE and the RENAME are gated with -- unless-exists:, a repeated copy collapses); a server
-- that died inside the RENAME (dead_letters missing, the other two present) needs RENAME TABLE
-- dead_letters_by_cluster TO dead_letters, then migrate again. By hand (clickhouse-client, without
-- the runner's gates), run this file once.

-- unless-exists: dead_letters_0009
CREATE TABLE IF NOT EXISTS dead_letters_by_cluster
(
    -- Origin of the record: together the record's identity. The Kafka cluster id ('' for rows
    -- written before 0012), then where in that cluster the record was.
    kafka_cluster_id String,
    source_topic String,
    partition    Int32,
    offset       Int64,
    -- Machine-readable reason (e.g. UNDECODABLE, INVALID_FIELD) and a human-readable message.
    reason       String,
    message      String,
    -- The original value bytes, base64, so nothing is lost even when they are not text.
    value_base64 String,
    detected_at  DateTime
)
-- ReplacingMergeTree on the origin: the sink writes at-least-once, and a record replayed after a
-- restore has the same (cluster, topic, partition, offset), so merges (or FINAL) keep one row per record.
ENGINE = ReplacingMergeTree
-- No partition key: replacing works only within a partition, and a replay is detected again at a
-- later detected_at (possibly in another month); dead letters are few, one partition is enough.
ORDER BY (kafka_cluster_id, source_topic, partition, offset);

-- unless-exists: dead_letters_0009
RENAME TABLE dead_letters TO dead_letters_0009, dead_letters_by_cluster TO dead_letters;

INSERT INTO dead_letters
    (kafka_cluster_id, source_topic, partition, offset, reason, message, value_base64, detected_at)
SELECT '', source_topic, partition, offset, reason, message, value_base64, detected_at
FROM dead_letters_0009;

DROP TABLE IF EXISTS dead_letters_0009;
