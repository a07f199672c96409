package dev.pulse.flink.sink;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Everything a {@link ClickHouseSink} needs to know besides its encoder: where to write, how to
 * batch, how to retry. Built and validated by {@link ClickHouseSink.Builder}; serializable because
 * it travels with the sink to the task managers.
 *
 * @param endpoint HTTP address of the server, e.g. {@code http://127.0.0.1:8123}
 * @param user user to sign in as
 * @param password its password (may be empty)
 * @param database database of the table
 * @param table target table
 * @param deliveryMode at-least-once or exactly-once (see {@link DeliveryMode})
 * @param batchSizeRows rows per INSERT at most
 * @param maxBatchBytes encoded bytes per INSERT at most (whichever limit comes first closes the
 *     batch)
 * @param maxBatchDelay longest time a row waits in an open batch (at-least-once; exactly-once waits
 *     for the checkpoint)
 * @param maxInFlightBatches batches being inserted at once per writer; a writer with this many in
 *     flight and a full batch blocks (back-pressure) instead of buffering more
 * @param retryPolicy retries of failed inserts and commits
 * @param batchIdColumn exactly-once: the String column holding each row's batch id
 * @param partitionTimeColumn exactly-once: the DateTime column the table is partitioned by
 *     (toYYYYMM of it)
 * @param lookupColumns exactly-once: the table's sort-key columns, by which the committer finds one
 *     row of a batch through the primary index
 * @param connectTimeout TCP connect timeout
 * @param socketTimeout longest wait for the server's answer to one request
 */
public record ClickHouseSinkConfig(
    String endpoint,
    String user,
    String password,
    String database,
    String table,
    DeliveryMode deliveryMode,
    int batchSizeRows,
    int maxBatchBytes,
    Duration maxBatchDelay,
    int maxInFlightBatches,
    RetryPolicy retryPolicy,
    String batchIdColumn,
    String partitionTimeColumn,
    List<String> lookupColumns,
    Duration connectTimeout,
    Duration socketTimeout)
    implements Serializable {

  /** {@code database.table}, for messages and metric scope names. */
  public String qualifiedTable() {
    return database + "." + table;
  }

  @Override
  public String toString() {
    // Never print the password: configs end up in logs and the Flink web UI.
    return "ClickHouseSinkConfig["
        + endpoint
        + " "
        + qualifiedTable()
        + " as "
        + user
        + ", "
        + deliveryMode
        + ", batch "
        + batchSizeRows
        + " rows/"
        + maxBatchBytes
        + " B/"
        + maxBatchDelay
        + ", in flight "
        + maxInFlightBatches
        + ", "
        + retryPolicy
        + "]";
  }
}
