package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** {@code pulse migrate} against a real ClickHouse server: applies once, then has nothing to do. */
@ExtendWith(ClickHouseExtension.class)
class MigrateCommandIT {

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = Pulse.commandLine();
    cli.setOut(new PrintWriter(out, true));
    int exit = cli.execute(args);
    assertThat(exit).as("exit code, output:%n%s", out).isZero();
    return out.toString();
  }

  @Test
  void secondRunAppliesNothingAndStatusShowsEveryMigrationApplied(TestClickHouse ch) {
    String database = ch.database() + "_cli";
    String first =
        run("migrate", "--clickhouse", ch.httpUrl(), "--user", ch.user(), "--database", database);
    assertThat(first).contains("applied 0001").contains("Applied ");

    String second =
        run("migrate", "--clickhouse", ch.httpUrl(), "--user", ch.user(), "--database", database);
    assertThat(second).contains("Up to date: nothing to apply.");

    String status =
        run(
            "migrate",
            "--status",
            "--clickhouse",
            ch.httpUrl(),
            "--user",
            ch.user(),
            "--database",
            database);
    assertThat(status).doesNotContain(" no ");
    assertThat(
            ch.query(
                "SELECT count() FROM system.tables WHERE database = '"
                    + database
                    + "' AND name = 'api_requests_raw'"))
        .isEqualTo("1\n");
  }
}
