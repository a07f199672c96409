package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.testing.FaultedJobRun;
import dev.pulse.flink.testing.LateTraffic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.DedicatedKafka;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production API metrics job rides out its Kafka broker going away: mid-stream (two checkpoints
 * and committed minute facts behind it, input ahead) the broker is shut down, kept down until the
 * job is held up (its source has handed on nothing new for a second: it has read what it had
 * fetched, or the dead-letter sink's flush at a checkpoint waits for the broker), and started again
 * on the same log directory and port. The source must then read on from where it was, the dead
 * letters of the outage reach their topic, and every table must equal the oracle.
 *
 * <p>The broker is a dedicated one ({@link DedicatedKafka}): the JVM's shared broker stays up for
 * the other test classes.
 */
@ExtendWith(ClickHouseExtension.class)
@Timeout(120)
class KafkaBrokerRestartedMidStreamIT {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension static final DedicatedKafka KAFKA = new DedicatedKafka();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      SmallBufferMiniCluster.extension(METRICS.addToConfiguration(new Configuration()));

  /** The KafkaSource's gauge of the offset of the last record its reader handed on. */
  private static final String CURRENT_OFFSET = "currentOffset";

  /** A source that hands on nothing for this long while input remains is held up. */
  private static final Duration HELD_UP = Duration.ofSeconds(1);

  private static final Duration HELD_UP_WAIT = Duration.ofSeconds(20);

  private static LateTraffic input;
  private static FaultedJobRun run;
  private static FaultedJobRun.MidStream midStream;
  private static Outage outage;
  private static AccessExecutionGraph finished;

  /** Bytes of the input the restarted broker served to the job's source. */
  private static long servedAfterRestart;

  /** What the test saw of the outage. */
  private record Outage(
      long offsetAtStop,
      boolean portRefusedWhileDown,
      String metadataCallWhileDown,
      long offsetHeldAt,
      long lastOffset,
      long servedAfterRestart) {}

  @BeforeAll
  static void stopTheBrokerMidStreamAndRestartIt(
      TestClickHouse ch, @InjectMiniCluster MiniCluster cluster, @TempDir Path checkpoints)
      throws Exception {
    TestKafka kafka = KAFKA.testKafka();
    input =
        LateTraffic.write(
            kafka, "api-requests", 20261204L, 40, ApiMetricsConfig.defaults().semantics().stream());
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

    long atStop = offset();
    KAFKA.stop();
    boolean refused = refusesConnections(kafka.bootstrapServers());
    String metadata = metadataCall(kafka.bootstrapServers());
    long heldAt = awaitHeldUp();
    KAFKA.restart();
    outage =
        new Outage(
            atStop,
            refused,
            metadata,
            heldAt,
            input.topic().delivered().size() - 1,
            KAFKA.bytesServed(kafka.topic("api-requests")));
    System.out.printf("[kafka-restarted-it] mid-stream %s, %s%n", midStream, outage);

    finished = run.awaitFinished();
    servedAfterRestart = KAFKA.bytesServed(kafka.topic("api-requests"));
    System.out.printf(
        "[kafka-restarted-it] the restarted broker served %d bytes of input%n", servedAfterRestart);
  }

  /**
   * The offset of the last record the job's source handed on (one partition; the furthest of any
   * attempt).
   */
  private static long offset() {
    return run.metric(CURRENT_OFFSET, id -> true).max().orElse(-1);
  }

  /**
   * Waits until the source has handed on nothing new for {@link #HELD_UP} (at most {@link
   * #HELD_UP_WAIT}) and returns its offset then.
   */
  private static long awaitHeldUp() throws InterruptedException {
    long deadline = System.nanoTime() + HELD_UP_WAIT.toNanos();
    long last = offset();
    long since = System.nanoTime();
    while (System.nanoTime() - since < HELD_UP.toNanos()) {
      assertThat(System.nanoTime())
          .as("the source held up within %s of the broker stopping", HELD_UP_WAIT)
          .isLessThan(deadline);
      Thread.sleep(50);
      long now = offset();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      }
    }
    return last;
  }

  private static boolean refusesConnections(String bootstrap) {
    String[] hostPort = bootstrap.split(":");
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 1_000);
      return false;
    } catch (IOException refused) {
      return true;
    }
  }

  /** A cluster metadata call with a 2 s bound: what it threw, or null when it answered. */
  private static String metadataCall(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_500);
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
      return null;
    } catch (Exception failed) {
      return failed.getClass().getSimpleName();
    }
  }

  @Test
  void inputHasDuplicatesOutOfOrderLateAndMalformedRecords() {
    input.assertHasEveryKindOfFaultAndNoUndecidedEvent();
  }

  @Test
  void theBrokerWentAwayMidStreamAndTheJobWasHeldUpUntilItCameBack() {
    assertThat(midStream.completedCheckpoints()).isGreaterThanOrEqualTo(2);
    assertThat(midStream.minuteRows()).as("minute facts committed before the stop").isPositive();
    assertThat(outage.offsetAtStop()).as("records read before the stop").isPositive();
    assertThat(outage.portRefusedWhileDown()).as("the port refused connections").isTrue();
    assertThat(outage.metadataCallWhileDown()).as("a metadata call while down").isNotNull();
    assertThat(outage.offsetHeldAt())
        .as("where the source was held up, of the topic's last offset")
        .isLessThan(outage.lastOffset());
  }

  @Test
  void afterTheRestartTheSourceFetchedTheRestOfTheTopicFromTheBrokerAndTheJobFinished() {
    assertThat(outage.servedAfterRestart())
        .as("input served by the broker just restarted")
        .isZero();
    assertThat(servedAfterRestart).as("input served by the restarted broker").isPositive();
    assertThat(offset()).as("the source's last offset").isEqualTo(outage.lastOffset());
    assertThat(finished.getState()).isEqualTo(JobStatus.FINISHED);
    System.out.printf("[kafka-restarted-it] restarts %d%n", run.restarts());
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
  void deadLettersWithFinalAndInTheirTopicHoldEveryMalformedRecord() {
    run.assertDeadLettersHoldEveryMalformedRecordOnce();
  }
}
