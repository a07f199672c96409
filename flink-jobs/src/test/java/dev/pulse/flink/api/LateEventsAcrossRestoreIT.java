package dev.pulse.flink.api;

import static dev.pulse.flink.testing.ApiEvents.event;
import static dev.pulse.flink.testing.ApiEvents.record;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.RollupCheck;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late events straddling a crash (fault test f): the production job, at parallelism 2 on a real
 * 2-partition topic, judges 20 events late (10 past the window's allowed lateness, 10 past the
 * dedup horizon), then its TaskManager is killed before the next checkpoint and the job restores
 * from the checkpoint before those events. Replayed, some are on time in the new run (its watermark
 * starts again from the replayed records), so they are counted in the minute facts. Each event must
 * end in exactly one place: the minute facts or the late table, never both; so the late table holds
 * no row of a checkpoint that never completed. Checkpoints are triggered by the test, so the crash
 * falls exactly between the late decision and the next checkpoint.
 *
 * <p>Expected counts are worked by hand from the events the test writes: minute 10:00 gets 120 on
 * time events of phase A and 10 late ones (10:00:50-10:00:54.5, 40 s behind a watermark near
 * 10:01:37), minute 09:59 the 10 events far behind (beyond the 92 s dedup horizon), minute 10:01 80
 * events, minutes 10:02 and 10:03 the 120 events of phase C written after the restore.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(150)
class LateEventsAcrossRestoreIT {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      SmallBufferMiniCluster.extension(METRICS.addToConfiguration(new Configuration()));

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String LATE_SINK = "api-requests-late-to-clickhouse";

  private static ClickHouse db;
  private static long lateRecordsBeforeTheKill;
  private static Map<String, Long> lateRowsStoredBeforeTheKill;
  private static long checkpointBeforeTheLateEvents;
  private static AccessExecutionGraph afterRestore;
  private static final Map<String, Long> EXPECTED = new TreeMap<>();

