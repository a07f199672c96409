package dev.pulse.flink.sink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.RollupCheck;
import dev.pulse.clickhouse.SqlLiteral;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The committers' batch log ({@value StageTables#BATCHES}) as a rollback reads it: which batches of
 * which tables hold rows that came after a checkpoint, and their deletion.
 *
 * <p>A job restored from an older checkpoint or savepoint {@code k} replays every record after
 * {@code k}; the batches its earlier run committed from those records must go first, or they count
 * twice. Each batch is logged with the last checkpoint before its rows ({@code after_checkpoint}):
 * exactly the batches with {@code after_checkpoint >= k} came after {@code k}. Checkpoint ids start
 * again at 1 when a job starts without state, so a rollback also bounds the log by time: only
 * batches logged at or after {@code notBefore} (the savepoint's time less the clocks' skew) belong
 * to the run the savepoint came from.
 */
public final class BatchLog {

  private final ClickHouse client;

  public BatchLog(ClickHouse client) {
    this.client = client;
  }

  /**
   * Batch ids per target table, of batches with rows after checkpoint {@code checkpoint}, logged at
   * or after {@code notBefore}; empty when there is no log yet.
   */
  public Map<String, List<String>> batchesAfter(long checkpoint, Instant notBefore) {
    Map<String, List<String>> out = new TreeMap<>();
    if (client
        .queryText(
            "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = "
                + SqlLiteral.string(StageTables.BATCHES)
                + " FORMAT TabSeparated")
        .trim()
        .equals("0")) {
      return out;
    }
    for (JsonNode r :
        client.query(
            "SELECT target, groupUniqArray(batch_id) AS ids FROM "
                + StageTables.BATCHES
                + " WHERE after_checkpoint >= "
                + checkpoint
                + " AND created >= "
                + SqlLiteral.dateTime(notBefore.truncatedTo(ChronoUnit.SECONDS))
                + " GROUP BY target ORDER BY target")) {
      List<String> ids = new ArrayList<>();
      r.get("ids").forEach(id -> ids.add(id.asText()));
      out.put(r.get("target").asText(), ids);
    }
    return out;
  }

  /**
   * Deletes the rows of {@code batchIds} from {@code table} (by its {@code batchIdColumn}) and
   * waits for the mutation; the views on the table do not see a delete (rebuild their rollups).
   */
  public void delete(String table, String batchIdColumn, List<String> batchIds) {
    if (batchIds.isEmpty()) {
      return;
    }
    client.execute(
        "ALTER TABLE "
            + SqlLiteral.identifier(table)
            + " DELETE WHERE "
            + SqlLiteral.identifier(batchIdColumn)
            + " IN ("
            + batchIds.stream().map(SqlLiteral::string).collect(Collectors.joining(", "))
            + ")");
    RollupCheck.awaitMutations(client, table);
  }
}
