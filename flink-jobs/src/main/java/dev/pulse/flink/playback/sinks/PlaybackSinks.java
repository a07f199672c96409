package dev.pulse.flink.playback.sinks;

import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewRow;
import dev.pulse.flink.sink.ClickHouseSink;

/**
 * The ClickHouse sinks of the playback job, one per table, with the delivery modes of the other
 * jobs' (flink-clickhouse-sink's DESIGN.md): raw events and view rows at least once (replacing
 * tables), the minute rows exactly once (plain MergeTree, found again by their batch id, the hour
 * and day views fed once), late events after the checkpoint.
 */
public final class PlaybackSinks {

  public static final String RAW_TABLE = "playback_events_raw";
  public static final String MINUTES_TABLE = "playback_minutes";
  public static final String VIEWS_TABLE = "playback_views";
  public static final String LATE_TABLE = "playback_events_late";

  /** Minute rows per exactly-once INSERT at most: far under the rows that keep it one part. */
  static final int FACTS_BATCH_ROWS = 100_000;

  /** Late events are rare. */
  static final int LATE_BATCH_ROWS = 10_000;

  private PlaybackSinks() {}

  public static ClickHouseSink<PlaybackActivity> rawEvents(ClickHouseSettings clickhouse) {
    return clickhouse
        .<PlaybackActivity>sinkTo(RAW_TABLE)
        .encoder(PlaybackRowEncoders.RAW_EVENT)
        .atLeastOnce()
        .batchSize(clickhouse.rawBatchSize())
        .maxBatchDelay(clickhouse.maxBatchDelay())
        .build();
  }

  public static ClickHouseSink<QoeMinuteDelta> minutes(ClickHouseSettings clickhouse) {
    return clickhouse
        .<QoeMinuteDelta>sinkTo(MINUTES_TABLE)
        .encoder(PlaybackRowEncoders.MINUTE)
        .exactlyOnce("minute", PlaybackRowEncoders::minuteSeconds)
        .batchIdColumn("batch_id")
        // The table's ORDER BY (0021).
        .lookupColumns(
            "tenant_id", "minute", "cdn", "region", "device", "player", "video_id", "course_id")
        .batchSize(FACTS_BATCH_ROWS)
        .build();
  }

  public static ClickHouseSink<ViewRow> views(ClickHouseSettings clickhouse) {
    return clickhouse
        .<ViewRow>sinkTo(VIEWS_TABLE)
        .encoder(PlaybackRowEncoders.VIEW)
        .atLeastOnce()
        .batchSize(FACTS_BATCH_ROWS)
        .maxBatchDelay(clickhouse.maxBatchDelay())
        .build();
  }

  public static ClickHouseSink<PlaybackActivity> lateEvents(ClickHouseSettings clickhouse) {
    return clickhouse
        .<PlaybackActivity>sinkTo(LATE_TABLE)
        .encoder(PlaybackRowEncoders.LATE_EVENT)
        .afterCheckpoint()
        .batchSize(LATE_BATCH_ROWS)
        .build();
  }
}
