package dev.pulse.flink.sink;

/**
 * How a {@link ClickHouseSink} makes its rows survive a failure and restore: chosen per table by
 * the kind of table it writes.
 */
public enum DeliveryMode {
  /**
   * Every row reaches ClickHouse at least once: rows are inserted when a batch fills or ages, and
   * at every checkpoint the writer inserts what it buffers before the checkpoint may complete. A
   * restore replays rows inserted after the last checkpoint, so the target must deduplicate by a
   * row identity (ReplacingMergeTree on event_id, or on origin topic/partition/offset).
   */
  AT_LEAST_ONCE,
  /**
   * Every row counts exactly once in an additive table: rows are held until the checkpoint, handed
   * to the committer as committables with a batch id, and inserted after the checkpoint completed,
   * only when no row with that batch id exists yet. For tables that sum rows (minute facts feeding
   * rollup views).
   */
  EXACTLY_ONCE,
  /**
   * Every row of a completed checkpoint reaches ClickHouse at least once, and no row of a
   * checkpoint that never completed ever does: rows are held until the checkpoint, like
   * exactly-once, and inserted by the committer after it completed; a commit repeated after a
   * restore inserts again, and the target deduplicates by row identity. For rows whose existence
   * depends on the run (late events, dead letters): a restore that replays the record may decide
   * differently, and the discarded decision must never have been stored.
   */
  AFTER_CHECKPOINT
}
