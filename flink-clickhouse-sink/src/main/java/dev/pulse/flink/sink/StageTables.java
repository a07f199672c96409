package dev.pulse.flink.sink;

import dev.pulse.clickhouse.SqlLiteral;
import java.time.Duration;

/**
 * The committer's own tables in the target's database: the fences (one row per commit attempt of an
 * exactly-once batch, numbered), the stages (one Memory table per attempt, {@code
 * pulse_stage_<batch>_<attempt>}) and the batch log (one row per batch of every committing sink).
 */
final class StageTables {

  static final String FENCES = "pulse_commit_fences";

  static final String PREFIX = "pulse_stage_";

  /**
   * A stage this old belongs to no attempt that can still move it (an attempt lasts a few request
   * timeouts): any committer drops it.
   */
  static final Duration ABANDONED_AFTER = Duration.ofHours(1);

  /** Fence rows are kept this many months (by partition), far longer than any commit retries. */
  static final int FENCE_MONTHS_KEPT = 2;

  private StageTables() {}

  /** The fences table: which attempt of each batch may move its stage (only the newest). */
  static String createFences(String database) {
    return "CREATE TABLE IF NOT EXISTS "
        + SqlLiteral.identifier(database)
        + "."
        + FENCES
        + " (batch_id String, attempt UInt32, created DateTime DEFAULT now())"
        + " ENGINE = MergeTree PARTITION BY toYYYYMM(created) ORDER BY (batch_id, attempt)";
  }

  /**
   * The batch log: one row per committed batch of every committing sink of the database (its target
   * table and the last checkpoint before its rows), so that a rollback to a checkpoint can find the
   * batches whose rows came after it. Partitioned like the fences, kept as long.
   */
  static final String BATCHES = "pulse_batches";

  static String createBatches(String database) {
    return "CREATE TABLE IF NOT EXISTS "
        + SqlLiteral.identifier(database)
        + "."
        + BATCHES
        + " (target String, after_checkpoint Int64, batch_id String, created DateTime DEFAULT now())"
        + " ENGINE = MergeTree PARTITION BY toYYYYMM(created) ORDER BY (target, after_checkpoint)";
  }

  /** The newest attempt number of {@code c}'s batch so far (0 if none), a scalar subquery. */
  static String newestAttempt(String database, ClickHouseCommittable c) {
    return newestAttempt(database, c.batchId());
  }

  /**
   * The newest attempt number under fence key {@code key} (a batch id, or a batch id and a rollup
   * view for a repair) so far (0 if none), a scalar subquery.
   */
  static String newestAttempt(String database, String key) {
    return "(SELECT max(attempt) FROM "
        + SqlLiteral.identifier(database)
        + "."
        + FENCES
        + " WHERE batch_id = "
        + SqlLiteral.string(key)
        + ")";
  }

  /** The stage table of attempt {@code attempt} at {@code c}. */
  static String stageName(ClickHouseCommittable c, long attempt) {
    return PREFIX + c.batchId().replaceAll("[^0-9A-Za-z]", "") + "_" + attempt;
  }

  /** The names of abandoned stages (of any batch) in {@code database}. */
  static String abandonedQuery(String database) {
    return "SELECT name FROM system.tables WHERE database = "
        + SqlLiteral.string(database)
        + " AND startsWith(name, "
        + SqlLiteral.string(PREFIX)
        + ") AND metadata_modification_time < now() - "
        + ABANDONED_AFTER.toSeconds()
        // 18.16 lists a table being created before its metadata file is in place, with time 0:
        // a stage of an attempt that is writing now.
        + " AND toUInt32(metadata_modification_time) > 0";
  }
}
