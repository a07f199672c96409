package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink's writers and committer against the real ClickHouse 18.16, on tables built by the
 * production migrations.
 */
@ExtendWith(ClickHouseExtension.class)
@Timeout(120)
class ClickHouseSinkIT {

  private static TestClickHouse ch;
  private static ClickHouse db;

  @BeforeAll
  static void migrate(TestClickHouse testClickHouse) {
    ch = testClickHouse;
    db = ch.migratedDatabase();
  }

  private static <T> ClickHouseSink.Builder<T> sinkTo(String table, RowEncoder<T> encoder) {
    return ClickHouseSink.<T>builder()
        .endpoint(ch.httpUrl())
        .credentials(ch.user(), ch.password())
        .database(ch.database())
        .table(table)
        .encoder(encoder);
  }

  private static <T> AtLeastOnceWriter<T> writer(
      ClickHouseSink<T> sink, ManualProcessingTime time, SinkCounters counters) {
    return new AtLeastOnceWriter<>(sink.config(), sink.encoder, time, counters, "test-writer");
  }

  private static long count(String sqlWhere) {
    return Long.parseLong(db.queryText("SELECT count() FROM " + sqlWhere).trim());
  }

  @Test
  void atLeastOnceWriterInsertsEveryRowAcrossSizeBatchesAndCheckpointFlushes() throws Exception {
    ClickHouseSink<RawRequest> sink =
        sinkTo("api_requests_raw", RawRequest.ENCODER).batchSize(3).maxInFlightBatches(2).build();
    SinkCounters counters = SinkCounters.unregistered();
    try (AtLeastOnceWriter<RawRequest> w = writer(sink, new ManualProcessingTime(0), counters)) {
      for (int i = 0; i < 5; i++) {
        w.write(RawRequest.numbered("alo", i), null);
      }
      w.flush(false); // checkpoint 1: a full batch of 3 went out on write, the last 2 go now
      for (int i = 5; i < 10; i++) {
        w.write(RawRequest.numbered("alo", i), null);
      }
      w.flush(true);
    }
    assertThat(count("api_requests_raw WHERE event_id LIKE 'alo-%'")).isEqualTo(10);
    assertThat(counters.rowsWritten().getCount()).isEqualTo(10);
    assertThat(counters.batchesWritten().getCount()).isEqualTo(4); // 3 + 2, then 3 + 2
    assertThat(counters.retries().getCount()).isZero();
  }

