package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** {@code pulse reconcile} against a real ClickHouse server, on the production migrations. */
@ExtendWith(ClickHouseExtension.class)
class ReconcileCommandIT {

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Pulse.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aRollupRowWithoutItsMinutesIsReportedAndRepairedAwayOnceItsBucketIsClosed(
      TestClickHouse ch) {
    ClickHouse db = ch.migratedDatabase();
    String[] range = {
      "--clickhouse",
      ch.httpUrl(),
      "--user",
      ch.user(),
      "--database",
      ch.database(),
      "--from",
      "2024-03-01T00:00:00Z",
      "--to",
      "2024-03-02T00:00:00Z"
    };
    db.execute(
        "INSERT INTO api_request_minutes (tenant_id, service, endpoint, method, region, minute,"
            + " requests, batch_id) VALUES ('t1', 'courses', '/r', 'GET', 'eu',"
            + " toDateTime('2024-03-01 10:05:00', 'UTC'), 4, 'b1')");
    Run clean = run(concat("reconcile", range));
    assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
    assertThat(clean.out()).contains("Every rollup equals the minute facts.");

    // An hour row the minutes do not back (e.g. a backfill applied twice).
    db.execute(
        "INSERT INTO api_request_hours SELECT 't1', 'courses', '/r', 'GET', 'eu',"
            + " toDateTime('2024-03-01 10:00:00', 'UTC'), sumState(toUInt64(3)),"
            + " sumState(toUInt64(0)), sumState(toUInt64(0)), sumState(toUInt64(0)),"
            + " maxState(toUInt64(0)), sumMapState(emptyArrayInt32(), emptyArrayUInt64()),"
            + " sumMapState(emptyArrayUInt64(), emptyArrayUInt64())");
    Run found = run(concat("reconcile", range));
    assertThat(found.exit()).isEqualTo(1);
    assertThat(found.out())
        .contains("differs: api_request_hours 2024-03-01T10:00:00Z [t1, courses, /r, GET, eu]")
        .contains("1 key-buckets differ.");

    Run repaired = run(concat("reconcile", concat("--repair", range)));
    assertThat(repaired.exit()).as(repaired.out() + repaired.err()).isZero();
    assertThat(
            db.queryText(
                "SELECT sumMerge(requests) FROM api_request_hours WHERE endpoint = '/r'"
                    + " FORMAT TabSeparated"))
        .isEqualTo("4\n");
  }

  @Test
  void malformedInstantsAndAnEmptyRangeAreRefusedWithTheReason() {
    Run garbage = run("reconcile", "--from", "yesterday");
    assertThat(garbage.exit()).isEqualTo(2);
    assertThat(garbage.err()).contains("'yesterday' is not an instant like 2026-12-01T00:00:00Z");
    Run empty = run("reconcile", "--from", "2024-03-02T00:00:00Z", "--to", "2024-03-01T00:00:00Z");
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).contains("must be before --to");
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
