package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.RollupCheck;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rollup view that fails after the minute part was stored (ClickHouse 18.16 views are not
 * transactional with their source, and it pushes them in name order, stopping at the failing one).
 * A rollup's table refuses inserts for a while, during a real commit: the next commit of the batch
 * (the retry, or the commit after the restore) finds it stored and completes exactly the rollups
 * whose view had not run (the endpoint directory's included), from the rollup ledger, with the
 * figures worked out by hand. For a batch the ledger cannot vouch for, {@link RollupCheck} finds
 * every short key and bucket and repairs it.
 */
@ExtendWith(ClickHouseExtension.class)
@Timeout(120)
class RollupFailureRepairIT {

  private static TestClickHouse ch;
  private static ClickHouse db;

  @BeforeAll
  static void migrate(TestClickHouse testClickHouse) {
    ch = testClickHouse;
    db = ch.migratedDatabase();
  }

  private static ClickHouseSink<Minute> sink() {
    return ClickHouseSink.<Minute>builder()
        .endpoint(ch.httpUrl())
        .credentials(ch.user(), ch.password())
        .database(ch.database())
        .table("api_request_minutes")
        .encoder(Minute.ENCODER)
        .exactlyOnce("minute", Minute::minute)
        .lookupColumns(ApiMinutesKey.COLUMNS)
        .build();
  }

  /**
   * One batch of {@code endpoint}: minute 09:59 and 10:00 of {@code day} (two hours of one day), 5
   * + 7 requests, 1 + 2 errors, latency buckets [3] x 5 and [3, 4] x [6, 1].
   */
  private static ClickHouseCommittable batch(
      ClickHouseSink<Minute> sink, String endpoint, String day) {
    long t0 = Instant.parse(day + "T09:59:00Z").getEpochSecond();
    CheckpointedWriter<Minute> w =
        new CheckpointedWriter<>(sink.config(), sink.encoder, Minute::minute);
    w.write(new Minute(endpoint, t0, 5, 1, new int[] {3}, new long[] {5}), null);
    w.write(new Minute(endpoint, t0 + 60, 7, 2, new int[] {3, 4}, new long[] {6, 1}), null);
    return List.copyOf(w.prepareCommit()).get(0);
  }

  /**
   * The batch's commit fails while pushing to a view, after the minute part was stored: {@code
   * table} (a rollup) refuses every insert meanwhile (its new column's default throws).
   */
  private static void commitFailsAfterTheMinutePartWhileRefusing(
      String table, ClickHouseSink<Minute> sink, ClickHouseCommittable c) throws Exception {
    db.execute(
        "ALTER TABLE " + table + " ADD COLUMN refuse UInt8 DEFAULT throwIf(length(tenant_id) > 0)");
    try (ClickHouseCommitter committer =
        new ClickHouseCommitter(sink.config(), SinkCounters.unregistered())) {
      assertThatThrownBy(() -> committer.commitOne(c))
          .hasMessageContaining("while pushing to view");
    } finally {
      db.execute("ALTER TABLE " + table + " DROP COLUMN refuse");
    }
  }

  @Test
  void whenTheDayViewFailedTheNextCommitCompletesTheDayAndTheHoursOnce() throws Exception {
    ClickHouseSink<Minute> sink = sink();
    ClickHouseCommittable c = batch(sink, "/day-failed", "2024-07-02");
    commitFailsAfterTheMinutePartWhileRefusing("api_request_days", sink, c);
    // The fault happened: the minutes are stored, neither rollup has them (hours come after days).
    assertThat(sum("minutes", "/day-failed")).isEqualTo(12);
    assertThat(sum("days", "/day-failed")).isZero();
    assertThat(sum("hours", "/day-failed")).isZero();

    SinkCounters counters = SinkCounters.unregistered();
    try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), counters)) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    assertThat(counters.rollupRepairs().getCount()).isEqualTo(2);
    assertTheRollupsHoldTheBatchOnce("/day-failed", "2024-07-02");
    assertThat(new RollupCheck(db).check(day("2024-07-02"), day("2024-07-03"))).isEmpty();

    // Once complete, a further replay repairs nothing.
    SinkCounters again = SinkCounters.unregistered();
    try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), again)) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    assertThat(again.rollupRepairs().getCount()).isZero();
    assertTheRollupsHoldTheBatchOnce("/day-failed", "2024-07-02");
  }

  @Test
  void whenOnlyTheHourViewFailedTheNextCommitCompletesTheHoursAndLeavesTheDayAlone()
      throws Exception {
    ClickHouseSink<Minute> sink = sink();
    ClickHouseCommittable c = batch(sink, "/hour-failed", "2024-07-08");
    commitFailsAfterTheMinutePartWhileRefusing("api_request_hours", sink, c);
    assertThat(sum("minutes", "/hour-failed")).isEqualTo(12);
    assertThat(sum("days", "/hour-failed"))
        .as("the day view ran, before the hour view")
        .isEqualTo(12);
    assertThat(sum("hours", "/hour-failed")).isZero();

    SinkCounters counters = SinkCounters.unregistered();
    try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), counters)) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    assertThat(counters.rollupRepairs().getCount()).isEqualTo(1);
    assertTheRollupsHoldTheBatchOnce("/hour-failed", "2024-07-08");
  }

  @Test
  void whenTheEndpointsViewFailedTheNextCommitCompletesTheEndpointsAndBothRollupsOnce()
      throws Exception {
    ClickHouseSink<Minute> sink = sink();
    ClickHouseCommittable c = batch(sink, "/endpoints-failed", "2024-07-29");
    commitFailsAfterTheMinutePartWhileRefusing("api_endpoints", sink, c);
    // api_endpoints_mv runs first of the three views: none has the batch.
    assertThat(sum("minutes", "/endpoints-failed")).isEqualTo(12);
    assertThat(endpoints("/endpoints-failed")).isEmpty();
    assertThat(sum("days", "/endpoints-failed")).isZero();
    assertThat(sum("hours", "/endpoints-failed")).isZero();

    SinkCounters counters = SinkCounters.unregistered();
    try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), counters)) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    assertThat(counters.rollupRepairs().getCount()).isEqualTo(3);
    assertThat(endpoints("/endpoints-failed")).isEqualTo("t1\tcourses\tGET\t2024-07-29\n");
    assertTheRollupsHoldTheBatchOnce("/endpoints-failed", "2024-07-29");
  }

  @Test
  void aRepairThatArrivesAfterALaterAttemptFencedCopiesNothing() throws Exception {
    ClickHouseSink<Minute> sink = sink();
    ClickHouseCommittable c = batch(sink, "/stale-repair", "2024-07-22");
    commitFailsAfterTheMinutePartWhileRefusing("api_request_days", sink, c);
    // Attempt 1 of the day's repair is still on its way from a failed task when attempt 2 fences.
    String key = c.batchId() + "/api_request_days_mv";
    db.execute("INSERT INTO pulse_commit_fences (batch_id, attempt) VALUES ('" + key + "', 2)");
    RollupLedger.Rollup days =
        RollupLedger.parse(
            "api_request_days_mv",
            db.queryText(
                    "SELECT create_table_query FROM system.tables WHERE database = currentDatabase()"
                        + " AND name = 'api_request_days_mv' FORMAT TabSeparatedRaw")
                .trim());
    try (ClickHouseConnection connection = new ClickHouseConnection(sink.config())) {
      SinkCounters unused = SinkCounters.unregistered();
      RollupLedger ledger =
          new RollupLedger(
              sink.config(), connection, new Fences(sink.config(), connection, unused), unused);
      db.execute(
          "INSERT INTO "
              + days.target()
              + " "
              + ledger.overBatch(days, c, StageTables.newestAttempt(ch.database(), key) + " = 1"));
    }
    assertThat(sum("days", "/stale-repair")).as("the stale repair copied nothing").isZero();

    SinkCounters counters = SinkCounters.unregistered();
    try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), counters)) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    assertThat(counters.rollupRepairs().getCount()).isEqualTo(2);
    assertTheRollupsHoldTheBatchOnce("/stale-repair", "2024-07-22");
  }

  @Test
  void aShortRollupTheLedgerCannotVouchForIsFoundByTheCheckAndRepairedFromTheMinutes()
      throws Exception {
    ClickHouseSink<Minute> sink = sink();
    ClickHouseCommittable c = batch(sink, "/rollup", "2024-07-15");
    Instant from = day("2024-07-15");
    Instant to = day("2024-07-16");
    RollupCheck check = new RollupCheck(db);
    assertThat(check.check(from, to)).isEmpty();
    commitFailsAfterTheMinutePartWhileRefusing("api_request_days", sink, c);
    // As a batch stored before the ledger existed (one of a savepoint taken before the migration):
    // the ledger cannot tell whether its views ran, so the replay leaves its rollups alone.
    db.execute("ALTER TABLE pulse_rollup_ledger DELETE WHERE batch_id = '" + c.batchId() + "'");
    awaitMutations("pulse_rollup_ledger");
    SinkCounters counters = SinkCounters.unregistered();
    try (ClickHouseCommitter committer = new ClickHouseCommitter(sink.config(), counters)) {
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    assertThat(counters.rollupRepairs().getCount()).isZero();
    assertThat(sum("days", "/rollup")).as("the day rollup lacks the batch").isZero();
    assertThat(sum("hours", "/rollup")).as("so does the hour rollup").isZero();

    List<RollupCheck.Difference> found = check.check(from, to);
    assertThat(found)
        .extracting(d -> d.rollup() + " " + d.bucket())
        .containsExactly(
            "api_request_hours 2024-07-15T09:00:00Z",
            "api_request_hours 2024-07-15T10:00:00Z",
            "api_request_days 2024-07-15T00:00:00Z");
    assertThat(found).allSatisfy(d -> assertThat(d.key()).contains("/rollup"));

    // A bucket that may still receive rows is not touched.
    assertThat(check.repair(from, to, Instant.parse("2024-07-15T10:30:00Z")))
        .extracting(d -> d.rollup() + " " + d.bucket())
        .containsExactly(
            "api_request_hours 2024-07-15T10:00:00Z", "api_request_days 2024-07-15T00:00:00Z");
    assertThat(check.repair(from, to, to)).isEmpty();
    assertTheRollupsHoldTheBatchOnce("/rollup", "2024-07-15");
  }

  /** The hand-worked figures of {@link #batch}: the day 12 / 3, the hours 5 and 7. */
  private static void assertTheRollupsHoldTheBatchOnce(String endpoint, String day) {
    assertThat(
            db.queryText(
                "SELECT sumMerge(requests), sumMerge(errors_5xx), sumMapMerge(latency_hist)"
                    + " FROM api_request_days WHERE endpoint = '"
                    + endpoint
                    + "' FORMAT TabSeparated"))
        .isEqualTo("12\t3\t([3,4],[11,1])\n");
    assertThat(
            db.queryText(
                "SELECT toString(hour, 'UTC'), sumMerge(requests), sumMerge(errors_5xx) FROM"
                    + " api_request_hours WHERE endpoint = '"
                    + endpoint
                    + "' GROUP BY hour ORDER BY hour FORMAT TabSeparated"))
        .isEqualTo(day + " 09:00:00\t5\t1\n" + day + " 10:00:00\t7\t2\n");
  }

  /** The rows of api_endpoints for {@code endpoint} as stored (no FINAL): one per repair. */
  private static String endpoints(String endpoint) {
    return db.queryText(
        "SELECT tenant_id, service, method, last_day FROM api_endpoints WHERE endpoint = '"
            + endpoint
            + "' FORMAT TabSeparated");
  }

  private static long sum(String grain, String endpoint) {
    String column = grain.equals("minutes") ? "sum(requests)" : "sumMerge(requests)";
    String text =
        db.queryText(
                "SELECT "
                    + column
                    + " FROM api_request_"
                    + grain
                    + " WHERE endpoint = '"
                    + endpoint
                    + "' FORMAT TabSeparated")
            .trim();
    return text.isEmpty() ? 0 : Long.parseLong(text);
  }

  private static Instant day(String day) {
    return Instant.parse(day + "T00:00:00Z");
  }

  private static void awaitMutations(String table) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!db.queryText(
            "SELECT count() FROM system.mutations WHERE database = currentDatabase() AND table = '"
                + table
                + "' AND is_done = 0")
        .trim()
        .equals("0")) {
      assertThat(System.nanoTime())
          .as("mutation of %s done within 30 s", table)
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
