package dev.pulse.launcher;

import dev.pulse.cli.ClickHouseOptions;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.flink.api.ApiMetricsRollback;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pulse rollback --savepoint DIR}: prepares ClickHouse for restarting the stopped API
 * metrics job from an older savepoint or retained checkpoint ({@link ApiMetricsRollback}).
 */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = {
      "Prepare ClickHouse for restarting the API metrics job from an older savepoint or retained",
      "checkpoint (rolling back a bad deploy): deletes the minute facts and late events the job",
      "committed from records after it, and recomputes the hour and day rollups of those minutes.",
      "Run it while the job is stopped, then start the job from the same savepoint",
      "(flink run -s DIR ...); the job replays the records after it and counts them once.",
      "Exit status: 0 when done, 2 on bad arguments or an unreadable savepoint. The password is",
      "read from the environment variable " + ClickHouseOptions.PASSWORD_ENV + "."
    })
public final class RollbackCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--savepoint",
      paramLabel = "DIR",
      required = true,
      description = "The savepoint or checkpoint directory the job will restart from.")
  Path savepoint;

  @Mixin ClickHouseOptions clickhouse;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ApiMetricsRollback.Savepoint from;
    try {
      from = ApiMetricsRollback.Savepoint.read(savepoint);
    } catch (IOException e) {
      spec.commandLine().getErr().println("cannot read the savepoint: " + e.getMessage());
      return 2;
    }
    out.printf(
        "Rolling back %s on %s to checkpoint %d (%s, written %s)...%n",
        clickhouse.database(), clickhouse.url(), from.checkpointId(), savepoint, from.time());
    try (ClickHouse client =
        ClickHouse.connect(
            clickhouse.url(), clickhouse.user(), clickhouse.password(), clickhouse.database())) {
      out.println(new ApiMetricsRollback(client).prepare(from));
    }
    out.printf("Now start the job from it: flink run -s %s ...%n", savepoint);
    return 0;
  }
}
