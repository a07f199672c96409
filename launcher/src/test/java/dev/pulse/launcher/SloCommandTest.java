package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pulse slo validate}: the shipped example files are valid and listed; a bad file's problems
 * are printed with file, line and column and fail the command; no file is a usage error.
 */
class SloCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Pulse.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void theExampleFilesAreValidAndListed() throws Exception {
    List<String> args = new ArrayList<>(List.of("slo", "validate"));
    try (Stream<Path> files = Files.list(Path.of("..", "slos"))) {
      files.sorted().forEach(f -> args.add(f.toString()));
    }
    assertThat(run(args.toArray(String[]::new))).as(err.toString()).isZero();
    assertThat(out.toString())
        .startsWith("5 files valid: 4 services, 5 SLOs")
        .contains(
            "courses-api-availability",
            "99.9 % of api_requests {service=courses-api} with status < 500, 30-day rolling window,"
                + " Occurrences",
            "grades-api-uptime",
            "calendar month, Timeslices",
            "98 % of playback_views (all) without start-failure");
  }

  @Test
  void aBadFilesProblemsArePrintedWithWhereAndFailTheCommand(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: openslo/v1
        kind: Service
        metadata:
          name: Not A Name
        spec: {}
        """);
    assertThat(run("slo", "validate", bad.toString())).isEqualTo(1);
    assertThat(err.toString())
        .contains(bad + ":4:9: metadata.name 'Not A Name' must be 1-63 lowercase letters")
        .contains("1 problem in 1 file");
  }

  @Test
  void withoutFilesOrSubcommandItIsAUsageError() {
    assertThat(run("slo", "validate")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter: 'FILE'");
    assertThat(run("slo")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing subcommand: validate");
  }
}
