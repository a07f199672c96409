-- dead_letters: every input record that could not be used (undecodable, unknown schema, invalid
-- fields, absurd timestamps), with its origin and the reason, as written by the Flink jobs; the
-- same records also go to each topic's dead-letter topic.
CREATE TABLE IF NOT EXISTS dead_letters
(
    -- Origin of the record: together the record's identity.
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
-- restore has the same (topic, partition, offset), so merges (or FINAL) keep one row per record.
ENGINE = ReplacingMergeTree
-- No partition key: replacing works only within a partition, and a replay is detected again at a
-- later detected_at (possibly in another month); dead letters are few, one partition is enough.
ORDER BY (source_topic, partition, offset);
