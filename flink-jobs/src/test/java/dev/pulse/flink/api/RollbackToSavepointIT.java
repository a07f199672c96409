package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.sinks.ApiSinks;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.testing.ApiFactTables;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollback (fault test d): the production job runs over simulator traffic, a savepoint is taken
 * once facts are committed, and the job runs on to the end of the input, committing everything
 * after the savepoint too. Then, as an operator rolling back a bad deploy would, the job is started
 * again from that savepoint, after {@link ApiMetricsRollback} deleted what the first run committed
 * from records after it. The restored job replays those records; every minute, hour and day must
 * then equal the oracle's recount of the deduplicated input: nothing the first run committed after
 * the savepoint may count a second time.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(150)
class RollbackToSavepointIT {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      SmallBufferMiniCluster.extension(METRICS.addToConfiguration(new Configuration()));

  private static final Duration LIMIT = Duration.ofSeconds(60);

  private static ApiMetricsConfig config;
  private static ClickHouse db;
  private static SimulatedApiTopic input;
  private static ApiOracle oracle;
  private static ApiMetricsRollback.Savepoint savepoint;
  private static long minuteRowsAfterTheFirstRun;
  private static ApiMetricsRollback.Result rollback;
  private static AccessExecutionGraph restored;
  private static Set<Integer> replayedPartitions;

