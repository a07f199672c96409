package dev.pulse.flink.common.config;

/**
 * How the dedup operator holds its remembered ids: fixed for the life of a job's state (a restore
 * under the other layout starts with no ids remembered), chosen with the state backend.
 */
public enum DedupStateLayout {
  /**
   * One compact open-addressing table of ids per bucket (16,384 buckets) in keyed {@code
   * ValueState}: 32-64 bytes of heap per id, updated in place. For the heap state backend (the
   * default); on RocksDB every new id would rewrite its whole bucket.
   */
  BUCKET_TABLES,

  /**
   * One {@code MapState} entry per id (16-byte key, event time as value) under the same buckets,
   * swept by an event-time timer per bucket. For RocksDB: an id is one small key-value pair, and an
   * incremental checkpoint uploads only what changed.
   */
  ENTRY_PER_ID
}