  @BeforeAll
  static void judgeEventsLateCrashBeforeTheNextCheckpointAndRestore(
      TestKafka kafka,
      TestClickHouse ch,
      @InjectMiniCluster MiniCluster cluster,
      @TempDir Path checkpoints)
      throws Exception {
    db = ch.migratedDatabase();
    String topic = kafka.topic("api-requests");
    Map<String, String> settings =
        SimulatedApiTopic.jobSettings(kafka, ch, topic, kafka.topic("api-requests-dlq"));
    settings.put(KafkaSettings.BOUNDED.key(), "false");
    settings.put(ClickHouseSettings.MAX_BATCH_DELAY.key(), "100ms");
    // Only the test triggers checkpoints.
    settings.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), "1h");
    ApiMetricsConfig config = ApiMetricsConfig.fromMap(settings);

    Configuration flink = new Configuration();
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, flink, config.parallelism(), List.of(), List.of());
    env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    ApiMetricsJob.wire(env, config);

    JobClient job = env.executeAsync(ApiMetricsJob.JOB_NAME);
    JobID id = job.getJobID();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      // Phase A: 10:00:00-10:01:39.5, one event every 0.5 s, so both partitions' watermarks pass
      // 10:01:30 (the end of minute 10:00 plus the allowed lateness).
      long n = 0;
      for (; n < 200; n++) {
        send(producer, topic, n, t(n * 0.5));
      }
      awaitRunning(cluster, id);
      await("phase A in the raw table", () -> rawCount() == 200);
      // Minute 10:00 fired and committed, and its window purged before the checkpoint taken next.
      await(
          "minute 10:00 committed",
          () -> {
            checkpoint(cluster, id);
            return minuteRequests().getOrDefault("2026-03-02 10:00:00", 0L) == 120;
          });
      Thread.sleep(500);
      checkpointBeforeTheLateEvents = checkpoint(cluster, id);

      // Phase B: 10 events 40 s behind the watermark (late for the window), 10 far behind it
      // (beyond the dedup horizon).
      for (int i = 0; i < 10; i++, n++) {
        send(producer, topic, n, t(50 + i * 0.5));
      }
      for (int i = 0; i < 10; i++, n++) {
        send(producer, topic, n, t(-60 + i));
      }
      producer.flush();
      await("the 20 events judged late", () -> lateSinkRecords(id) == 20);
      lateRecordsBeforeTheKill = lateSinkRecords(id);
      // Longer than any at-least-once flush delay: a late row written before the checkpoint would
      // be stored by now.
      Thread.sleep(1_500);
      lateRowsStoredBeforeTheKill = lateRows();
      cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
      cluster.startTaskManager();
      awaitRunning(cluster, id);

      // Phase C after the restore: 10:02:00-10:03:59.5 moves the watermark past 10:00 and 09:59.
      for (int i = 0; i < 240; i++, n++) {
        send(producer, topic, n, t(120 + i * 0.5));
      }
      producer.flush();
      EXPECTED.put("2026-03-02 09:59:00", 10L);
      EXPECTED.put("2026-03-02 10:00:00", 130L);
      EXPECTED.put("2026-03-02 10:01:00", 80L);
      EXPECTED.put("2026-03-02 10:02:00", 120L);
      await(
          "minutes 09:59-10:02 complete in facts plus late events",
          () -> {
            checkpoint(cluster, id);
            Map<String, Long> seen = factsPlusLate();
            return EXPECTED.keySet().stream()
                .allMatch(m -> seen.getOrDefault(m, 0L) >= EXPECTED.get(m));
          });
      checkpoint(cluster, id); // commits anything a last window firing still held
      afterRestore = cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS);
      System.out.printf(
          "[late-restore-it] late records judged: %d before the kill, %d in all; restores %d; facts %s;"
              + " late %s; late ids %s%n",
          lateRecordsBeforeTheKill,
          lateSinkRecords(id),
          afterRestore.getCheckpointStatsSnapshot().getCounts().getNumberOfRestoredCheckpoints(),
          minuteRequests(),
          lateRows(),
          db.queryText("SELECT groupArray(event_id) FROM api_requests_late").trim());
    } finally {
      job.cancel().get(30, TimeUnit.SECONDS);
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, long n, Instant at)
      throws Exception {
    ProducerRecord<byte[], byte[]> r = record(topic, event(n, at, 200, 1_000 + n));
    producer.send(r).get(10, TimeUnit.SECONDS);
  }

  /** Triggers a checkpoint and returns its id once it completed. */
  private static long checkpoint(MiniCluster cluster, JobID id) {
    try {
      return cluster.triggerCheckpoint(id, CheckpointType.FULL).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(
          "checkpoint of " + id + " failed; job failure: " + failure(cluster, id), e);
    }
  }

  private static String failure(MiniCluster cluster, JobID id) {
    try {
      var info = cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getFailureInfo();
      return info == null ? "none" : info.getExceptionAsString();
    } catch (Exception e) {
      return "unknown (" + e + ")";
    }
  }

  private static void awaitRunning(MiniCluster cluster, JobID id) throws InterruptedException {
    await(
        "every task running",
        () -> {
          try {
            for (AccessExecutionVertex v :
                cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getAllExecutionVertices()) {
              if (v.getExecutionState() != ExecutionState.RUNNING) {
                return false;
              }
            }
            return true;
          } catch (Exception e) {
            return false;
          }
        });
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("%s within %s", what, WAIT).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Records the late-event sink's writers received, all subtasks, all attempts. */
  private static long lateSinkRecords(JobID id) {
    return METRICS.findOperatorMetricGroups(id, LATE_SINK + ": Writer").stream()
        .mapToLong(g -> g.getIOMetricGroup().getNumRecordsInCounter().getCount())
        .sum();
  }

  private static long rawCount() {
    return Long.parseLong(db.queryText("SELECT count() FROM api_requests_raw FINAL").trim());
  }

  private static Map<String, Long> minuteRequests() {
    return perMinute(
        "SELECT toString(minute) AS m, sum(requests) AS n FROM api_request_minutes GROUP BY m");
  }

  private static Map<String, Long> lateRows() {
    return perMinute(
        "SELECT toString(toStartOfMinute(event_time)) AS m, count() AS n"
            + " FROM api_requests_late FINAL GROUP BY m");
  }

  private static Map<String, Long> factsPlusLate() {
    Map<String, Long> sum = new TreeMap<>(minuteRequests());
    lateRows().forEach((m, n) -> sum.merge(m, n, Long::sum));
    return sum;
  }

  private static Map<String, Long> perMinute(String sql) {
    Map<String, Long> out = new TreeMap<>();
    for (JsonNode r : db.query(sql)) {
      out.put(r.get("m").asText(), r.get("n").asLong());
    }
    return out;
  }

  @Test
  void twentyEventsWereJudgedLateBeforeTheKillAndTheJobRestoredFromTheCheckpointBeforeThem() {
    assertThat(lateRecordsBeforeTheKill).isEqualTo(20);
    assertThat(lateRowsStoredBeforeTheKill)
        .as("late rows stored while their checkpoint had not completed")
        .isEmpty();
    RestoredCheckpointStats restored =
        afterRestore.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint();
    assertThat(restored).as("the job restored from a checkpoint").isNotNull();
    assertThat(restored.getCheckpointId()).isEqualTo(checkpointBeforeTheLateEvents);
  }

  @Test
  void everyEventIsCountedOnceInTheFactsOrInTheLateTableNeverInBoth() {
    Map<String, Long> seen = factsPlusLate();
    for (Map.Entry<String, Long> e : EXPECTED.entrySet()) {
      assertThat(seen.get(e.getKey()))
          .as("facts + late events of %s", e.getKey())
          .isEqualTo(e.getValue());
    }
    assertThat(rawCount()).as("unique events in the raw table").isEqualTo(460);
  }

  @Test
  void someEventsTheDiscardedRunJudgedLateAreCountedInTheFactsOfTheNewRun() {
    // The new run's watermark starts again from the replayed records: events late in the discarded
    // run may be on time in it. Had the discarded run's late rows been stored, these would be
    // counted twice (the sums above).
    Map<String, Long> facts = minuteRequests();
    long replayedIntoFacts =
        facts.getOrDefault("2026-03-02 10:00:00", 0L)
            - 120
            + facts.getOrDefault("2026-03-02 09:59:00", 0L);
    assertThat(replayedIntoFacts).as("of the 20 late events, counted in facts").isPositive();
  }

  @Test
  void hoursAndDaysEqualTheMinutesAndNothingWasADeadLetter() {
    // Which events the facts hold depends on the crash (the test above); the rollups must hold
    // exactly what the minutes hold, whatever that is.
    assertThat(
            new RollupCheck(db)
                .check(
                    Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-03T00:00:00Z")))
        .isEmpty();
    assertThat(db.queryText("SELECT count() FROM dead_letters").trim()).isEqualTo("0");
  }
}
