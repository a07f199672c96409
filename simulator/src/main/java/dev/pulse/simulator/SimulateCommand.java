package dev.pulse.simulator;

import dev.pulse.cli.ConnectionFlags;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code simulate} command: generates a seeded school day of platform telemetry and writes it
 * to Kafka, or with {@code --json-lines} to a file or stdout instead. Meant to be registered as a
 * subcommand of the {@code pulse} launcher; progress and the summary go to stderr.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generate a realistic, seeded school day of platform telemetry (API requests, live",
      "classroom sessions, lecture-video playback, uptime probes) and write it to Kafka, or as",
      "JSON lines with --json-lines. The same seed and flags give the same events, byte for byte.",
      "Progress and the final summary (with fault counts) go to stderr."
    })
public class SimulateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9092",
      converter = ConnectionFlags.KafkaServers.class,
      description = "Kafka bootstrap servers, comma separated (default: ${DEFAULT-VALUE}).")
  String kafka;

  @Option(
      names = "--json-lines",
      paramLabel = "FILE",
      description = "Write JSON lines to FILE ('-' for stdout) instead of sending to Kafka.")
  String jsonLines;

  @Option(
      names = "--domains",
      paramLabel = "LIST",
      defaultValue = "api,classroom,playback,probes",
      description = "Domains to generate, comma separated (default: ${DEFAULT-VALUE}).")
  String domains;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--start",
      paramLabel = "INSTANT",
      defaultValue = "2026-03-02T07:55:00Z",
      description = "First simulated instant, ISO-8601 UTC (default: ${DEFAULT-VALUE}, a Monday).")
  String start;

  @Option(
      names = "--minutes",
      paramLabel = "N",
      description =
          "Minutes of simulated time (default: 600, a school day, unless --count is given).")
  Long minutes;

  @Option(
      names = "--count",
      paramLabel = "N",
      description =
          "Stop after N events, not counting injected faults. With --minutes, whichever comes first.")
  Long count;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Records per second to send (0 = as fast as possible; default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--tenants",
      defaultValue = "3",
      description = "Institutions (default: ${DEFAULT-VALUE}).")
  int tenants;

  @Option(
      names = "--courses-per-tenant",
      defaultValue = "6",
      description = "Courses per institution (default: ${DEFAULT-VALUE}).")
  int coursesPerTenant;

  @Option(
      names = "--learners-per-course",
      defaultValue = "24",
      description = "Learners per course (default: ${DEFAULT-VALUE}).")
  int learnersPerCourse;

  @Option(
      names = "--api-per-minute",
      paramLabel = "N",
      defaultValue = "6000",
      description =
          "API requests per simulated minute at the daily peak (default: ${DEFAULT-VALUE}).")
  double apiPerMinute;

  @Option(
      names = "--views-per-minute",
      paramLabel = "N",
      defaultValue = "40",
      description =
          "New video views per simulated minute at the daily peak (default: ${DEFAULT-VALUE}).")
  double viewsPerMinute;

  @Option(
      names = "--no-incidents",
      description =
          "Do not inject the default incidents (error spike, latency regression, outage).")
  boolean noIncidents;

  @Option(
      names = "--duplicates",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description =
          "Share of events re-sent with the same bytes, 0..1 (default: ${DEFAULT-VALUE}).")
  double duplicates;

  @Option(
      names = "--out-of-order",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description =
          "Share of events delivered 1-20 s of event time late, 0..1 (default: ${DEFAULT-VALUE}).")
  double outOfOrder;

  @Option(
      names = "--late",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description =
          "Share of events delivered 10-30 min of event time late, 0..1 (default: ${DEFAULT-VALUE}).")
  double late;

  @Option(
      names = "--malformed",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description =
          "Per event, chance of an extra malformed record, 0..1 (default: ${DEFAULT-VALUE}).")
  double malformed;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description =
          "Partitions for topics the simulator creates when missing (default: each topic's"
              + " contract in event-schemas).")
  Integer partitions;

  @Option(
      names = "--progress-seconds",
      paramLabel = "N",
      defaultValue = "5",
      description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
  int progressSeconds;

  @Option(names = "--quiet", description = "No progress lines; the summary is still printed.")
  boolean quiet;

  /** The config these flags describe; every invalid flag is a ParameterException naming it. */
  SimulationConfig config() {
    Set<Domain> chosen = EnumSet.noneOf(Domain.class);
    for (String name : domains.split(",", -1)) {
      if (name.isBlank()) {
        throw usage(
            "--domains: empty domain name in '"
                + domains
                + "'; valid domains: "
                + Domain.validNames());
      }
      try {
        chosen.add(Domain.parse(name));
      } catch (IllegalArgumentException e) {
        throw usage("--domains: " + e.getMessage());
      }
    }
    Instant startAt;
    try {
      startAt = Instant.parse(start);
    } catch (DateTimeParseException e) {
      throw usage(
          "--start: '" + start + "' is not an ISO-8601 UTC instant such as 2026-03-02T07:55:00Z");
    }
    if (minutes != null && minutes <= 0) {
      throw usage("--minutes must be positive, got " + minutes);
    }
    if (count != null && count <= 0) {
      throw usage("--count must be positive, got " + count);
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw usage("--rate must be >= 0 records/s (0 = as fast as possible), got " + rate);
    }
    positive("--tenants", tenants);
    positive("--courses-per-tenant", coursesPerTenant);
    positive("--learners-per-course", learnersPerCourse);
    if (partitions != null) {
      positive("--partitions", partitions);
    }
    positive("--progress-seconds", progressSeconds);
    if (!(apiPerMinute > 0) || Double.isInfinite(apiPerMinute)) {
      throw usage("--api-per-minute must be positive, got " + apiPerMinute);
    }
    if (!(viewsPerMinute > 0) || Double.isInfinite(viewsPerMinute)) {
      throw usage("--views-per-minute must be positive, got " + viewsPerMinute);
    }
    fraction("--duplicates", duplicates);
    fraction("--out-of-order", outOfOrder);
    fraction("--late", late);
    fraction("--malformed", malformed);
    if (outOfOrder + late > 1) {
      throw usage(
          "--out-of-order plus --late must not exceed 1 (each event is delayed at most once), got "
              + outOfOrder
              + " + "
              + late);
    }
    if (jsonLines != null && jsonLines.isBlank()) {
      throw usage("--json-lines needs a file name, or '-' for stdout");
    }
    Duration duration =
        minutes != null
            ? Duration.ofMinutes(minutes)
            : count != null ? null : SimulationConfig.DEFAULT_DURATION;
    return new SimulationConfig(
        seed,
        startAt,
        duration,
        count == null ? 0 : count,
        chosen,
        tenants,
        coursesPerTenant,
        learnersPerCourse,
        8,
        apiPerMinute,
        viewsPerMinute,
        noIncidents ? List.of() : Incident.defaultsFor(startAt),
        new FaultConfig(duplicates, outOfOrder, late, malformed),
        null);
  }

  @Override
  public Integer call() throws IOException {
    SimulationConfig config = config();
    PrintWriter err = spec.commandLine().getErr();
    Simulator simulator = new Simulator(config);
    Progress progress =
        quiet ? Progress.silent() : new Progress(err, Duration.ofSeconds(progressSeconds));
    Simulator.RecordStream records = simulator.records();
    if (!quiet) {
      err.println(
          "simulating from "
              + config.start()
              + (config.end() != null ? " to " + config.end() : "")
              + (config.maxEvents() > 0
                  ? String.format(Locale.ROOT, ", at most %,d events", config.maxEvents())
                  : "")
              + ", seed "
              + config.seed()
              + ", domains "
              + config.domains()
              + (jsonLines == null ? ", to Kafka at " + kafka : ", to JSON lines " + jsonLines));
      for (Incident i : simulator.incidents()) {
        err.println(
            "  incident: "
                + i.kind()
                + " "
                + i.service()
                + (i.endpoint() == null ? "" : " " + i.endpoint())
                + " from "
                + i.start()
                + " to "
                + i.end());
      }
      err.flush();
    }
    long sent;
    if (jsonLines != null) {
      boolean stdout = jsonLines.equals("-");
      OutputStream os = stdout ? new NonClosing(System.out) : new FileOutputStream(jsonLines);
      try (JsonLinesWriter w = new JsonLinesWriter(os)) {
        sent = w.writeAll(records, progress);
      }
    } else {
      try (KafkaEventWriter w = new KafkaEventWriter(kafka)) {
        w.createMissingTopics(
            partitions == null ? OptionalInt.empty() : OptionalInt.of(partitions));
        sent = w.writeAll(records, rate, progress);
      }
    }
    FaultReport report = records.report();
    err.println(
        String.format(
            Locale.ROOT,
            "done: wrote %,d records (%,.0f/s); %s",
            sent,
            progress.averageRate(),
            report.summary()));
    err.flush();
    return 0;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private void positive(String flag, int value) {
    if (value <= 0) {
      throw usage(flag + " must be positive, got " + value);
    }
  }

  private void fraction(String flag, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw usage(flag + " must be a fraction between 0 and 1, got " + value);
    }
  }

  /** Lets the JSON writer be closed without closing stdout for the rest of the launcher. */
  private static final class NonClosing extends FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
