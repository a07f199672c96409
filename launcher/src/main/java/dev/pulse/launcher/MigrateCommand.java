package dev.pulse.launcher;

import dev.pulse.cli.ClickHouseOptions;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.MigrationRunner;
import dev.pulse.clickhouse.MigrationRunner.MigrationResult;
import dev.pulse.clickhouse.MigrationRunner.MigrationStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pulse migrate}: applies Pulse's ClickHouse migrations to a server, or shows their status.
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Apply Pulse's ClickHouse migrations (numbered SQL files) that the database",
      "has not seen, in order, recording each in schema_migrations; the database",
      "is created when missing. Safe to run twice and from two machines at once.",
      "The password is read from the environment variable",
      ClickHouseOptions.PASSWORD_ENV + "."
    })
public final class MigrateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ClickHouseOptions clickhouse;

  @Option(
      names = "--status",
      description = "Only show which migrations are applied; change nothing.")
  boolean statusOnly;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String database = clickhouse.database();
    try (ClickHouse client =
        ClickHouse.connect(clickhouse.url(), clickhouse.user(), clickhouse.password(), null)) {
      MigrationRunner runner = new MigrationRunner(client, database);
      if (statusOnly) {
        printStatus(out, runner.status());
        return 0;
      }
      out.printf(
          "Migrating database %s on %s (ClickHouse %s)%n",
          database, clickhouse.url(), client.serverVersion());
      List<MigrationResult> applied = runner.migrate();
      for (MigrationResult r : applied) {
        out.printf(
            "  applied %04d %s: %d statements%s in %d ms%n",
            r.version(),
            r.name(),
            r.statements(),
            r.skippedStatements() == 0
                ? ""
                : " (" + r.skippedStatements() + " skipped: need a newer server)",
            r.millis());
      }
      out.println(
          applied.isEmpty()
              ? "Up to date: nothing to apply."
              : "Applied " + applied.size() + " migrations.");
      return 0;
    }
  }

  private static void printStatus(PrintWriter out, List<MigrationStatus> statuses) {
    out.printf("%-8s %-40s %-8s %-20s %s%n", "version", "name", "applied", "applied at", "server");
    for (MigrationStatus s : statuses) {
      out.printf(
          "%04d     %-40s %-8s %-20s %s%n",
          s.version(),
          s.name(),
          s.applied() ? "yes" : "no",
          s.appliedAt() == null ? "-" : s.appliedAt().toString(),
          s.serverVersion() == null ? "-" : s.serverVersion());
    }
  }
}
