package dev.pulse.flink.probes.sinks;

import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.probes.records.ProbeMinute;
import dev.pulse.flink.sink.ClickHouseSink;

/**
 * The ClickHouse sinks of the probe job, one per table, with the other jobs' delivery modes
 * (flink-clickhouse-sink's DESIGN.md): raw results at least once (a replacing table), the minute
 * rows exactly once (plain MergeTree, found again by their batch id), late results after the
 * checkpoint (a replacing table).
 */
public final class ProbeSinks {

  public static final String RAW_TABLE = "probe_results_raw";
  public static final String MINUTES_TABLE = "probe_minutes";
  public static final String LATE_TABLE = "probe_results_late";

  /** Minute rows per exactly-once INSERT at most: far under the rows that keep it one part. */
  static final int FACTS_BATCH_ROWS = 100_000;

  /** Late results are rare. */
  static final int LATE_BATCH_ROWS = 10_000;

  private ProbeSinks() {}

  public static ClickHouseSink<ProbeCheck> rawResults(ClickHouseSettings clickhouse) {
    return clickhouse
        .<ProbeCheck>sinkTo(RAW_TABLE)
        .encoder(ProbeRowEncoders.RESULT)
        .atLeastOnce()
        .batchSize(clickhouse.rawBatchSize())
        .maxBatchDelay(clickhouse.maxBatchDelay())
        .build();
  }

  public static ClickHouseSink<ProbeMinute> minutes(ClickHouseSettings clickhouse) {
    return clickhouse
        .<ProbeMinute>sinkTo(MINUTES_TABLE)
        .encoder(ProbeRowEncoders.MINUTE)
        .exactlyOnce("minute", ProbeRowEncoders::minuteSeconds)
        .batchIdColumn("batch_id")
        // The table's ORDER BY (0028).
        .lookupColumns("tenant_id", "target", "minute", "region")
        .batchSize(FACTS_BATCH_ROWS)
        .build();
  }

  public static ClickHouseSink<ProbeCheck> lateResults(ClickHouseSettings clickhouse) {
    return clickhouse
        .<ProbeCheck>sinkTo(LATE_TABLE)
        .encoder(ProbeRowEncoders.RESULT)
        .afterCheckpoint()
        .batchSize(LATE_BATCH_ROWS)
        .build();
  }
}
