package dev.pulse.flink.classroom.sinks;

import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.LearnerSessionFact;
import dev.pulse.flink.classroom.records.SessionFact;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.sink.ClickHouseSink;

/**
 * The ClickHouse sinks of the classroom job, one per table, with the delivery modes of the API
 * job's (flink-clickhouse-sink's DESIGN.md): raw events at least once (ReplacingMergeTree), the
 * engagement facts exactly once (plain MergeTree, found again by their batch id), late events after
 * the checkpoint.
 */
public final class ClassroomSinks {

  public static final String RAW_TABLE = "classroom_events_raw";
  public static final String MINUTES_TABLE = "classroom_session_minutes";
  public static final String LEARNERS_TABLE = "classroom_learner_sessions";
  public static final String SESSIONS_TABLE = "classroom_sessions";
  public static final String LATE_TABLE = "classroom_events_late";

  private static final String BATCH_ID = "batch_id";

  /** Facts per exactly-once INSERT at most: far under the rows that keep it one atomic part. */
  static final int FACTS_BATCH_ROWS = 100_000;

  /** Late events are rare. */
  static final int LATE_BATCH_ROWS = 10_000;

  private ClassroomSinks() {}

  public static ClickHouseSink<ClassroomActivity> rawEvents(ClickHouseSettings clickhouse) {
    return clickhouse
        .<ClassroomActivity>sinkTo(RAW_TABLE)
        .encoder(ClassroomRowEncoders.RAW_EVENT)
        .atLeastOnce()
        .batchSize(clickhouse.rawBatchSize())
        .maxBatchDelay(clickhouse.maxBatchDelay())
        .build();
  }

  public static ClickHouseSink<SessionMinuteFact> minutes(ClickHouseSettings clickhouse) {
    return clickhouse
        .<SessionMinuteFact>sinkTo(MINUTES_TABLE)
        .encoder(ClassroomRowEncoders.MINUTE)
        .exactlyOnce("minute", ClassroomRowEncoders::minuteSeconds)
        .batchIdColumn(BATCH_ID)
        // The table's ORDER BY (0016).
        .lookupColumns("tenant_id", "course_id", "session_id", "minute")
        .batchSize(FACTS_BATCH_ROWS)
        .build();
  }

  public static ClickHouseSink<LearnerSessionFact> learners(ClickHouseSettings clickhouse) {
    return clickhouse
        .<LearnerSessionFact>sinkTo(LEARNERS_TABLE)
        .encoder(ClassroomRowEncoders.LEARNER)
        .exactlyOnce("session_start", ClassroomRowEncoders::learnerSeconds)
        .batchIdColumn(BATCH_ID)
        .lookupColumns("tenant_id", "course_id", "session_start", "session_id", "user_id")
        .batchSize(FACTS_BATCH_ROWS)
        .build();
  }

  public static ClickHouseSink<SessionFact> sessions(ClickHouseSettings clickhouse) {
    return clickhouse
        .<SessionFact>sinkTo(SESSIONS_TABLE)
        .encoder(ClassroomRowEncoders.SESSION)
        .exactlyOnce("session_start", ClassroomRowEncoders::sessionSeconds)
        .batchIdColumn(BATCH_ID)
        .lookupColumns("tenant_id", "course_id", "session_start", "session_id")
        .batchSize(FACTS_BATCH_ROWS)
        .build();
  }

  public static ClickHouseSink<ClassroomActivity> lateEvents(ClickHouseSettings clickhouse) {
    return clickhouse
        .<ClassroomActivity>sinkTo(LATE_TABLE)
        .encoder(ClassroomRowEncoders.LATE_EVENT)
        .afterCheckpoint()
        .batchSize(LATE_BATCH_ROWS)
        .build();
  }
}
