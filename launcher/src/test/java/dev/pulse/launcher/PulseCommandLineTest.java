package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line answers bad flags with a clear message and a non-zero exit, before doing any
 * work.
 */
class PulseCommandLineTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Pulse.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void helpListsEveryCommandAndSucceeds() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("demo", "simulate", "migrate", "bench", "./pulse test");
  }

  @Test
  void noCommandPrintsUsageAndFails() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("Missing command", "Usage: pulse");
  }

  @Test
  void unknownCommandFails() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString()).contains("frobnicate");
  }

  @Test
  void migrateRejectsAUrlThatIsNotHttp() {
    assertThat(run("migrate", "--clickhouse", "clickhouse-1:8123")).isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid value for option '--clickhouse': 'clickhouse-1:8123'");
  }

  @Test
  void demoRejectsAnAlertmanagerThatIsNotAnHttpUrlBeforeStartingAnything() {
    for (String bad : new String[] {"localhost:9093", "ftp://am:21", "http://"}) {
      err.getBuffer().setLength(0);
      assertThat(run("demo", "--alertmanager", bad)).as(bad).isEqualTo(2);
      assertThat(err.toString()).as(bad).contains("--alertmanager");
    }
  }

  @Test
  void migrateRejectsADatabaseNameThatWouldNeedQuoting() {
    assertThat(run("migrate", "--database", "pulse; DROP DATABASE x")).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--database'");
  }

  /** Both commands take the connection from one mixin: the same flags, defaults and help. */
  @Test
  void migrateAndReconcileDescribeTheSameClickHouseFlagsWithTheirDefaults() {
    for (String command : new String[] {"migrate", "reconcile"}) {
      out.getBuffer().setLength(0);
      assertThat(run(command, "--help")).as(command).isZero();
      assertThat(out.toString().lines())
          .as("%s: lines fit the 80-column help", command)
          .allMatch(line -> line.length() <= 80);
      assertThat(out.toString())
          .as(command)
          .contains(
              "--clickhouse=URL",
              "ClickHouse HTTP URL (default: http://127.0.0.1:8123).",
              "--database=NAME",
              "Database of Pulse's tables (default: pulse).",
              "--user=USER",
              "ClickHouse user (default: default).",
              "PULSE_CLICKHOUSE_PASSWORD");
    }
  }

  @Test
  void reconcileRejectsAUrlThatIsNotHttpLikeMigrate() {
    assertThat(run("reconcile", "--clickhouse", "clickhouse-1:8123")).isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid value for option '--clickhouse': 'clickhouse-1:8123'");
  }

  @Test
  void migrateAgainstAnUnreachableServerFailsWithOneLine() {
    // Port 1 on loopback refuses connections at once.
    assertThat(run("migrate", "--clickhouse", "http://127.0.0.1:1")).isEqualTo(1);
    assertThat(err.toString()).startsWith("pulse migrate: ").doesNotContain("\tat ");
  }

  @Test
  void simulateRejectsANegativeRate() {
    assertThat(run("simulate", "--rate", "-5")).isEqualTo(2);
    assertThat(err.toString()).contains("--rate");
  }
}
