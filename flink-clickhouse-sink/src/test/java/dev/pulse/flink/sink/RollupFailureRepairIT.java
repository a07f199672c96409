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
 * transactional with their source): the exactly-once commit then finds the batch and skips it, so
 * the rollups stay short. {@link RollupCheck} finds every such key and bucket and repairs it.
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

  @Test
  void aDayRollupThatRefusedABatchIsFoundByTheCheckAndRepairedFromTheMinutes() throws Exception {
    long t0 = Instant.parse("2024-07-02T09:59:00Z").getEpochSecond();
    ClickHouseSink<Minute> sink =
        ClickHouseSink.<Minute>builder()
            .endpoint(ch.httpUrl())
            .credentials(ch.user(), ch.password())
            .database(ch.database())
            .table("api_request_minutes")
            .encoder(Minute.ENCODER)
            .exactlyOnce("minute", Minute::minute)
            .lookupColumns(ApiMinutesKey.COLUMNS)
            .build();
    CheckpointedWriter<Minute> w =
        new CheckpointedWriter<>(sink.config(), sink.encoder, Minute::minute);
    // Two minutes in two hours of one day: 5 + 7 requests, 1 + 2 errors.
    w.write(new Minute("/rollup", t0, 5, 1, new int[] {3}, new long[] {5}), null);
    w.write(new Minute("/rollup", t0 + 60, 7, 2, new int[] {3, 4}, new long[] {6, 1}), null);
    ClickHouseCommittable c = List.copyOf(w.prepareCommit()).get(0);

    RollupCheck check = new RollupCheck(db);
    Instant from = Instant.parse("2024-07-01T00:00:00Z");
    Instant to = Instant.parse("2024-07-04T00:00:00Z");
    assertThat(check.check(from, to)).isEmpty();

    // The day rollup's table refuses inserts for a while: its view, pushed after the minute part
    // (and before the hour view, views go in name order), fails the write.
    db.execute(
        "ALTER TABLE api_request_days ADD COLUMN refuse UInt8 DEFAULT throwIf(length(tenant_id) > 0)");
    try (ClickHouseCommitter committer =
        new ClickHouseCommitter(sink.config(), SinkCounters.unregistered())) {
      assertThatThrownBy(() -> committer.commitOne(c))
          .hasMessageContaining("while pushing to view");
      db.execute("ALTER TABLE api_request_days DROP COLUMN refuse");
      // The restore's commit: the batch is stored, so it is not written again.
      assertThat(committer.commitOne(c)).isEqualTo(ClickHouseCommitter.Result.ALREADY_STORED);
    }
    assertThat(sum("SELECT sum(requests) FROM api_request_minutes WHERE endpoint = '/rollup'"))
        .isEqualTo(12);
    assertThat(sum("SELECT sumMerge(requests) FROM api_request_days WHERE endpoint = '/rollup'"))
        .as("the day rollup lacks the batch")
        .isZero();
    assertThat(sum("SELECT sumMerge(requests) FROM api_request_hours WHERE endpoint = '/rollup'"))
        .as("so does the hour rollup, pushed after it")
        .isZero();

    List<RollupCheck.Difference> found = check.check(from, to);
    assertThat(found)
        .extracting(d -> d.rollup() + " " + d.bucket())
        .containsExactly(
            "api_request_hours 2024-07-02T09:00:00Z",
            "api_request_hours 2024-07-02T10:00:00Z",
            "api_request_days 2024-07-02T00:00:00Z");
    assertThat(found).allSatisfy(d -> assertThat(d.key()).contains("/rollup"));

    // A bucket that may still receive rows is not touched.
    assertThat(check.repair(from, to, Instant.parse("2024-07-02T10:30:00Z")))
        .extracting(d -> d.rollup() + " " + d.bucket())
        .containsExactly(
            "api_request_hours 2024-07-02T10:00:00Z", "api_request_days 2024-07-02T00:00:00Z");
    assertThat(check.repair(from, to, Instant.parse("2024-07-03T00:00:00Z"))).isEmpty();
    assertThat(
            db.queryText(
                "SELECT sumMerge(requests), sumMerge(errors_5xx), sumMapMerge(latency_hist)"
                    + " FROM api_request_days WHERE endpoint = '/rollup' FORMAT TabSeparated"))
        .isEqualTo("12\t3\t([3,4],[11,1])\n");
    assertThat(
            db.queryText(
                "SELECT toString(hour, 'UTC'), sumMerge(requests) FROM api_request_hours"
                    + " WHERE endpoint = '/rollup' GROUP BY hour ORDER BY hour FORMAT TabSeparated"))
        .isEqualTo("2024-07-02 09:00:00\t5\n2024-07-02 10:00:00\t7\n");
  }

  private static long sum(String sql) {
    String text = db.queryText(sql + " FORMAT TabSeparated").trim();
    return text.isEmpty() ? 0 : Long.parseLong(text);
  }
}
