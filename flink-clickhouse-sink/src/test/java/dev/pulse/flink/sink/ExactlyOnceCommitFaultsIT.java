package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.HoldingProxy;
import dev.pulse.testing.TestClickHouse;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exactly-once commit against a server that is slower than the client's patience: a TCP proxy
 * ({@link HoldingProxy}) between the committer and the real ClickHouse 18.16 holds an INSERT past
 * the client's socket timeout while the server still lands it. The batch must be stored once, and
 * its hour rollup not doubled.
 */
@ExtendWith(ClickHouseExtension.class)
@Timeout(120)
class ExactlyOnceCommitFaultsIT {

  /** The client gives up on an answer after this long... */
  private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(1);

  /** ...and the proxy holds the INSERT for longer than the committer's retries take to come. */
  private static final Duration HOLD = Duration.ofSeconds(5);

  private static TestClickHouse ch;
  private static ClickHouse db;
  private static HoldingProxy proxy;

  @BeforeAll
  static void start(TestClickHouse testClickHouse) throws Exception {
    ch = testClickHouse;
    db = ch.migratedDatabase();
    URI server = URI.create(ch.httpUrl());
    proxy = HoldingProxy.to(server.getHost(), server.getPort());
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
  }

  private static ClickHouseSink<Minute> sinkThroughProxy() {
    return ClickHouseSink.<Minute>builder()
        .endpoint(proxy.httpUrl())
        .credentials(ch.user(), ch.password())
        .database(ch.database())
        .table("api_request_minutes")
        .encoder(Minute.ENCODER)
        .exactlyOnce("minute", Minute::minute)
        .lookupColumns(ApiMinutesKey.COLUMNS)
        .timeouts(Duration.ofSeconds(2), SOCKET_TIMEOUT)
        .retryPolicy(
            RetryPolicy.defaults()
                .withMaxAttempts(10)
                .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1), 2.0))
        .build();
  }

  /** One batch of two minutes of {@code endpoint}: 5 + 7 requests, 1 + 2 errors. */
  private static ClickHouseCommittable batch(ClickHouseSink<Minute> sink, String endpoint) {
    long t0 = Instant.parse("2024-06-03T10:00:00Z").getEpochSecond();
    CheckpointedWriter<Minute> w =
        new CheckpointedWriter<>(sink.config(), sink.encoder, Minute::minute);
    w.write(new Minute(endpoint, t0, 5, 1, new int[] {3}, new long[] {5}), null);
    w.write(new Minute(endpoint, t0 + 60, 7, 2, new int[] {3, 4}, new long[] {6, 1}), null);
    List<ClickHouseCommittable> committables = List.copyOf(w.prepareCommit());
    assertThat(committables).hasSize(1);
    return committables.get(0);
  }

  private static void assertStoredOnce(String endpoint) {
    assertThat(
            db.queryText(
                "SELECT count(), sum(requests), sum(errors_5xx) FROM api_request_minutes"
                    + " WHERE endpoint = '"
                    + endpoint
                    + "'"))
        .as("minute rows of " + endpoint)
        .isEqualTo("2\t12\t3\n");
    assertThat(
            db.queryText(
                "SELECT sumMerge(requests), sumMerge(errors_5xx) FROM api_request_hours"
                    + " WHERE endpoint = '"
                    + endpoint
                    + "' FORMAT TabSeparated"))
        .as("hour rollup of " + endpoint)
        .isEqualTo("12\t3\n");
    // inserted_at (DEFAULT now(), not in the written columns) is filled by the server.
    assertThat(
            db.queryText(
                "SELECT countIf(inserted_at > now() - 600) FROM api_request_minutes WHERE endpoint"
                    + " = '"
                    + endpoint
                    + "'"))
        .isEqualTo("2\n");
  }

  @Test
  void aMoveStillRunningOnTheServerAfterTheClientTimedOutIsAwaitedNotSentAgain() throws Exception {
    ClickHouseSink<Minute> sink = sinkThroughProxy();
    ClickHouseCommittable c = batch(sink, "/slow-server");
    SinkCounters counters = SinkCounters.unregistered();
    // A slow server: every INSERT into the table spends 2 s (longer than the client waits) before
    // its part is written, as behind a lock holder or a parts_to_delay_insert throttle; and the
    // answer of the move (the statement that writes the table) is held past the client's timeout.
    db.execute("ALTER TABLE api_request_minutes ADD COLUMN slow UInt8 DEFAULT sleep(2)");
    try {
      // (The move is the one request that names its query id.)
      proxy.holdNext("query_id=pulse-batch-", HoldingProxy.Hold.RESPONSE, HOLD);
      try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), counters)) {
        assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.INSERTED);
      }
      assertThat(proxy.awaitReleased(Duration.ofSeconds(30))).isTrue();
    } finally {
      db.execute("ALTER TABLE api_request_minutes DROP COLUMN slow");
    }
    // The fault happened: the move was held, the client gave up on it and tried again.
    assertThat(proxy.heldRequests()).isEqualTo(1);
    assertThat(proxy.clientGaveUpWhileHeld()).as(proxy.heldRequestHead()).isTrue();
    assertThat(counters.retries().getCount()).isPositive();
    assertThat(counters.replayedCommits().getCount()).isZero();
    assertStoredOnce("/slow-server");
    assertThat(counters.awaitedRunningInserts().getCount()).isEqualTo(1);
  }

  @Test
  void aWriteStillInTransitWhenTheClientTimedOutCopiesNothingWhenItArrives() throws Exception {
    ClickHouseSink<Minute> sink = sinkThroughProxy();
    ClickHouseCommittable c = batch(sink, "/in-transit");
    SinkCounters counters = SinkCounters.unregistered();
    // The first write (the one request that names the batch's query id) reaches the server all
    // but its last bytes, so the server has not even seen it yet; the rest follows after the
    // client timed out and its retry stored the batch.
    proxy.holdNext("query_id=pulse-batch-", HoldingProxy.Hold.REQUEST_TAIL, HOLD);
    try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), counters)) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.INSERTED);
    }
    assertThat(proxy.awaitReleased(Duration.ofSeconds(30))).isTrue();
    assertThat(proxy.heldRequests()).isEqualTo(1);
    assertThat(proxy.clientGaveUpWhileHeld()).isTrue();
    assertThat(counters.retries().getCount()).isPositive();
    // The late write reached the server and ran (200 OK), after the retry's fence: it copied
    // nothing.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (proxy.answerAfterRelease() == null && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(proxy.answerAfterRelease()).startsWith("HTTP/1.1 200 OK");
    assertStoredOnce("/in-transit");
  }

  @Test
  void aStoredBatchIsFoundThroughThePrimaryIndexWithoutReadingItsPartition() throws Exception {
    ClickHouseSink<Minute> sink = sinkThroughProxy();
    ClickHouseCommittable c = batch(sink, "/lookup");
    // 300,000 rows of other batches in the same month partition, in the middle of the sort order.
    db.execute(
        "INSERT INTO api_request_minutes (tenant_id, service, endpoint, method, region, minute,"
            + " requests, batch_id) SELECT 't1', 'courses', concat('/other-', toString(number %"
            + " 1000)), 'GET', 'eu-west', toDateTime('2024-06-01 00:00:00', 'UTC') + (number %"
            + " 20000) * 60, 1, concat('other-', toString(number)) FROM numbers(300000)");
    try (ClickHouseCommitter committer =
        new ClickHouseCommitter(sink.config(), SinkCounters.unregistered())) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.INSERTED);
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    // The committer's own question, under a read limit far below the partition's size.
    String limited = " SETTINGS max_rows_to_read = 50000";
    assertThat(db.queryText(ClickHouseCommitter.storedRowsQuery(sink.config(), c) + limited))
        .isEqualTo("1\n");
    // A committable without a lookup (checkpoint format 2) still works, by reading the partition.
    ClickHouseCommittable unkeyed =
        new ClickHouseCommittable(
            c.batchId(),
            c.columns(),
            c.rows(),
            c.minTime(),
            c.maxTime(),
            "",
            c.afterCheckpoint(),
            c.body());
    String scan = ClickHouseCommitter.storedRowsQuery(sink.config(), unkeyed);
    assertThat(db.queryText(scan)).isEqualTo("2\n");
    assertThatThrownBy(() -> db.queryText(scan + limited)).hasMessageContaining("rows");
  }
}
