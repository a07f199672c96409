package dev.pulse.flink.sink;

import dev.pulse.clickhouse.SqlLiteral;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inserts exactly-once batches after their checkpoint completed, each at most once: before every
 * INSERT attempt it asks whether any row of the batch id is already stored, and skips the batch
 * when it is.
 *
 * <p>Flink calls {@link #commit} after a checkpoint completes, and again, with the same
 * committables read back from the checkpoint, after a restore: the second call finds the batch id
 * and inserts nothing. The check also makes the committer's own retries safe (an INSERT that timed
 * out on the client may still have landed). One INSERT per batch, one month per batch, at most one
 * block of rows per batch: the batch is one atomic part, so "some row exists" means "all rows
 * exist".
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

  ClickHouseCommitter(ClickHouseSinkConfig config, SinkCounters counters) {
    this.config = config;
    this.counters = counters;
    this.connection = new ClickHouseConnection(config);
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

  /** Inserts the batch unless it is stored already; retries transient failures by the policy. */
  Result commitOne(ClickHouseCommittable c) throws IOException, InterruptedException {
    String what =
        "commit of batch "
            + c.batchId()
            + " ("
            + c.rows()
            + " rows) into "
            + config.qualifiedTable();
    Retrying.Outcome<Result> outcome =
        Retrying.run(
            config.retryPolicy(),
            what,
            attempt -> {
              if (isStored(c)) {
                // Found on the first look: a replay after restore. Found on a retry: our own
                // earlier attempt landed.
                return attempt == 1 ? Result.ALREADY_STORED : Result.INSERTED;
              }
              connection.insert(c.columns(), c.bodyStream());
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
   * Whether any row of the batch is in the table; the time range lets ClickHouse read only the
   * batch's partition.
   */
  private boolean isStored(ClickHouseCommittable c) throws IOException, InterruptedException {
    String sql =
        "SELECT count() FROM "
            + SqlLiteral.identifier(config.database())
            + "."
            + SqlLiteral.identifier(config.table())
            + " WHERE "
            + SqlLiteral.identifier(config.batchIdColumn())
            + " = "
            + SqlLiteral.string(c.batchId())
            + " AND "
            + SqlLiteral.identifier(config.partitionTimeColumn())
            + " BETWEEN "
            + SqlLiteral.dateTime(Instant.ofEpochSecond(c.minTime()))
            + " AND "
            + SqlLiteral.dateTime(Instant.ofEpochSecond(c.maxTime()));
    return connection.queryLong(sql) > 0;
  }

  @Override
  public void close() {
    connection.close();
  }
}
