package dev.pulse.flink.sink;

import dev.pulse.clickhouse.SqlLiteral;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two steps that keep a write from landing twice (see {@link ClickHouseCommitter}): record a
 * numbered attempt under a key in {@value StageTables#FENCES}, so a write conditioned on an older
 * attempt copies nothing, and wait while an earlier write with the same query id still runs on the
 * server. Keys are batch ids (a batch's write) or {@code <batch id>/<view>} (a rollup repair).
 */
final class Fences {
  private static final Logger LOG = LoggerFactory.getLogger(Fences.class);

  /** First and longest pause between two looks at a still-running earlier write. */
  private static final long FIRST_POLL_MS = 50;

  private static final long MAX_POLL_MS = 1_000;

  private final ClickHouseSinkConfig config;
  private final ClickHouseConnection connection;
  private final SinkCounters counters;

  Fences(ClickHouseSinkConfig config, ClickHouseConnection connection, SinkCounters counters) {
    this.config = config;
    this.connection = connection;
    this.counters = counters;
  }

  /** The number the next attempt under {@code key} gets (1 for the first). */
  long nextAttempt(String key) throws IOException, InterruptedException {
    return connection.queryLong("SELECT " + StageTables.newestAttempt(config.database(), key)) + 1;
  }

  /** Records {@code attempt} under {@code key}: every older attempt's write copies nothing. */
  void record(String key, long attempt) throws IOException, InterruptedException {
    connection.execute(
        "INSERT INTO "
            + SqlLiteral.identifier(config.database())
            + "."
            + StageTables.FENCES
            + " (batch_id, attempt) VALUES ("
            + SqlLiteral.string(key)
            + ", "
            + attempt
            + ")",
        null);
  }

  /**
   * Waits while the server still runs a query with {@code queryId} (one the client gave up on, or
   * one sent by a task that has since failed over), at most as long as one request may take; then
   * throws, and the retry policy (or the job's restore) comes back to it. Never writes while an
   * earlier write may still land.
   */
  void awaitNotRunning(String queryId, String what) throws IOException, InterruptedException {
    long limitMs = config.connectTimeout().toMillis() + 2 * config.socketTimeout().toMillis();
    long deadline = System.nanoTime() + limitMs * 1_000_000;
    long pause = FIRST_POLL_MS;
    boolean logged = false;
    while (connection.isRunning(queryId)) {
      if (!logged) {
        LOG.warn("{}: an earlier attempt is still running on the server, waiting for it", what);
        logged = true;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "an earlier write (query id "
                + queryId
                + ") is still running after "
                + limitMs
                + " ms; not sending it again while it may land");
      }
      Thread.sleep(pause);
      pause = Math.min(MAX_POLL_MS, pause * 2);
    }
    if (logged) {
      counters.awaitedRunningInserts().inc();
    }
  }
}
