package dev.pulse.flink.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * The sink's Flink metrics, per writer or committer subtask: rows and batches that reached
 * ClickHouse, retries of failed inserts, exactly-once commits skipped because their batch was
 * already there (replays after a restore), commits that waited for an earlier attempt of theirs
 * still running on the server, and rollups completed for a stored batch whose view had failed
 * ({@link RollupLedger}). Updated only from the task's own thread.
 */
public record SinkCounters(
    Counter rowsWritten,
    Counter batchesWritten,
    Counter retries,
    Counter replayedCommits,
    Counter awaitedRunningInserts,
    Counter rollupRepairs) {

  public static final String ROWS_WRITTEN = "clickhouseRowsWritten";
  public static final String BATCHES_WRITTEN = "clickhouseBatchesWritten";
  public static final String RETRIES = "clickhouseRetries";
  public static final String REPLAYED_COMMITS = "clickhouseReplayedCommits";
  public static final String AWAITED_RUNNING_INSERTS = "clickhouseAwaitedRunningInserts";
  public static final String ROLLUP_REPAIRS = "clickhouseRollupRepairs";

  /** Counters registered in {@code group}, visible in the Flink web UI and metric reporters. */
  public static SinkCounters registeredIn(MetricGroup group) {
    return new SinkCounters(
        group.counter(ROWS_WRITTEN),
        group.counter(BATCHES_WRITTEN),
        group.counter(RETRIES),
        group.counter(REPLAYED_COMMITS),
        group.counter(AWAITED_RUNNING_INSERTS),
        group.counter(ROLLUP_REPAIRS));
  }

  /**
   * Counters registered nowhere (for using a writer or committer outside a Flink task, e.g. in
   * tests).
   */
  public static SinkCounters unregistered() {
    return new SinkCounters(
        new SimpleCounter(),
        new SimpleCounter(),
        new SimpleCounter(),
        new SimpleCounter(),
        new SimpleCounter(),
        new SimpleCounter());
  }
}
