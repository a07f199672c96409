package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.DedupStateLayout;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.flink.testing.ApiEvents;
import dev.pulse.flink.testing.RetainedCounters;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test 5(e) of issue 7 on real parts: the production job on RocksDB with incremental
 * checkpoints ({@code state.backend.type: rocksdb}, {@code dedup-state-layout: ENTRY_PER_ID}) reads
 * two minutes of API requests from a real Kafka topic into a real ClickHouse, is stopped with a
 * savepoint, stays down, and is started again from the savepoint while the topic has received
 * producer retries of events from before the stop (half of them with the id re-serialized in upper
 * case), new events, and events reusing earlier ids in another tenant. Every minute must equal an
 * independent count of the distinct (tenant, canonical id) events written, the dedup must have
 * dropped exactly the retries (which proves it restored the ids from the savepoint), and nothing
 * may be late.
 *
 * <p>With the old processing-time TTL, a downtime longer than the TTL let every retry through and
 * counted it twice. The dedup now reads no processing time at all, so the length of the downtime
 * here (a few seconds of wall clock) stands for any: {@code BucketedDeduplicateFunctionTest} moves
 * the processing-time clock by a week between snapshot and restore on both backends.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(240)
class DedupAfterLongDowntimeIT {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      SmallBufferMiniCluster.extension(METRICS.addToConfiguration(new Configuration()));

  private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");

  /** Phase 1: 10:00:00 to 10:02:00, one event every 100 ms. */
  private static final int BEFORE = 1_200;

  /** Phase 2: 10:02:00 to 10:04:00, one event every 100 ms. */
  private static final int AFTER = 1_200;

  /** Retries of the last 30 s of phase 1, replayed after the restore. */
  private static final int RETRIES = 300;

  /** Earlier ids reused by tenant t2: new events. */
  private static final int OTHER_TENANT = 50;

  /** Events at 10:06 that move every partition's watermark past 10:04 + allowed lateness. */
  private static final int CLOSING = 40;

  private static final Instant CLOSING_TIME = START.plusSeconds(6 * 60);

  @Test
  void afterARestoreFromASavepointReplayedRetriesAreDroppedAndEveryMinuteEqualsAnIndependentCount(
      TestKafka kafka,
      TestClickHouse ch,
      @InjectMiniCluster MiniCluster cluster,
      @TempDir Path checkpoints,
      @TempDir Path savepoints)
      throws Exception {
    ClickHouse db = ch.migratedDatabase();
    String topic = kafka.topic("long-downtime");
    ApiMetricsConfig config = config(kafka, ch, topic, kafka.topic("long-downtime-dlq"));
    List<ApiRequestEvent> written = new ArrayList<>();

    List<ApiRequestEvent> before = new ArrayList<>();
    for (int n = 0; n < BEFORE; n++) {
      before.add(ApiEvents.event(n, START.plusMillis(100L * n), 200, 1_000 + n));
    }
    send(kafka, topic, before, written);

    JobClient first = start(cluster, config, checkpoints, null);
    waitFor(
        "phase 1 stored as raw rows",
        () -> count(db, "SELECT count() FROM api_requests_raw FINAL"),
        BEFORE);
    waitForCompletedCheckpoint(cluster, first.getJobID());
    String savepoint =
        first
            .stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
            .get(60, TimeUnit.SECONDS);
    Thread.sleep(3_000); // down; the dedup reads no processing-time clock (see the class comment)

    List<ApiRequestEvent> after = new ArrayList<>();
    for (int i = 0; i < RETRIES; i++) {
      ApiRequestEvent original = before.get(BEFORE - RETRIES + i);
      ApiRequestEvent retry = ApiRequestEvent.newBuilder(original).build();
      if (i % 2 == 1) {
        retry.setEventId(original.getEventId().toUpperCase(Locale.ROOT));
      }
      after.add(retry);
    }
    for (int n = 0; n < AFTER; n++) {
      after.add(
          ApiEvents.event(BEFORE + n, START.plusSeconds(120).plusMillis(100L * n), 200, 2_000));
      if (n < OTHER_TENANT) {
        ApiRequestEvent reused = ApiEvents.event(n, START.plusSeconds(125).plusMillis(n), 503, 9);
        reused.setTenantId("t2");
        after.add(reused);
      }
    }
    for (int n = 0; n < CLOSING; n++) {
      after.add(ApiEvents.event(1_000_000 + n, CLOSING_TIME, 200, 1));
    }
    send(kafka, topic, after, written);

    JobClient second = start(cluster, config, checkpoints, savepoint);
    JobID id = second.getJobID();
    Map<Instant, Long> expected = independentCount(written);
    long expectedTotal = expected.values().stream().mapToLong(Long::longValue).sum();
    assertThat(expectedTotal).isEqualTo(BEFORE + AFTER + OTHER_TENANT);
    String counted =
        "SELECT sum(requests) FROM api_request_minutes WHERE minute < toDateTime('"
            + CLOSING_TIME.toString().replace("T", " ").replace("Z", "")
            + "', 'UTC')";
    waitFor("every minute before 10:06 committed", () -> count(db, counted), expectedTotal);
    waitForCompletedCheckpoint(cluster, id); // and one more: nothing further is counted
    waitForCompletedCheckpoint(cluster, id);

    RestoredCheckpointStats restored =
        cluster
            .getExecutionGraph(id)
            .get(10, TimeUnit.SECONDS)
            .getCheckpointStatsSnapshot()
            .getLatestRestoredCheckpoint();
    long duplicates = counter(id, "duplicates");
    long beyond = counter(id, "beyondDedupHorizon");
    second.cancel().get(30, TimeUnit.SECONDS);

    assertThat(restored).as("the second run restored the savepoint").isNotNull();
    assertThat(restored.getExternalPath()).isEqualTo(savepoint);
    assertThat(duplicates)
        .as("retries dropped after the restore: only the savepoint's ids can recognise them")
        .isEqualTo(RETRIES);
    assertThat(beyond).isZero();
    assertThat(count(db, counted)).as("no event counted twice").isEqualTo(expectedTotal);
    Map<Instant, Long> minutes = new HashMap<>();
    for (var row :
        db.query(
            "SELECT toUnixTimestamp(minute) AS m, sum(requests) AS n FROM api_request_minutes"
                + " GROUP BY minute")) {
      Instant minute = Instant.ofEpochSecond(row.get("m").asLong());
      if (minute.isBefore(CLOSING_TIME)) {
        minutes.put(minute, row.get("n").asLong());
      }
    }
    assertThat(minutes).isEqualTo(expected);
    // The closing minute never fires (the job is cancelled), so the hour and the day of 10:00
    // hold exactly the counted minutes.
    assertThat(count(db, "SELECT sumMerge(requests) FROM api_request_hours"))
        .as("the 10:00 hour rollup")
        .isEqualTo(expectedTotal);
    assertThat(count(db, "SELECT sumMerge(requests) FROM api_request_days"))
        .as("the day rollup")
        .isEqualTo(expectedTotal);
    assertThat(count(db, "SELECT count() FROM api_requests_late")).isZero();
    assertThat(count(db, "SELECT count() FROM api_requests_raw FINAL"))
        .as("raw rows: the distinct events, no retry")
        .isEqualTo(expectedTotal + CLOSING);
    assertThat(count(db, "SELECT count() FROM dead_letters")).as("no input was malformed").isZero();
  }

