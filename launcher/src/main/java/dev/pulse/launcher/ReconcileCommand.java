package dev.pulse.launcher;

import dev.pulse.cli.ClickHouseOptions;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.RollupCheck;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code pulse reconcile}: checks the hour and day rollups against the minute facts and, with
 * {@code --repair}, recomputes the buckets that differ and no longer receive rows.
 */
@Command(
    name = "reconcile",
    mixinStandardHelpOptions = true,
    description = {
      "Check that every hour and day rollup equals the minute facts it is derived",
      "from (key by key), and list what differs. A rollup view that failed after",
      "the minutes were stored (ClickHouse 18.16 views are not transactional) shows",
      "up here. --repair recomputes the differing buckets that ended before",
      "--closed-before from the minutes. Exit status: 0 when everything agrees",
      "(after the repair), 1 when differences remain. The password is read from",
      "the environment variable " + ClickHouseOptions.PASSWORD_ENV + "."
    })
public final class ReconcileCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ClickHouseOptions clickhouse;

  @Option(
      names = "--from",
      paramLabel = "INSTANT",
      converter = InstantFlag.class,
      description = "Start of the range, e.g. 2026-12-01T00:00:00Z (default: 2 days ago).")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "INSTANT",
      converter = InstantFlag.class,
      description = "End of the range, exclusive (default: now).")
  Instant to;

  @Option(
      names = "--repair",
      description = "Recompute the differing buckets that are closed (see --closed-before).")
  boolean repair;

  @Option(
      names = "--closed-before",
      paramLabel = "INSTANT",
      converter = InstantFlag.class,
      description = {
        "Only buckets that ended before this are repaired: they no longer receive rows",
        "(default: 1 hour ago, far more than the job's allowed lateness plus a checkpoint)."
      })
  Instant closedBefore;

  /** ISO-8601 instants with a zone, e.g. {@code 2026-12-01T00:00:00Z}. */
  static final class InstantFlag implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new TypeConversionException(
            "'" + value + "' is not an instant like 2026-12-01T00:00:00Z");
      }
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    Instant end = to == null ? now : to;
    Instant start = from == null ? end.minus(Duration.ofDays(2)) : from;
    Instant closed = closedBefore == null ? now.minus(Duration.ofHours(1)) : closedBefore;
    if (!start.isBefore(end)) {
      spec.commandLine().getErr().printf("--from %s must be before --to %s%n", start, end);
      return 2;
    }
    try (ClickHouse client =
        ClickHouse.connect(
            clickhouse.url(), clickhouse.user(), clickhouse.password(), clickhouse.database())) {
      RollupCheck check = new RollupCheck(client);
      out.printf(
          "Reconciling %s on %s from %s to %s%n",
          String.join(", ", check.rollups().stream().map(RollupCheck.Rollup::table).toList()),
          clickhouse.url(),
          start,
          end);
      List<RollupCheck.Difference> differences = check.check(start, end);
      differences.forEach(d -> out.println("  differs: " + d));
      if (repair && !differences.isEmpty()) {
        out.printf("Repairing the buckets that ended before %s...%n", closed);
        differences = check.repair(start, end, closed);
        differences.forEach(d -> out.println("  still differs (open bucket): " + d));
      }
      out.println(
          differences.isEmpty()
              ? "Every rollup equals the minute facts."
              : differences.size() + " key-buckets differ.");
      return differences.isEmpty() ? 0 : 1;
    }
  }
}
