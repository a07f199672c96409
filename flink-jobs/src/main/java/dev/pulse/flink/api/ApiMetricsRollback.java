package dev.pulse.flink.api;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.RollupCheck;
import dev.pulse.clickhouse.SqlLiteral;
import dev.pulse.flink.api.sinks.ApiSinks;
import dev.pulse.flink.sink.BatchLog;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.Checkpoints;

/**
 * Prepares ClickHouse for restarting the API metrics job from an older savepoint or retained
 * checkpoint (a rollback), while the job is stopped: deletes what the job committed from records
 * after that checkpoint (minute facts and late events, by the batch log), then recomputes the hour
 * and day rollups over the minutes it touched. The restored job then replays those records and
 * commits them again, once.
 *
 * <p>Why a procedure and not deterministic batch ids: a minute's delta rows depend on how the
 * partitions interleave (which events a window firing holds, which are late), so a replay does not
 * reproduce the same batches; and 18.16 has no transactions to undo them. Raw events and dead
 * letters need nothing: their tables keep one row per event id or origin, and a replay repeats
 * both. (A record dead-lettered for its clock in the discarded run and valid in the replay keeps
 * its dead letter: the one case left, see flink-jobs README.)
 */
public final class ApiMetricsRollback {

  /**
   * How far the ClickHouse server's clock (which stamps the batch log) may be behind the clock that
   * stamped the savepoint; batches logged earlier than that belong to runs before the savepoint's.
   */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

  /** What a rollback found and did. */
  public record Result(long checkpointId, Instant savepointTime, Map<String, Integer> batches) {
    @Override
    public String toString() {
      return "rolled back to checkpoint "
          + checkpointId
          + " of "
          + savepointTime
          + ": deleted "
          + (batches.isEmpty()
              ? "nothing (no batch came after it)"
              : batches.entrySet().stream()
                  .map(e -> e.getValue() + " batches of " + e.getKey())
                  .collect(Collectors.joining(", ")));
    }
  }

  /** A savepoint or retained checkpoint: its checkpoint id and when it was written. */
  public record Savepoint(Path directory, long checkpointId, Instant time) {

    /**
     * Reads {@code directory/_metadata} (written last, when the checkpoint completed).
     *
     * @throws IOException if it is not a Flink savepoint or checkpoint directory
     */
    public static Savepoint read(Path directory) throws IOException {
      Path metadata = directory.resolve("_metadata");
      if (!Files.isRegularFile(metadata)) {
        throw new IOException(directory + " is not a savepoint or checkpoint (no _metadata)");
      }
      try (InputStream in = Files.newInputStream(metadata)) {
        long id =
            Checkpoints.loadCheckpointMetadata(
                    new DataInputStream(in),
                    ApiMetricsRollback.class.getClassLoader(),
                    directory.toString())
                .getCheckpointId();
        return new Savepoint(directory, id, Files.getLastModifiedTime(metadata).toInstant());
      }
    }
  }

  private final ClickHouse client;

  public ApiMetricsRollback(ClickHouse client) {
    this.client = client;
  }

  /** Deletes what came after {@code savepoint} and repairs the rollups; the job must be stopped. */
  public Result prepare(Savepoint savepoint) {
    BatchLog log = new BatchLog(client);
    Map<String, List<String>> after =
        log.batchesAfter(savepoint.checkpointId(), savepoint.time().minus(CLOCK_SKEW));
    List<String> minuteBatches = after.getOrDefault(ApiSinks.MINUTES_TABLE, List.of());
    Instant[] range = minuteRange(minuteBatches);
    for (Map.Entry<String, List<String>> e : after.entrySet()) {
      log.delete(e.getKey(), ApiSinks.BATCH_ID_COLUMN, e.getValue());
    }
    if (range != null) {
      // The views never see a delete: recompute every hour and day the deleted minutes were in.
      List<RollupCheck.Difference> left =
          new RollupCheck(client).repair(range[0], range[1], range[1]);
      if (!left.isEmpty()) {
        throw new IllegalStateException("rollups still differ after the repair: " + left);
      }
    }
    return new Result(
        savepoint.checkpointId(),
        savepoint.time(),
        after.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
  }

  /** The whole days holding the minutes of {@code batches}, or null when there are none. */
  private Instant[] minuteRange(List<String> batches) {
    if (batches.isEmpty()) {
      return null;
    }
    String[] f =
        client
            .queryText(
                "SELECT toUnixTimestamp(min(minute)), toUnixTimestamp(max(minute)) FROM "
                    + ApiSinks.MINUTES_TABLE
                    + " WHERE "
                    + ApiSinks.BATCH_ID_COLUMN
                    + " IN ("
                    + batches.stream().map(SqlLiteral::string).collect(Collectors.joining(", "))
                    + ") FORMAT TabSeparated")
            .trim()
            .split("\t");
    long day = Duration.ofDays(1).toSeconds();
    long from = Math.floorDiv(Long.parseLong(f[0]), day) * day;
    long to = (Math.floorDiv(Long.parseLong(f[1]), day) + 1) * day;
    return new Instant[] {Instant.ofEpochSecond(from), Instant.ofEpochSecond(to)};
  }
}
