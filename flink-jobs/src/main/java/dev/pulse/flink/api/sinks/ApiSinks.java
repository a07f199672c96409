package dev.pulse.flink.api.sinks;

import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.common.DeadLetterRowEncoder;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.sink.ClickHouseSink;
import dev.pulse.flink.sink.RowEncoder;

/**
 * The ClickHouse sinks of the API metrics job, one per table, each with the delivery mode its table
 * needs (see flink-clickhouse-sink's DESIGN.md) and its batching.
 */
public final class ApiSinks {

  public static final String RAW_TABLE = "api_requests_raw";
  public static final String MINUTES_TABLE = "api_request_minutes";
  public static final String LATE_TABLE = "api_requests_late";
  public static final String DEAD_LETTERS_TABLE = "dead_letters";

  /** The column of each committed batch's id, in the minutes and the late events. */
  public static final String BATCH_ID_COLUMN = "batch_id";

  /**
   * Facts per exactly-once INSERT at most. A checkpoint interval of facts is one batch per month
   * partition (rows are per key and minute, thousands, not millions), so this only bounds an INSERT
   * after a long outage; well under the 1,048,576 rows that keep an INSERT one atomic part.
   */
  static final int MINUTES_BATCH_ROWS = 100_000;

  /** Late events and dead letters are rare; a batch this size is never the limit, the delay is. */
  static final int RARE_ROWS_BATCH_ROWS = 10_000;

  private ApiSinks() {}

  /**
   * Raw events, at least once: {@code api_requests_raw} is a ReplacingMergeTree on (tenant_id,
   * event_id), so a row replayed after a restore collapses with its first copy. Large batches for
   * throughput; the delay bounds how stale the table gets at low rates.
   */
  public static ClickHouseSink<ApiRequest> rawRequests(ClickHouseSettings clickhouse) {
    return base(clickhouse, RAW_TABLE, ApiRowEncoders.RAW_REQUEST)
        .atLeastOnce()
        .batchSize(clickhouse.rawBatchSize())
        .maxBatchDelay(clickhouse.maxBatchDelay())
        .build();
  }

  /**
   * Minute facts, exactly once: {@code api_request_minutes} is additive (delta rows, summed by
   * readers and by the hour/day views), so a replayed batch must be recognised by its batch_id and
   * not inserted again. Rows are committed right after each checkpoint completes, so a closed
   * minute reaches ClickHouse within one checkpoint interval plus one INSERT.
   */
  public static ClickHouseSink<ApiMinuteFact> minuteFacts(ClickHouseSettings clickhouse) {
    return base(clickhouse, MINUTES_TABLE, ApiRowEncoders.MINUTE_FACT)
        .exactlyOnce("minute", ApiRowEncoders::minuteEpochSeconds)
        .batchIdColumn(BATCH_ID_COLUMN)
        // The table's ORDER BY: a stored batch is found by one row's key (migration 0005).
        .lookupColumns("tenant_id", "service", "endpoint", "method", "region", "minute")
        .batchSize(MINUTES_BATCH_ROWS)
        .build();
  }

  /**
   * Late events, after the checkpoint: whether an event is late depends on the run (on how far the
   * watermark got before the event arrived), and a restore may decide a replayed event differently.
   * Stored only once its checkpoint completed, a late row is never beside the same event counted in
   * the facts of a later run. {@code api_requests_late} is a ReplacingMergeTree on (tenant_id,
   * event_id), which absorbs a commit repeated after a restore.
   */
  public static ClickHouseSink<LateApiRequest> lateRequests(ClickHouseSettings clickhouse) {
    return base(clickhouse, LATE_TABLE, ApiRowEncoders.LATE_REQUEST)
        .afterCheckpoint()
        // For a rollback to find the rows of batches committed after a savepoint (0013).
        .batchIdColumn(BATCH_ID_COLUMN)
        .batchSize(RARE_ROWS_BATCH_ROWS)
        .build();
  }

  /**
   * Dead letters, after the checkpoint: a record refused for its clock (too far ahead of ingest
   * time) may be valid when a restore replays it later, so a dead letter is stored only once its
   * checkpoint completed. {@code dead_letters} is a ReplacingMergeTree on the origin (Kafka
   * cluster, topic, partition, offset), which a replayed record repeats.
   *
   * @param kafkaClusterId the id of the Kafka cluster the job reads ({@code KafkaClusterId.read})
   */
  public static ClickHouseSink<DeadLetter> deadLetters(
      ClickHouseSettings clickhouse, String kafkaClusterId) {
    return base(clickhouse, DEAD_LETTERS_TABLE, new DeadLetterRowEncoder(kafkaClusterId))
        .afterCheckpoint()
        .batchSize(RARE_ROWS_BATCH_ROWS)
        .build();
  }

  private static <T> ClickHouseSink.Builder<T> base(
      ClickHouseSettings clickhouse, String table, RowEncoder<T> encoder) {
    return clickhouse.<T>sinkTo(table).encoder(encoder);
  }
}