  @Test
  void aBatchIsSentWhenItsFirstRowHasWaitedTheMaximumDelayWithoutACheckpoint() throws Exception {
    ClickHouseSink<RawRequest> sink =
        sinkTo("api_requests_raw", RawRequest.ENCODER)
            .batchSize(1000)
            .maxBatchDelay(Duration.ofMillis(500))
            .build();
    ManualProcessingTime time = new ManualProcessingTime(1_000);
    try (AtLeastOnceWriter<RawRequest> w = writer(sink, time, SinkCounters.unregistered())) {
      w.write(RawRequest.numbered("timed", 1), null);
      time.advanceTo(1_200);
      w.write(RawRequest.numbered("timed", 2), null);
      time.advanceTo(1_499);
      Thread.sleep(300);
      assertThat(count("api_requests_raw WHERE event_id LIKE 'timed-%'"))
          .as("not due before 500 ms")
          .isZero();
      time.advanceTo(1_500); // the first row has waited 500 ms: the batch goes, no flush needed
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (count("api_requests_raw WHERE event_id LIKE 'timed-%'") < 2
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(count("api_requests_raw WHERE event_id LIKE 'timed-%'")).isEqualTo(2);
    }
  }

  @Test
  void aBatchThatFindsNoTableIsRetriedWithBackoffUntilTheTableExists() throws Exception {
    db.execute("DROP TABLE IF EXISTS appears_later");
    RetryPolicy policy =
        RetryPolicy.defaults()
            .alsoRetrying(RetryPolicy.UNKNOWN_TABLE)
            .withMaxAttempts(30)
            .withBackoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0);
    ClickHouseSink<Integer> sink =
        sinkTo("appears_later", (Integer i, RowOut out) -> out.int32("n", i))
            .retryPolicy(policy)
            .batchSize(2)
            .build();
    SinkCounters counters = SinkCounters.unregistered();
    Thread creator =
        new Thread(
            () -> {
              try {
                Thread.sleep(700);
                db.execute("CREATE TABLE appears_later (n Int32) ENGINE = MergeTree ORDER BY n");
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    try (AtLeastOnceWriter<Integer> w = writer(sink, new ManualProcessingTime(0), counters)) {
      creator.start();
      for (int i = 1; i <= 3; i++) {
        w.write(i, null);
      }
      w.flush(false);
    } finally {
      creator.join();
    }
    assertThat(
            db.queryText("SELECT groupArray(n) FROM (SELECT n FROM appears_later ORDER BY n)")
                .trim())
        .isEqualTo("[1,2,3]");
    assertThat(counters.retries().getCount())
        .as("the missing table was retried, not skipped")
        .isPositive();
    assertThat(counters.rowsWritten().getCount()).isEqualTo(3);
  }

  @Test
  void hostileStringsAndExtremeNumbersAreStoredExactlyAsGiven() throws Exception {
    RawRequest hostile =
        new RawRequest(
            "hostile-1",
            "t'\"\\\n\t\u0001é😀",
            1_709_632_800_123L,
            "",
            "/a?b=c;DROP TABLE x",
            "GET",
            -7,
            Long.MIN_VALUE,
            "eu",
            null);
    try (AtLeastOnceWriter<RawRequest> w =
        writer(
            sinkTo("api_requests_raw", RawRequest.ENCODER).build(),
            new ManualProcessingTime(0),
            SinkCounters.unregistered())) {
      w.write(hostile, null);
      w.flush(true);
    }
    JsonNode row =
        db.query(
                "SELECT tenant_id, toUnixTimestamp(event_time) AS t, event_time_ms, service,"
                    + " endpoint, status_code, latency_us, isNull(trace_id) AS no_trace"
                    + " FROM api_requests_raw WHERE event_id = 'hostile-1'")
            .get(0);
    assertThat(row.get("tenant_id").asText()).isEqualTo("t'\"\\\n\t\u0001é😀");
    // 2024-03-05T10:00:00.123Z: 1709632800 s, hand-derived with date -u -d @1709632800.
    assertThat(row.get("t").asLong()).isEqualTo(1_709_632_800L);
    assertThat(row.get("event_time_ms").asLong()).isEqualTo(1_709_632_800_123L);
    assertThat(row.get("service").asText()).isEmpty();
    assertThat(row.get("endpoint").asText()).isEqualTo("/a?b=c;DROP TABLE x");
    assertThat(row.get("status_code").asInt()).isEqualTo(-7);
    assertThat(row.get("latency_us").asLong()).isEqualTo(Long.MIN_VALUE);
    assertThat(row.get("no_trace").asInt()).isEqualTo(1);
  }

  @Test
  void committingTheSameCommittableTwiceInsertsOnceAndTheHourRollupIsNotDoubled() throws Exception {
    long t0 = Instant.parse("2024-05-01T08:00:00Z").getEpochSecond();
    ClickHouseSink<Minute> sink =
        sinkTo("api_request_minutes", Minute.ENCODER)
            .exactlyOnce("minute", Minute::minute)
            .lookupColumns(ApiMinutesKey.COLUMNS)
            .build();
    CheckpointedWriter<Minute> w =
        new CheckpointedWriter<>(sink.config(), sink.encoder, Minute::minute);
    w.write(new Minute("/replay", t0, 5, 1, new int[] {3}, new long[] {5}), null);
    w.write(new Minute("/replay", t0 + 60, 7, 2, new int[] {3, 4}, new long[] {6, 1}), null);
    List<ClickHouseCommittable> committables = List.copyOf(w.prepareCommit());
    assertThat(committables).hasSize(1);
    ClickHouseCommittable c = committables.get(0);

    SinkCounters counters = SinkCounters.unregistered();
    try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), counters)) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.INSERTED);
      // The restore case: the same committable, read back from the checkpoint, committed again.
      ClickHouseCommittable.Serializer serializer = new ClickHouseCommittable.Serializer();
      ClickHouseCommittable replayed =
          serializer.deserialize(serializer.getVersion(), serializer.serialize(c));
      assertThat(committer.commitOne(replayed))
          .isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    assertThat(counters.batchesWritten().getCount()).isEqualTo(1);
    assertThat(counters.replayedCommits().getCount()).isEqualTo(1);
    assertThat(
            db.queryText(
                "SELECT count(), sum(requests), sum(errors_5xx) FROM api_request_minutes WHERE endpoint = '/replay'"))
        .isEqualTo("2\t12\t3\n");
    // 5 + 7 requests, 1 + 2 errors, buckets {3: 5 + 6, 4: 1}: once, not twice.
    assertThat(
            db.queryText(
                "SELECT sumMerge(requests), sumMerge(errors_5xx), sumMapMerge(latency_hist) FROM api_request_hours "
                    + "WHERE endpoint = '/replay' FORMAT TabSeparated"))
        .isEqualTo("12\t3\t([3,4],[11,1])\n");
    assertThat(
            db.queryText(
                    "SELECT count() FROM api_request_minutes WHERE batch_id = '"
                        + c.batchId()
                        + "'")
                .trim())
        .isEqualTo("2");
  }
}
