package dev.pulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every bad flag must stop the command with a message naming it, before anything is sent. */
class SimulateCommandTest {

  private record Run(int exitCode, String err) {}

  private static Run run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new SimulateCommand());
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    int code = cmd.execute(args);
    return new Run(code, err.toString());
  }

  @Test
  void negativeRateIsRejected() {
    Run r = run("--json-lines", "-", "--rate", "-5");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--rate must be >= 0");
  }

  @Test
  void fractionAboveOneIsRejected() {
    Run r = run("--json-lines", "-", "--duplicates", "1.5");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--duplicates must be a fraction between 0 and 1, got 1.5");
  }

  @Test
  void negativeFractionIsRejected() {
    Run r = run("--json-lines", "-", "--malformed", "-0.1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--malformed must be a fraction");
  }

  @Test
  void unknownDomainIsRejectedListingTheValidOnes() {
    Run r = run("--json-lines", "-", "--domains", "api,videos");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("unknown domain 'videos'")
        .contains("api, classroom, playback, probes");
  }

  @Test
  void kafkaAddressWithoutPortIsRejected() {
    Run r = run("--kafka", "localhost");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid value for option '--kafka': 'localhost' has no port");
  }

  @Test
  void kafkaPortOutOfRangeIsRejected() {
    Run r = run("--kafka", "localhost:70000");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("port in 1..65535");
  }

  @Test
  void unparsableStartIsRejected() {
    Run r = run("--json-lines", "-", "--start", "monday morning");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--start: 'monday morning' is not an ISO-8601 UTC instant");
  }

  @Test
  void zeroCountIsRejected() {
    Run r = run("--json-lines", "-", "--count", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--count must be positive");
  }

  @Test
  void nonNumericSeedIsRejectedByPicocli() {
    Run r = run("--seed", "abc");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--seed");
  }

  @Test
  void helpWorksAsASubcommandOfALauncher() {
    @CommandLine.Command(name = "pulse", subcommands = SimulateCommand.class)
    class Pulse implements Runnable {
      @Override
      public void run() {}
    }
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new Pulse());
    cmd.setOut(new PrintWriter(out, true));
    assertThat(cmd.execute("simulate", "--help")).isZero();
    assertThat(out.toString())
        .contains("Usage: pulse simulate")
        .contains("--json-lines")
        .contains("--late");
  }

  @Test
  void jsonLinesRunWritesTheReportedNumberOfLinesAndPrintsTheFaultSummary(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("events.jsonl");
    Run r =
        run(
            "--json-lines",
            file.toString(),
            "--count",
            "2000",
            "--duplicates",
            "0.1",
            "--malformed",
            "0.05",
            "--quiet",
            "--domains",
            "api,probes");
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    // Independent recount from the file: 2,000 unique events plus the duplicate and malformed
    // lines.
    long dups = lines.stream().filter(l -> l.contains("\"kind\":\"DUPLICATE\"")).count();
    long malformed = lines.stream().filter(l -> l.contains("\"kind\":\"MALFORMED\"")).count();
    assertThat(lines).hasSize((int) (2000 + dups + malformed));
    assertThat(dups).isBetween(120L, 280L);
    assertThat(r.err())
        .contains(String.format("dup=%,d", dups))
        .contains(String.format("malformed=%,d", malformed));
  }
}