  @BeforeAll
  static void runTakeASavepointRunToTheEndRollBackAndRunAgainFromTheSavepoint(
      TestKafka kafka,
      TestClickHouse ch,
      @InjectMiniCluster MiniCluster cluster,
      @TempDir Path checkpoints,
      @TempDir Path savepoints)
      throws Exception {
    db = ch.migratedDatabase();
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20261202)
            .withDomains(EnumSet.of(Domain.API))
            .withStart(Instant.parse("2026-03-02T09:50:00Z"))
            .withDuration(Duration.ofMinutes(20))
            // Long enough (about 6 s per source subtask, paced) that the savepoint falls mid-run.
            .withRates(600, 1)
            .withFaults(new FaultConfig(0.03, 0.05, 0.0, 0.01));
    input = SimulatedApiTopic.write(kafka, kafka.topic("api-requests"), sim);
    oracle = ApiOracle.ofRecords(input.values(), Instant.now());
    Map<String, String> settings = input.jobSettings(kafka, ch, kafka.topic("api-requests-dlq"));
    settings.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), "300ms");
    config = ApiMetricsConfig.fromMap(settings);
    // The replay commits its offsets to a group of its own: the first run committed the end offsets
    // to the job's group.
    settings.put(KafkaSettings.GROUP_ID.key(), config.kafka().groupId() + "-replay");
    ApiMetricsConfig replay = ApiMetricsConfig.fromMap(settings);

    JobClient first = submit(cluster, config, checkpoints, null);
    String path = savepointOnceFactsAreCommitted(cluster, first.getJobID(), savepoints);
    first.getJobExecutionResult().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
    minuteRowsAfterTheFirstRun = count("SELECT sum(requests) FROM api_request_minutes");

    savepoint = ApiMetricsRollback.Savepoint.read(Path.of(java.net.URI.create(path)));
    rollback = new ApiMetricsRollback(db).prepare(savepoint);

    JobClient second = submit(cluster, replay, checkpoints, path);
    // A bounded Kafka source restored from a savepoint reads to its end offsets but does not
    // finish (its enumerator does not signal "no more splits" again), so the second run ends as
    // an operator ends a job: once the replay is read, stop with a savepoint and drain, which
    // fires every window and commits the last facts.
    awaitReplayRead(kafka, cluster, second.getJobID(), replay.kafka().groupId());
    cluster
        .stopWithSavepoint(
            second.getJobID(), savepoints.toUri().toString(), true, SavepointFormatType.CANONICAL)
        .get(30, TimeUnit.SECONDS);
    second.getJobExecutionResult().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
    restored = cluster.getArchivedExecutionGraph(second.getJobID()).get(10, TimeUnit.SECONDS);
    System.out.printf(
        "[rollback-it] %s; requests in minutes after the first run %d, unique valid events %d;"
            + " partitions replayed %s%n",
        rollback, minuteRowsAfterTheFirstRun, input.report().uniqueValid(), replayedPartitions);
  }

  /** The production graph, paced as in ApiMetricsFailoverIT, from {@code savepoint} if given. */
  private static JobClient submit(
      MiniCluster cluster, ApiMetricsConfig config, Path checkpoints, String savepoint)
      throws Exception {
    Configuration flink = new Configuration();
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    if (savepoint != null) {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, flink, config.parallelism(), List.of(), List.of());
    env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    DataStream<Decoded<ApiRequest>> records =
        ApiMetricsJob.readKafka(env, config)
            .map(new ApiMetricsFailoverIT.Paced())
            .returns(ApiMetricsJob.DECODED_TYPE)
            .name("pace-for-failover-test")
            .uid("pace-for-failover-test");
    ApiMetricsJob.sinks(ApiMetricsJob.build(records, config.semantics()), config);
    return env.executeAsync(ApiMetricsJob.JOB_NAME);
  }

  private static String savepointOnceFactsAreCommitted(
      MiniCluster cluster, JobID id, Path savepoints) throws Exception {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (count("SELECT count() FROM api_request_minutes") == 0) {
      assertThat(System.nanoTime()).as("facts committed within %s", LIMIT).isLessThan(deadline);
      Thread.sleep(20);
    }
    return cluster
        .triggerSavepoint(id, savepoints.toUri().toString(), false, SavepointFormatType.CANONICAL)
        .get(30, TimeUnit.SECONDS);
  }

  /**
   * Waits until the restored job has read the rest of every partition it resumed and committed it
   * to {@code group} at a checkpoint. The partitions it resumed are those its Kafka readers hold
   * (they have a {@code committedOffset} gauge): a partition whose split had finished before the
   * savepoint is not in the savepoint, and the replay has nothing of it to read.
   */
  private static void awaitReplayRead(TestKafka kafka, MiniCluster cluster, JobID job, String group)
      throws Exception {
    try (Admin admin = Admin.create(kafka.producerProperties())) {
      String topic = config.kafka().topic();
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<Integer, Long> end = new HashMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get()
          .forEach((tp, info) -> end.put(tp.partition(), info.offset()));
      long deadline = System.nanoTime() + LIMIT.toNanos();
      while (true) {
        long checkpoints =
            cluster
                .getExecutionGraph(job)
                .get(10, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
        Set<Integer> resumed = partitionsHeld(job);
        Map<Integer, Long> committed = new HashMap<>();
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get()
            .forEach((tp, o) -> committed.put(tp.partition(), o == null ? -1 : o.offset()));
        if (checkpoints >= 1
            && resumed.stream().allMatch(p -> committed.getOrDefault(p, -1L) >= end.get(p))) {
          replayedPartitions = resumed;
          return;
        }
        assertThat(System.nanoTime())
            .as(
                "the replay read within %s (checkpoints %d, resumed %s, committed %s, end %s)",
                LIMIT, checkpoints, resumed, committed, end)
            .isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  private static final Pattern COMMITTED_OFFSET =
      Pattern.compile("\\.partition\\.(\\d+)\\.committedOffset$");

  /** The partitions the Kafka readers of {@code job} hold (each has a committedOffset gauge). */
  private static Set<Integer> partitionsHeld(JobID job) {
    Set<Integer> held = new HashSet<>();
    for (Map.Entry<MetricGroup, Map<String, Metric>> g : METRICS.getMetricsByGroup().entrySet()) {
      if (g.getValue().get("committedOffset") instanceof Gauge<?>
          && job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))) {
        Matcher m = COMMITTED_OFFSET.matcher(g.getKey().getMetricIdentifier("committedOffset"));
        if (m.find()) {
          held.add(Integer.parseInt(m.group(1)));
        }
      }
    }
    return held;
  }

  private static long count(String sql) {
    String v = db.queryText(sql + " FORMAT TabSeparated").trim();
    return v.isEmpty() ? 0 : Long.parseLong(v);
  }

  @Test
  void theFirstRunCommittedEverythingAndTheRollbackDeletedTheBatchesAfterTheSavepoint() {
    assertThat(minuteRowsAfterTheFirstRun)
        .as("requests in the minutes after the first run")
        .isEqualTo(input.report().uniqueValid());
    assertThat(rollback.batches().getOrDefault(ApiSinks.MINUTES_TABLE, 0))
        .as("minute-fact batches committed after the savepoint")
        .isPositive();
    RestoredCheckpointStats from =
        restored.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint();
    assertThat(from).as("the second run restored").isNotNull();
    assertThat(from.getCheckpointId()).isEqualTo(savepoint.checkpointId());
  }

  @Test
  void afterTheRollbackEveryMinuteHourAndDayEqualsTheOracleOnce() {
    assertThat(
            ApiFactTables.assertEveryGrainEqualsOracle(
                db, oracle, config.semantics().latencyThresholdsUs()))
        .isEqualTo(input.report().uniqueValid());
  }

  @Test
  void rawTableWithFinalHoldsEachUniqueValidEventOnce() {
    Set<String> expected = new HashSet<>();
    for (ApiRequestEvent e : input.validDeliveries()) {
      expected.add(e.getEventId());
    }
    Set<String> stored = new HashSet<>();
    for (JsonNode r : db.query("SELECT event_id FROM api_requests_raw FINAL")) {
      stored.add(r.get("event_id").asText());
    }
    assertThat(stored).isEqualTo(expected);
    assertThat(count("SELECT count() FROM api_requests_late FINAL")).isZero();
  }

  @Test
  void deadLettersWithFinalHoldEachMalformedRecordOnce() {
    assertThat(input.report().malformed()).as("malformed records in the input").isPositive();
    ApiFactTables.assertDeadLettersHoldEachInvalidRecordOnce(db, input.values(), Instant.now());
  }
}
