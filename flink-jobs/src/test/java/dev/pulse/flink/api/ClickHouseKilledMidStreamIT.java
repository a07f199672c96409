package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.flink.sink.SinkCounters;
import dev.pulse.flink.testing.FaultedJobRun;
import dev.pulse.flink.testing.LateTraffic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.DedicatedClickHouse;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
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
 * The production API metrics job rides out its ClickHouse server dying: mid-stream (two checkpoints
 * and committed minute facts behind it, input ahead) the server is killed with SIGKILL, left dead
 * for a second, and started again on the same data directory and port while the job runs. Every
 * write the job makes meanwhile (raw, late and dead-letter batches every 100 ms, minute-fact
 * commits at every 300 ms checkpoint) fails and is retried, or the job fails over and restores;
 * either way every table must then equal the oracle: nothing lost, nothing counted twice.
 *
 * <p>The server is a dedicated one ({@link DedicatedClickHouse}): the JVM's shared server stays up
 * for the other test classes.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class ClickHouseKilledMidStreamIT {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension static final DedicatedClickHouse CLICKHOUSE = new DedicatedClickHouse();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      SmallBufferMiniCluster.extension(METRICS.addToConfiguration(new Configuration()));

  /** Longer than the 100-300 ms between the job's writes, so several of them meet a dead server. */
  private static final Duration DEAD_FOR = Duration.ofSeconds(1);

  private static LateTraffic input;
  private static FaultedJobRun run;
  private static FaultedJobRun.MidStream midStream;
  private static Kill kill;
  private static AccessExecutionGraph finished;

  /** What the test saw of the kill and the restart. */
  private record Kill(
      long atMs,
      long restartedAtMs,
      long pidBefore,
      long killedPid,
      boolean killedPidAlive,
      boolean portRefusedWhileDead,
      long pidAfter,
      String versionAfter) {}

  @BeforeAll
  static void killClickHouseMidStreamAndRestartIt(
      TestKafka kafka, @InjectMiniCluster MiniCluster cluster, @TempDir Path checkpoints)
      throws Exception {
    TestClickHouse ch = CLICKHOUSE.testClickHouse();
    ClickHouse db = ch.migratedDatabase();
    input =
        LateTraffic.write(
            kafka, "api-requests", 20261203L, 25, ApiMetricsConfig.defaults().semantics().stream());
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

    awaitNoMinuteWriteRunning(db);
    long before = CLICKHOUSE.pid();
    long killedAt = run.elapsedMs();
    long killed = CLICKHOUSE.kill();
    boolean alive = ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false);
    boolean refused = refusesConnections(URI.create(ch.httpUrl()));
    Thread.sleep(DEAD_FOR.toMillis());
    CLICKHOUSE.restart();
    String version;
    try (ClickHouse fresh = ch.connect(null)) { // a pooled connection to the dead server is stale
      version = fresh.serverVersion();
    }
    kill =
        new Kill(
            killedAt, run.elapsedMs(), before, killed, alive, refused, CLICKHOUSE.pid(), version);
    System.out.printf("[clickhouse-killed-it] mid-stream %s, %s%n", midStream, kill);

    finished = run.awaitFinished();
  }

  /**
   * Waits (at most 5 s) until no minute-fact write runs on the server. A kill between a rollup
   * view's part and its ledger row makes the next commit add that rollup again (18.16 writes them
   * one after the other; flink-clickhouse-sink's DESIGN.md, residual risks): a documented gap, not
   * what this test is about, so the kill avoids the few milliseconds a write takes, to keep the
   * rollup comparison exact. Every other request may be cut off.
   */
  private static void awaitNoMinuteWriteRunning(ClickHouse db) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!db.queryText("SELECT count() FROM system.processes WHERE query_id LIKE 'pulse-batch-%'")
        .trim()
        .equals("0")) {
      assertThat(System.nanoTime()).as("a moment without a minute write").isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  private static boolean refusesConnections(URI server) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(server.getHost(), server.getPort()), 1_000);
      return false;
    } catch (IOException refused) {
      return true;
    }
  }

  @Test
  void inputHasDuplicatesOutOfOrderLateAndMalformedRecords() {
    input.assertHasEveryKindOfFaultAndNoUndecidedEvent();
  }

  @Test
  void theServerWasKilledMidStreamAndCameBackAsANewProcessOnTheSamePort() {
    assertThat(midStream.completedCheckpoints()).isGreaterThanOrEqualTo(2);
    assertThat(midStream.minuteRows()).as("minute facts committed before the kill").isPositive();
    assertThat(midStream.minutesCommitted())
        .as("minutes committed before the kill, of all the input's minutes")
        .isLessThan(input.minutes());
    assertThat(kill.killedPid()).isEqualTo(kill.pidBefore());
    assertThat(kill.killedPidAlive()).as("the killed process is alive").isFalse();
    assertThat(kill.portRefusedWhileDead()).as("the port refused connections while dead").isTrue();
    assertThat(kill.pidAfter()).isNotEqualTo(kill.pidBefore());
    assertThat(kill.versionAfter()).as("the restarted server answers").isNotBlank();
  }

  @Test
  void theJobMetTheDeadServerAndRodeItOutByRetryingOrRestoring() {
    assertThat(finished.getState()).isEqualTo(JobStatus.FINISHED);
    long retries = run.metric(SinkCounters.RETRIES, id -> true).sum();
    System.out.printf(
        "[clickhouse-killed-it] sink retries %d (minute commits %d), restarts %d%n",
        retries,
        run.metric(SinkCounters.RETRIES, id -> id.contains(FaultedJobRun.MINUTES_SINK)).sum(),
        run.restarts());
    assertThat(retries + run.restarts())
        .as("ClickHouse writes retried plus job restarts")
        .isPositive();
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
