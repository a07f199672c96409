package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.sink.SinkCounters;
import dev.pulse.flink.testing.FaultedJobRun;
import dev.pulse.flink.testing.LateTraffic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.HoldingProxy;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production API metrics job commits a minute-fact batch once although ClickHouse's answer to
 * its write never reaches the job: a TCP proxy ({@link HoldingProxy}) between the job's sinks and
 * the server lets one mid-stream write of minute facts through whole, so the server stores the
 * batch (and rolls it up), and holds the answer past the sinks' 2 s socket timeout. The committer
 * times out, tries again, must find the batch stored instead of writing it a second time, and every
 * table must equal the oracle. Every other request passes through untouched.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(120)
class MinuteCommitAnswerHeldPastTimeoutIT {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      SmallBufferMiniCluster.extension(METRICS.addToConfiguration(new Configuration()));

  /** The sinks give up on an answer after this long... */
  private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(2);

  /** ...and the proxy holds the answer for longer. */
  private static final Duration HOLD = Duration.ofSeconds(6);

  /** A minute-fact write names its batch in its query id (flink-clickhouse-sink's committer). */
  private static final Pattern BATCH = Pattern.compile("query_id=pulse-batch-([0-9a-f-]{36})");

  private static LateTraffic input;
  private static HoldingProxy proxy;
  private static FaultedJobRun run;
  private static FaultedJobRun.MidStream midStream;
  private static ClickHouse db;
  private static String heldBatch;
  private static long heldBatchRowsWhileHeld;
  private static boolean released;
  private static AccessExecutionGraph finished;

  @BeforeAll
  static void holdTheAnswerToAMinuteWriteMidStream(
      TestKafka kafka,
      TestClickHouse ch,
      @InjectMiniCluster MiniCluster cluster,
      @TempDir Path checkpoints)
      throws Exception {
    db = ch.migratedDatabase();
    URI server = URI.create(ch.httpUrl());
    proxy = HoldingProxy.to(server.getHost(), server.getPort());
    input =
        LateTraffic.write(
            kafka, "api-requests", 20261205L, 25, ApiMetricsConfig.defaults().semantics().stream());
    Map<String, String> settings = FaultedJobRun.settings(input, kafka, ch);
    settings.put(ClickHouseSettings.URL.key(), proxy.httpUrl());
    settings.put(ClickHouseSettings.SOCKET_TIMEOUT.key(), SOCKET_TIMEOUT.toMillis() + "ms");
    run = FaultedJobRun.start(cluster, METRICS, input, kafka, settings, ch, checkpoints);
    midStream = run.awaitMidStream();

    proxy.holdNext("query_id=pulse-batch-", HoldingProxy.Hold.RESPONSE, HOLD);
    heldBatch = awaitHeldBatch();
    // Read past the proxy while the answer is still held: the write has landed.
    heldBatchRowsWhileHeld = awaitRowsOf(heldBatch);
    released = proxy.awaitReleased(HOLD.multipliedBy(3));
    System.out.printf(
        "[commit-held-it] mid-stream %s; held the answer to batch %s (%d rows stored while held);"
            + " client gave up %s%n",
        midStream, heldBatch, heldBatchRowsWhileHeld, proxy.clientGaveUpWhileHeld());

    finished = run.awaitFinished();
  }

  @AfterAll
  static void closeTheProxy() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  /** The batch id of the write being held, once one is (at most 20 s). */
  private static String awaitHeldBatch() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (proxy.heldRequests() == 0) {
      assertThat(System.nanoTime()).as("a minute write held within 20 s").isLessThan(deadline);
      Thread.sleep(10);
    }
    Matcher m = BATCH.matcher(proxy.heldRequestHead());
    assertThat(m.find()).as("batch id in %s", proxy.heldRequestHead()).isTrue();
    return m.group(1);
  }

  /** The batch's rows in the minute table once there are any (at most the hold). */
  private static long awaitRowsOf(String batch) throws InterruptedException {
    long deadline = System.nanoTime() + HOLD.toNanos();
    while (true) {
      long rows = rowsOf(batch);
      if (rows > 0 || System.nanoTime() > deadline) {
        return rows;
      }
      Thread.sleep(20);
    }
  }

  private static long rowsOf(String batch) {
    return Long.parseLong(
        db.queryText("SELECT count() FROM api_request_minutes WHERE batch_id = '" + batch + "'")
            .trim());
  }

  @Test
  void inputHasDuplicatesOutOfOrderLateAndMalformedRecords() {
    input.assertHasEveryKindOfFaultAndNoUndecidedEvent();
  }

  @Test
  void aMidStreamMinuteWriteLandedWhileItsAnswerWasHeldPastTheTimeoutAndTheCommitterRetried() {
    assertThat(midStream.completedCheckpoints()).isGreaterThanOrEqualTo(2);
    assertThat(midStream.minutesCommitted())
        .as("minutes committed before the hold, of all the input's minutes")
        .isLessThan(input.minutes());
    assertThat(proxy.heldRequests()).isEqualTo(1);
    assertThat(heldBatchRowsWhileHeld).as("rows of the held batch stored while held").isPositive();
    assertThat(released).as("the hold ended").isTrue();
    assertThat(proxy.clientGaveUpWhileHeld()).as("the committer gave up on the answer").isTrue();
    assertThat(
            run.metric(SinkCounters.RETRIES, id -> id.contains(FaultedJobRun.MINUTES_SINK)).sum())
        .as("retries of minute-fact commits")
        .isPositive();
    assertThat(finished.getState()).isEqualTo(JobStatus.FINISHED);
    System.out.printf("[commit-held-it] restarts %d%n", run.restarts());
  }

  @Test
  void theHeldBatchIsStoredOnceNotWrittenAgainByTheRetry() {
    assertThat(rowsOf(heldBatch)).isEqualTo(heldBatchRowsWhileHeld);
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