  /** Requests per minute, counted from what was written: distinct (tenant, lower-case id). */
  private static Map<Instant, Long> independentCount(List<ApiRequestEvent> written) {
    Set<String> seen = new HashSet<>();
    Map<Instant, Long> perMinute = new HashMap<>();
    for (ApiRequestEvent e : written) {
      if (!e.getEventTime().isBefore(CLOSING_TIME)
          || !seen.add(e.getTenantId() + "/" + e.getEventId().toLowerCase(Locale.ROOT))) {
        continue;
      }
      Instant minute = Instant.ofEpochSecond(e.getEventTime().getEpochSecond() / 60 * 60);
      perMinute.merge(minute, 1L, Long::sum);
    }
    return perMinute;
  }

  private static ApiMetricsConfig config(
      TestKafka kafka, TestClickHouse ch, String topic, String deadLetters) {
    Map<String, String> settings = new HashMap<>();
    settings.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
    settings.put(KafkaSettings.TOPIC.key(), topic);
    settings.put(KafkaSettings.DEAD_LETTER_TOPIC.key(), deadLetters);
    settings.put(ClickHouseSettings.URL.key(), ch.httpUrl());
    settings.put(ClickHouseSettings.USER.key(), ch.user());
    settings.put(ClickHouseSettings.PASSWORD.key(), ch.password());
    settings.put(ClickHouseSettings.DATABASE.key(), ch.database());
    settings.put(ClickHouseSettings.MAX_BATCH_DELAY.key(), "100ms");
    settings.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), "300ms");
    settings.put(ApiMetricsConfig.PARALLELISM.key(), "2");
    settings.put(StreamSemantics.DEDUP_STATE_LAYOUT.key(), DedupStateLayout.ENTRY_PER_ID.name());
    return ApiMetricsConfig.fromMap(settings);
  }

  private static JobClient start(
      MiniCluster cluster, ApiMetricsConfig config, Path checkpoints, String savepoint)
      throws Exception {
    Configuration flink = new Configuration();
    flink.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    if (savepoint != null) {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, flink, config.parallelism(), List.of(), List.of());
    ApiMetricsJob.wire(env, config);
    return env.executeAsync(ApiMetricsJob.JOB_NAME);
  }

  private static void send(
      TestKafka kafka, String topic, List<ApiRequestEvent> events, List<ApiRequestEvent> written) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (ApiRequestEvent e : events) {
        producer.send(ApiEvents.record(topic, e));
      }
      producer.flush();
    }
    written.addAll(events);
  }

  private static long count(ClickHouse db, String sql) {
    String text = db.queryText(sql).trim();
    return text.isEmpty() || text.equals("\\N") ? 0 : Long.parseLong(text);
  }

  private static void waitFor(String what, LongSupplier actual, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      last = actual.getAsLong();
      if (last >= expected) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(what + ": " + last + " of " + expected + " within 90 s");
  }

  private static void waitForCompletedCheckpoint(MiniCluster cluster, JobID id) throws Exception {
    long before = completed(cluster, id);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (completed(cluster, id) <= before) {
      assertThat(System.nanoTime()).as("a checkpoint within 30 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static long completed(MiniCluster cluster, JobID id) throws Exception {
    return cluster
        .getExecutionGraph(id)
        .get(10, TimeUnit.SECONDS)
        .getCheckpointStatsSnapshot()
        .getCounts()
        .getNumberOfCompletedCheckpoints();
  }

  /** A counter of the dedup operator, summed over its subtasks. */
  private static long counter(JobID id, String name) {
    return RetainedCounters.sum(METRICS, id, name);
  }
}
