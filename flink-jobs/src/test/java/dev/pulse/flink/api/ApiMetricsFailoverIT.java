package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.RollupCheck;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.sink.SinkCounters;
import dev.pulse.flink.slo.SloSettings;
import dev.pulse.flink.testing.ApiFactTables;
import dev.pulse.flink.testing.RetainedCounters;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.Grain;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover proof of the API metrics job, end to end: simulator traffic in a real 2-partition
 * Kafka topic runs through the production graph ({@link ApiMetricsJob#readKafka}, {@link
 * ApiMetricsJob#build}, {@link ApiMetricsJob#sinks}) on a MiniCluster at parallelism 2 with file
 * checkpoints every 300 ms into a real ClickHouse; once two checkpoints have completed and minute
 * facts are committed, the TaskManager is killed ({@link MiniCluster#terminateTaskManager}) and a
 * new one started; the job restores from its last completed checkpoint, replays Kafka from the
 * offsets in it, re-commits the committables in it, and finishes. Then every aggregate in
 * ClickHouse must equal the oracle's recount of the deduplicated input: a replayed exactly-once
 * batch inserted twice would double the minutes and, through the materialized views, the hour and
 * day rollups; a lost one would leave them short.
 *
 * <p>The input has duplicates, out-of-order (1-20 s) and malformed records, and no late ones: an
 * event delayed at most 20 s is on time in its own partition (see ApiMetricsClickHouseIT), so every
 * unique valid event must be counted, before the kill or after it, exactly once.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(150)
class ApiMetricsFailoverIT {

  /** Keeps the metrics of the killed attempt and of the finished job, for the replay evidence. */
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      SmallBufferMiniCluster.extension(METRICS.addToConfiguration(new Configuration()));

  private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(300);
  private static final Duration KILL_WAIT = Duration.ofSeconds(30);
  private static final Duration JOB_LIMIT = Duration.ofSeconds(60);

  private static ApiMetricsConfig config;
  private static ClickHouse db;
  private static SimulatedApiTopic input;
  private static ApiOracle oracle;
  private static Kill kill;
  private static AccessExecutionGraph finished;

  /**
   * Commits the restored job found already stored (the sink's clickhouseReplayedCommits, summed).
   */
  private static long replayedCommits;

  /** What the test saw when it killed the TaskManager. */
  private record Kill(
      JobStatus status, long completedCheckpoints, long minuteRows, long minutesCommitted) {}

  /**
   * Passes each source record on after 1 ms, so the bounded job runs for seconds instead of reading
   * the whole topic in well under one checkpoint interval: the kill must land mid-stream, with
   * checkpoints and commits behind it and input still ahead. It changes no record and no time.
   */
  static final class Paced implements MapFunction<Decoded<ApiRequest>, Decoded<ApiRequest>> {
    @Override
    public Decoded<ApiRequest> map(Decoded<ApiRequest> record) throws InterruptedException {
      Thread.sleep(1);
      return record;
    }
  }

  @BeforeAll
  static void runTheJobKillItsTaskManagerMidStreamAndLetItRestore(
      TestKafka kafka,
      TestClickHouse ch,
      @InjectMiniCluster MiniCluster cluster,
      @TempDir Path checkpoints)
      throws Exception {
    db = ch.migratedDatabase();

    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20260307)
            .withDomains(EnumSet.of(Domain.API))
            .withStart(Instant.parse("2026-03-02T09:48:00Z")) // crosses 10:00: two hours roll up
            .withDuration(Duration.ofMinutes(25))
            .withRates(300, 1) // views are another domain, not generated here
            .withFaults(new FaultConfig(0.03, 0.05, 0.0, 0.01));
    input = SimulatedApiTopic.write(kafka, kafka.topic("api-requests"), sim);
    oracle = ApiOracle.ofRecords(input.values(), Instant.now());

    Map<String, String> settings = input.jobSettings(kafka, ch, kafka.topic("api-requests-dlq"));
    settings.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), CHECKPOINT_INTERVAL.toMillis() + "ms");
    // Small raw batches at a short delay: raw rows are stored between checkpoints, so the replay
    // after the restore sends some of them again (the ReplacingMergeTree must absorb them).
    settings.put(ClickHouseSettings.RAW_BATCH_SIZE.key(), "200");
    settings.put(ClickHouseSettings.MAX_BATCH_DELAY.key(), "100ms");
    // The example SLOs: their evaluation state is restored with the rest (the sessions-api error
    // spike at 10:00 fires and resolves alerts).
    settings.put(SloSettings.EXAMPLES.key(), "true");
    settings.put(SloSettings.ALERT_TOPIC.key(), kafka.topic("failover-slo-alerts", 1));
    config = ApiMetricsConfig.fromMap(settings);

    Configuration flink = new Configuration();
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    // On the extension's cluster, whose TaskManager the test kills: in @BeforeAll,
    // getExecutionEnvironment()
    // would still give a local environment with a MiniCluster of its own (the extension sets its
    // environment as the context only before each test method).
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, flink, config.parallelism(), List.of(), List.of());
    env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    env.setParallelism(config.parallelism());
    // The production graph with the pacing between the source and build (wire() minus nothing
    // else).
    DataStream<Decoded<ApiRequest>> records =
        ApiMetricsJob.readKafka(env, config)
            .map(new Paced())
            .returns(ApiMetricsJob.DECODED_TYPE)
            .name("pace-for-failover-test")
            .uid("pace-for-failover-test");
    ApiMetricsJob.sinks(ApiMetricsJob.build(records, config.semantics()), config);

    Instant started = Instant.now(); // only for the log line
    JobClient job = env.executeAsync(ApiMetricsJob.JOB_NAME);
    JobID id = job.getJobID();
    try {
      kill = killTheTaskManagerOnceFactsAreCommitted(cluster, id);
      Instant killed = Instant.now();
      cluster.startTaskManager();
      job.getJobExecutionResult().get(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS);
      finished = cluster.getArchivedExecutionGraph(id).get(10, TimeUnit.SECONDS);
      replayedCommits = replayedCommits(id);
      System.out.printf(
          "[failover-it] sent: %s; killed at %d ms (%s), job done at %d ms; restored %s; replayed commits %d;"
              + " raw rows without FINAL %s for %d unique events; checkpoint dir %s%n",
          input.report().summary(),
          Duration.between(started, killed).toMillis(),
          kill,
          Duration.between(started, Instant.now()).toMillis(),
          finished.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint(),
          replayedCommits,
          db.queryText("SELECT count() FROM api_requests_raw").trim(),
          input.report().uniqueValid(),
          Files.list(checkpoints).toList());
    } catch (TimeoutException e) {
      job.cancel().get(30, TimeUnit.SECONDS);
      throw new AssertionError("the job did not finish within " + JOB_LIMIT + " after the kill", e);
    }
  }

  /**
   * Waits (at most {@link #KILL_WAIT}) until at least two checkpoints have completed and minute
   * facts are in ClickHouse, then terminates TaskManager 0 with all the job's tasks on it.
   */
  private static Kill killTheTaskManagerOnceFactsAreCommitted(MiniCluster cluster, JobID id)
      throws Exception {
    long deadline = System.nanoTime() + KILL_WAIT.toNanos();
    while (true) {
      JobStatus status = cluster.getJobStatus(id).get(10, TimeUnit.SECONDS);
      assertThat(status.isGloballyTerminalState())
          .as("the job ended (%s) before facts were committed and it could be killed", status)
          .isFalse();
      long completed =
          cluster
              .getExecutionGraph(id)
              .get(10, TimeUnit.SECONDS)
              .getCheckpointStatsSnapshot()
              .getCounts()
              .getNumberOfCompletedCheckpoints();
      JsonNode minutes =
          db.query("SELECT count() AS n, uniqExact(minute) AS minutes FROM api_request_minutes")
              .get(0);
      if (status == JobStatus.RUNNING && completed >= 2 && minutes.get("n").asLong() > 0) {
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        return new Kill(
            status, completed, minutes.get("n").asLong(), minutes.get("minutes").asLong());
      }
      assertThat(System.nanoTime())
          .as("two checkpoints and committed facts within %s", KILL_WAIT)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** The sum of every committer subtask's clickhouseReplayedCommits, over all attempts. */
  private static long replayedCommits(JobID id) {
    return RetainedCounters.sum(METRICS, id, SinkCounters.REPLAYED_COMMITS);
  }

  @Test
  void inputHasDuplicatesOutOfOrderAndMalformedRecordsAndNoLateOnes() {
    assertThat(input.report().uniqueValid()).isBetween(3_000L, 20_000L);
    assertThat(input.report().duplicates()).isPositive();
    assertThat(input.report().outOfOrder()).isPositive();
    assertThat(input.report().malformed()).isPositive();
    assertThat(input.report().late()).isZero();
  }

  @Test
  void
      theTaskManagerWasKilledMidStreamAfterCommitsAndEveryTaskRanAgainFromTheLastCompletedCheckpoint() {
    assertThat(kill.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(kill.completedCheckpoints()).isGreaterThanOrEqualTo(2);
    assertThat(kill.minuteRows()).as("minute facts committed before the kill").isPositive();
    assertThat(kill.minutesCommitted())
        .as("minutes committed before the kill, of all the input's minutes")
        .isLessThan(
            oracle.stats(Grain.MINUTE).keySet().stream().map(k -> k.bucket()).distinct().count());

    assertThat(finished.getState()).isEqualTo(JobStatus.FINISHED);
    RestoredCheckpointStats restored =
        finished.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint();
    assertThat(restored).as("the job restored from a checkpoint").isNotNull();
    assertThat(restored.getCheckpointId()).isGreaterThanOrEqualTo(2);
    List<Integer> attempts = new ArrayList<>();
    for (AccessExecutionVertex v : finished.getAllExecutionVertices()) {
      attempts.add(v.getCurrentExecutionAttempt().getAttemptNumber());
    }
    assertThat(attempts).as("attempt of every subtask").isNotEmpty().allMatch(a -> a >= 1);
    // The restored checkpoint held minute-fact batches that had been committed before the kill: the
    // committer committed them again and found them stored. (The kill follows the first commit
    // within a checkpoint interval or two, while windows fire every few hundred ms, so that
    // checkpoint has facts.)
    assertThat(replayedCommits)
        .as("exactly-once commits replayed after the restore and skipped")
        .isPositive();
  }

  @Test
  void everyMinuteEqualsTheOracleAndEveryUniqueValidEventIsCountedExactlyOnce() {
    long total =
        ApiFactTables.assertEqualsOracle(
            ApiFactTables.minutes(db),
            oracle,
            Grain.MINUTE,
            config.semantics().latencyThresholdsUs());
    assertThat(total).isEqualTo(input.report().uniqueValid());
    assertThat(db.queryText("SELECT count() FROM api_requests_late").trim())
        .as("events reported late")
        .isEqualTo("0");
  }

  @Test
  void hourAndDayRollupsMergedFromTheirStatesEqualTheOracleNoReplayedBatchFoldedInTwice() {
    ApiFactTables.assertEqualsOracle(
        ApiFactTables.hours(db), oracle, Grain.HOUR, config.semantics().latencyThresholdsUs());
    ApiFactTables.assertEqualsOracle(
        ApiFactTables.days(db), oracle, Grain.DAY, config.semantics().latencyThresholdsUs());
    assertThat(oracle.stats(Grain.HOUR).keySet().stream().map(k -> k.bucket()).distinct())
        .as("the input's hours")
        .hasSize(2);
  }

  @Test
  void theRollupCheckFindsEveryHourAndDayEqualToTheMinutesAfterTheRestore() {
    assertThat(
            new RollupCheck(db)
                .check(
                    Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("2100-01-01T00:00:00Z")))
        .isEmpty();
  }

  @Test
  void rawTableWithFinalHoldsEachUniqueValidEventOnce() {
    Set<String> expected = new HashSet<>();
    for (ApiRequestEvent e : input.validDeliveries()) {
      expected.add(e.getEventId());
    }
    List<String> stored = new ArrayList<>();
    for (JsonNode r : db.query("SELECT event_id FROM api_requests_raw FINAL")) {
      stored.add(r.get("event_id").asText());
    }
    assertThat(stored).hasSize(expected.size()).doesNotHaveDuplicates();
    assertThat(new HashSet<>(stored)).isEqualTo(expected);
  }

  @Test
  void deadLettersWithFinalHoldExactlyTheMalformedRecordsOnceEach() {
    long malformed =
        input.delivered().stream().filter(r -> r.kind() == SimulatedRecord.Kind.MALFORMED).count();
    assertThat(malformed).isEqualTo(input.report().malformed()).isPositive();
    JsonNode counts =
        db.query(
                "SELECT count() AS n, uniqExact(partition, offset) AS origins FROM dead_letters FINAL")
            .get(0);
    assertThat(counts.get("n").asLong()).isEqualTo(malformed);
    assertThat(counts.get("origins").asLong()).isEqualTo(malformed);
  }

  /**
   * The SLO evaluation across the kill: each tenant's last evaluation of each SLO over API requests
   * counts every unique valid request once (eligible) and each bad one once, and every alert row's
   * changes in {@code slo_alerts} alternate firing, resolved (none repeated, none lost by the
   * restore), at least one page among them.
   */
  @Test
  void sloEvaluationsCountEveryRequestOnceAndAlertChangesAlternateAcrossTheRestore() {
    Map<String, long[]> want = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (ApiRequestEvent e : input.validDeliveries()) {
      if (!seen.add(e.getTenantId() + "/" + e.getEventId().toLowerCase(Locale.ROOT))) {
        continue;
      }
      if (e.getService().equals("sessions-api")) {
        long[] n = want.computeIfAbsent(e.getTenantId(), t -> new long[2]);
        n[0]++;
        n[1] += e.getStatusCode() >= 500 ? 1 : 0;
      }
    }
    Map<String, long[]> got = new TreeMap<>();
    for (JsonNode r :
        db.query(
            "SELECT tenant_id, argMax(eligible, minute) AS eligible, argMax(bad, minute) AS bad"
                + " FROM slo_status FINAL WHERE slo = 'sessions-api-availability'"
                + " GROUP BY tenant_id")) {
      got.put(
          r.get("tenant_id").asText(),
          new long[] {r.get("eligible").asLong(), r.get("bad").asLong()});
    }
    assertThat(got.keySet()).isEqualTo(want.keySet());
    want.forEach((tenant, n) -> assertThat(got.get(tenant)).as(tenant).containsExactly(n));

    Map<String, List<String>> changes = new TreeMap<>();
    for (JsonNode r :
        db.query(
            "SELECT tenant_id, slo, alert_row, state FROM slo_alerts FINAL ORDER BY at, state")) {
      changes
          .computeIfAbsent(
              r.get("tenant_id").asText()
                  + " "
                  + r.get("slo").asText()
                  + " "
                  + r.get("alert_row").asText(),
              k -> new ArrayList<>())
          .add(r.get("state").asText());
    }
    assertThat(changes.keySet()).anyMatch(k -> k.contains("sessions-api-availability page-fast"));
    changes.forEach(
        (row, states) -> {
          for (int i = 0; i < states.size(); i++) {
            assertThat(states.get(i))
                .as(row + " " + states)
                .isEqualTo(i % 2 == 0 ? "firing" : "resolved");
          }
          // The bounded input ends with every window emptying: each row resolves.
          assertThat(states).as(row).hasSizeGreaterThan(0).endsWith("resolved");
        });
  }
}
