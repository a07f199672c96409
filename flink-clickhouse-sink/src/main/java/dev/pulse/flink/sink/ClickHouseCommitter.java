package dev.pulse.flink.sink;

import dev.pulse.clickhouse.ClickHouseErrors;
import dev.pulse.clickhouse.SqlLiteral;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inserts exactly-once batches after their checkpoint completed, each at most once, even when an
 * earlier attempt is still running on the server or still on its way to it.
 *
 * <p>One attempt of a batch:
 *
 * <ol>
 *   <li><b>Fence</b>: record a new attempt number for the batch (a row in {@value
 *       StageTables#FENCES}). From then on only this attempt may write the batch: each attempt's
 *       write carries the condition "I am the newest attempt", checked by the server when it starts
 *       that write.
 *   <li><b>Wait</b> while a write of this batch is still running ({@code system.processes}, by the
 *       batch's query id): one the client gave up on (timeout), or one sent from a task that has
 *       since failed over, started before the fence and may still be storing its rows.
 *   <li><b>Look</b>: is a row of the batch stored? Its batch id and one row's sort key ({@link
 *       LookupKey}), an index lookup. If so, the batch is done.
 *   <li><b>Stage</b> the body into a Memory table of this attempt, and <b>write</b> it with one
 *       {@code INSERT INTO target SELECT ... FROM stage WHERE <newest attempt> = this one} under
 *       the batch's query id; then drop the stage.
 * </ol>
 *
 * <p>Why so: ClickHouse 18.16 has no insert deduplication outside replicated tables, and it reads
 * an HTTP request's body (up to 1 MiB) before it registers the query, so a request still in transit
 * is invisible to any look. The write's condition is evaluated when the server starts it, so a
 * write that arrives after a later attempt's fence copies nothing, and one that arrived before is
 * running and waited for. The stage makes the write itself a short statement (the rows are already
 * on the server), and the server refuses a second query with the id of one still running (code
 * 216): the attempt waits again instead.
 *
 * <p>A batch found stored may lack rollups whose view failed after the table's part was stored:
 * {@link RollupLedger} completes them.
 *
 * <p>Flink calls {@link #commit} after a checkpoint completes, and again, with the same
 * committables read back from the checkpoint, after a restore: the second call finds the batch and
 * inserts nothing. One write per batch, one month per batch, at most one block of rows per batch:
 * the batch is one atomic part, so "one row exists" means "all rows exist".
 */
final class ClickHouseCommitter implements Committer<ClickHouseCommittable> {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCommitter.class);

  /** What one commit did. */
  enum Result {
    INSERTED,
    ALREADY_STORED
  }

  private final ClickHouseSinkConfig config;
  private final ClickHouseConnection connection;
  private final SinkCounters counters;
  private final Fences fences;
  private final RollupLedger ledger;
  private boolean fencesReady;
  private boolean batchLogReady;

  ClickHouseCommitter(ClickHouseSinkConfig config, SinkCounters counters) {
    this.config = config;
    this.counters = counters;
    this.connection = new ClickHouseConnection(config);
    this.fences = new Fences(config, connection, counters);
    this.ledger = new RollupLedger(config, connection, fences, counters);
  }

  @Override
  public void commit(Collection<CommitRequest<ClickHouseCommittable>> requests)
      throws IOException, InterruptedException {
    for (CommitRequest<ClickHouseCommittable> request : requests) {
      try {
        if (commitOne(request.getCommittable()) == Result.ALREADY_STORED) {
          request.signalAlreadyCommitted();
        }
      } catch (IOException e) {
        // Fails the job; it restores from the checkpoint that still holds this committable and
        // tries again.
        // (signalFailedWithKnownReason would drop the batch: never used.)
        request.signalFailedWithUnknownReason(e);
      }
    }
  }

  /**
   * Inserts the batch unless it is stored already (after-checkpoint: inserts it, the table
   * deduplicates); retries transient failures by the policy.
   */
  Result commitOne(ClickHouseCommittable c) throws IOException, InterruptedException {
    if (config.deliveryMode() == DeliveryMode.AFTER_CHECKPOINT) {
      return insertAgainIfReplayed(c);
    }
    String what =
        "commit of batch "
            + c.batchId()
            + " ("
            + c.rows()
            + " rows) into "
            + config.qualifiedTable();
    boolean[] sent = {false};
    Retrying.Outcome<Result> outcome =
        Retrying.run(
            config.retryPolicy(),
            what,
            attempt -> {
              long fence = fence(c);
              fences.awaitNotRunning(c.queryId(), what);
              if (isStored(c)) {
                // Found before this committer sent it: a replay after restore. Found after: our
                // own earlier attempt landed. Either may have stopped at a failed rollup view.
                ledger.complete(c);
                return sent[0] ? Result.INSERTED : Result.ALREADY_STORED;
              }
              sent[0] = true;
              stageAndWrite(c, fence);
              return Result.INSERTED;
            });
    counters.retries().inc(outcome.retries());
    if (outcome.result() == Result.ALREADY_STORED) {
      counters.replayedCommits().inc();
      LOG.info("{}: already stored, skipped (replay after restore)", what);
    } else {
      counters.rowsWritten().inc(c.rows());
      counters.batchesWritten().inc();
    }
    return outcome.result();
  }

  /**
   * After-checkpoint: a plain INSERT, repeated after a restore and by retries; the target keeps one
   * row per identity (ReplacingMergeTree), so no fence, wait or look is needed.
   */
  private Result insertAgainIfReplayed(ClickHouseCommittable c)
      throws IOException, InterruptedException {
    Retrying.Outcome<Result> outcome =
        Retrying.run(
            config.retryPolicy(),
            "insert of " + c.rows() + " rows into " + config.qualifiedTable(),
            attempt -> {
              logBatch(c);
              connection.insert(c.columns(), c.bodyStream());
              return Result.INSERTED;
            });
    counters.retries().inc(outcome.retries());
    counters.rowsWritten().inc(c.rows());
    counters.batchesWritten().inc();
    return Result.INSERTED;
  }

  /**
   * Records a new attempt at {@code c} and returns its number: every earlier attempt's write that
   * the server has not started yet will copy nothing.
   */
  private long fence(ClickHouseCommittable c) throws IOException, InterruptedException {
    if (!fencesReady) {
      connection.execute(StageTables.createFences(config.database()), null);
      dropAbandonedStages();
      fencesReady = true;
    }
    long attempt = fences.nextAttempt(c.batchId());
    if (attempt == 1) {
      logBatch(c);
    }
    fences.record(c.batchId(), attempt);
    return attempt;
  }

  /**
   * Records the batch in the batch log before its rows may be written (see {@link
   * StageTables#BATCHES}): a rollback finds every batch whose rows came after a checkpoint.
   */
  private void logBatch(ClickHouseCommittable c) throws IOException, InterruptedException {
    if (config.batchIdColumn() == null) {
      return; // rows without a batch id cannot be found by one
    }
    if (!batchLogReady) {
      connection.execute(StageTables.createBatches(config.database()), null);
      batchLogReady = true;
    }
    connection.execute(
        "INSERT INTO "
            + qualified(StageTables.BATCHES)
            + " (target, after_checkpoint, batch_id) VALUES ("
            + SqlLiteral.string(config.table())
            + ", "
            + c.afterCheckpoint()
            + ", "
            + SqlLiteral.string(c.batchId())
            + ")",
        null);
  }

  /** Stages the body in a Memory table of this attempt and writes it into the target at once. */
  private void stageAndWrite(ClickHouseCommittable c, long attempt)
      throws IOException, InterruptedException {
    String stage = qualified(StageTables.stageName(c, attempt));
    String columns =
        c.columns().stream().map(SqlLiteral::identifier).collect(Collectors.joining(", "));
    // The body's columns with the target's types, and nothing else (no defaults to compute twice).
    connection.execute(
        "CREATE TABLE "
            + stage
            + " ENGINE = Memory AS SELECT "
            + columns
            + " FROM "
            + qualified(config.table())
            + " LIMIT 0",
        null);
    try {
      connection.insert(StageTables.stageName(c, attempt), c.columns(), c.bodyStream());
    } catch (IOException | RuntimeException e) {
      if (stageGone(e, c, attempt)) {
        throw stagingAgain(e, attempt);
      }
      throw e;
    }
    try {
      connection.execute(
          "INSERT INTO "
              + qualified(config.table())
              + " ("
              + columns
              + ") SELECT "
              + columns
              + " FROM "
              + stage
              + " WHERE "
              + StageTables.newestAttempt(config.database(), c)
              + " = "
              + attempt,
          c.queryId());
    } catch (IOException | RuntimeException e) {
      if (ClickHouseErrors.codeOf(e)
          == ClickHouseConnection.QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING) {
        // An earlier attempt's write reached the server after this one looked: wait for it.
        throw new IOException("an earlier write of the batch is still running on the server", e);
      }
      if (String.valueOf(e.getMessage()).contains("while pushing to view")) {
        // 18.16: the table's own part is stored, the failed view and the views after it lack the
        // batch; the next look finds the batch stored and completes its rollups (RollupLedger).
        LOG.warn(
            "batch {} is stored in {} but a rollup view failed on it; its rollups are completed"
                + " when the commit is tried again: {}",
            c.batchId(),
            config.qualifiedTable(),
            e.getMessage());
      }
      if (stageGone(e, c, attempt)) {
        throw stagingAgain(e, attempt);
      }
      throw e;
    }
    // Only this attempt's own write ever reads this stage, and it has finished.
    connection.execute("DROP TABLE IF EXISTS " + stage, null);
  }

  /**
   * Whether {@code e} says this attempt's stage does not exist (dropped by another committer while
   * it was being created, or by an operator): then the next attempt stages the batch again, under
   * its own fence.
   */
  private static boolean stageGone(Exception e, ClickHouseCommittable c, long attempt) {
    return ClickHouseErrors.codeOf(e) == ClickHouseErrors.UNKNOWN_TABLE
        && String.valueOf(e.getMessage()).contains(StageTables.stageName(c, attempt));
  }

  /**
   * A transient failure (no server code: {@link RetryPolicy#isTransient}) in place of {@code e}.
   */
  private static IOException stagingAgain(Exception e, long attempt) {
    return new IOException(
        "the stage of attempt "
            + attempt
            + " is gone; the next attempt stages again: "
            + e.getMessage());
  }

  /**
   * Drops the stages that no attempt can still write (older than {@link
   * StageTables#ABANDONED_AFTER}: left by a failed attempt, or by a batch that is never committed
   * again), and fence and batch-log partitions older than {@link StageTables#FENCE_MONTHS_KEPT}
   * months. A stage still in use is never dropped: dropping a table that a running INSERT ...
   * SELECT reads can deadlock on 18.16.
   */
  private void dropAbandonedStages() throws IOException, InterruptedException {
    for (String stage : connection.queryLines(StageTables.abandonedQuery(config.database()))) {
      connection.execute("DROP TABLE IF EXISTS " + qualified(stage), null);
    }
    for (String table :
        new String[] {StageTables.FENCES, StageTables.BATCHES, RollupLedger.LEDGER}) {
      for (String partition :
          connection.queryLines(
              "SELECT DISTINCT partition FROM system.parts WHERE active AND database = "
                  + SqlLiteral.string(config.database())
                  + " AND table = "
                  + SqlLiteral.string(table)
                  + " AND toUInt32(partition) < toYYYYMM(addMonths(now(), -"
                  + StageTables.FENCE_MONTHS_KEPT
                  + "))")) {
        connection.execute(
            "ALTER TABLE " + qualified(table) + " DROP PARTITION " + partition, null);
      }
    }
  }

  private String qualified(String table) {
    return SqlLiteral.identifier(config.database()) + "." + SqlLiteral.identifier(table);
  }

  /**
   * Whether the batch is in the table: one row of it found by batch id and sort key (an index
   * lookup), within the batch's time range so only its partition is read. A committable without a
   * lookup (checkpoint format 2) is found by its batch id alone (a scan of the partition).
   */
  private boolean isStored(ClickHouseCommittable c) throws IOException, InterruptedException {
    return connection.queryLong(storedRowsQuery(config, c)) > 0;
  }

  /** The SELECT of {@link #isStored}: how many rows of {@code c} the table holds (0 or more). */
  static String storedRowsQuery(ClickHouseSinkConfig config, ClickHouseCommittable c) {
    return "SELECT count() FROM "
        + SqlLiteral.identifier(config.database())
        + "."
        + SqlLiteral.identifier(config.table())
        + " WHERE "
        + SqlLiteral.identifier(config.batchIdColumn())
        + " = "
        + SqlLiteral.string(c.batchId())
        + (c.lookup().isEmpty() ? "" : " AND " + c.lookup())
        + " AND "
        + SqlLiteral.identifier(config.partitionTimeColumn())
        + " BETWEEN "
        + SqlLiteral.dateTime(Instant.ofEpochSecond(c.minTime()))
        + " AND "
        + SqlLiteral.dateTime(Instant.ofEpochSecond(c.maxTime()));
  }

  @Override
  public void close() {
    connection.close();
  }
}
