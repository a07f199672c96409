package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.flink.sink.SinkCounters;
import dev.pulse.flink.testing.FaultedJobRun;
import dev.pulse.flink.testing.LateTraffic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production API metrics job rides out a rollup view failing after the minute part was stored
 * (review M5): mid-stream, the hour rollup's table refuses every insert, so each minute-fact commit
 * stores its minutes and its day rollup and then fails while pushing to the hour view; the job
 * fails over, and its restored commits find those batches stored. Once the table accepts inserts
 * again, the commits complete the hours of every batch the hour view missed (from the rollup
 * ledger), and every minute, hour and day must equal the oracle: no hour short, no day doubled.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(150)
class RollupViewFailsMidStreamIT {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      SmallBufferMiniCluster.extension(METRICS.addToConfiguration(new Configuration()));

  private static LateTraffic input;
  private static FaultedJobRun run;
  private static FaultedJobRun.MidStream midStream;
  private static Refusal refusal;
  private static AccessExecutionGraph finished;

  /** What the test saw while the hour table refused inserts. */
  private record Refusal(
      long fromMs, long firstRestartMs, long toMs, long minuteRequests, long hourRequests) {}

  @BeforeAll
  static void makeTheHourTableRefuseInsertsMidStreamUntilTheJobFailsOver(
      TestKafka kafka,
      TestClickHouse ch,
      @InjectMiniCluster MiniCluster cluster,
      @TempDir Path checkpoints)
      throws Exception {
    ClickHouse db = ch.migratedDatabase();
    input =
        LateTraffic.write(
            kafka, "api-requests", 20261204L, 25, ApiMetricsConfig.defaults().semantics().stream());
    run =
        FaultedJobRun.start(
            cluster,
            METRICS,
            input,
            kafka,
            FaultedJobRun.settings(input, kafka, ch),
            ch,
            checkpoints);
    midStream = run.awaitMidStream();

    long from = run.elapsedMs();
    // Every insert into the hour table fails from now on (the view's block lacks the new column):
    // the minute part and the day rollup (its view comes first in name order) are stored first.
    db.execute(
        "ALTER TABLE api_request_hours ADD COLUMN refuse UInt8 DEFAULT throwIf(length(tenant_id) > 0)");
    long restartedAt;
    long minutes;
    long hours;
    try {
      restartedAt = run.awaitFirstRestart(Duration.ofSeconds(30));
      minutes = count(db, "SELECT sum(requests) FROM api_request_minutes");
      hours = count(db, "SELECT sumMerge(requests) FROM api_request_hours");
    } finally {
      db.execute("ALTER TABLE api_request_hours DROP COLUMN refuse");
    }
    refusal = new Refusal(from, restartedAt, run.elapsedMs(), minutes, hours);
    System.out.printf("[rollup-view-fails-it] mid-stream %s, %s%n", midStream, refusal);

    finished = run.awaitFinished();
  }

  private static long count(ClickHouse db, String sql) {
    String text = db.queryText(sql).trim();
    return text.isEmpty() ? 0 : Long.parseLong(text);
  }

  @Test
  void inputHasDuplicatesOutOfOrderLateAndMalformedRecords() {
    input.assertHasEveryKindOfFaultAndNoUndecidedEvent();
  }

  @Test
  void theHourViewFailedAfterMinutesWereStoredAndTheJobFailedOver() {
    assertThat(midStream.minuteRows()).as("minute facts committed before the fault").isPositive();
    assertThat(refusal.firstRestartMs()).isGreaterThan(refusal.fromMs());
    assertThat(refusal.hourRequests())
        .as("while the hour table refused, the hours lacked requests the minutes held")
        .isLessThan(refusal.minuteRequests());
    assertThat(finished.getState()).isEqualTo(JobStatus.FINISHED);
    assertThat(run.restarts()).isPositive();
  }

  @Test
  void theRestoredCommitsCompletedTheHoursOfTheBatchesTheViewMissed() {
    long repairs =
        run.metric(SinkCounters.ROLLUP_REPAIRS, id -> id.contains(FaultedJobRun.MINUTES_SINK))
            .sum();
    System.out.printf(
        "[rollup-view-fails-it] rollup repairs %d, restarts %d%n", repairs, run.restarts());
    assertThat(repairs).isPositive();
  }

  @Test
  void everyMinuteHourAndDayEqualsTheOracleOverTheEventsOnTime() {
    run.assertMinutesHoursAndDaysEqualTheOracle();
  }

  @Test
  void rawTableWithFinalHoldsEveryUniqueValidEventOnce() {
    run.assertRawTableHoldsEveryUniqueValidEventOnce();
  }

  @Test
  void lateTableWithFinalHoldsExactlyTheEventsLateByConstructionOnce() {
    run.assertLateTableHoldsExactlyTheLateEventsOnce();
  }

  @Test
  void deadLettersWithFinalHoldEveryMalformedRecordOnce() {
    run.assertDeadLettersHoldEveryMalformedRecordOnce();
  }
}
