package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.local.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pulse demo} started as a person starts it, in a process group of its own as a terminal
 * does, then stopped as Ctrl-C stops it: SIGINT to the whole process group. The demo must stop in
 * order (simulator, the job with a savepoint, the API, ClickHouse, Kafka) and leave no server
 * behind; the ClickHouse child must not be in the demo's process group, or the same Ctrl-C would
 * kill it before the job that writes to it.
 */
class DemoShutdownIT {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  /** The "within about 10 s", with slack for a loaded CI machine (1.9 s measured here). */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private static final Pattern CLICKHOUSE_PID =
      Pattern.compile("clickhouse-server .* \\(pid (\\d+),");

  @Test
  @Timeout(300)
  void ctrlCToTheProcessGroupStopsJobWithSavepointThenApiThenServers(@TempDir Path dir)
      throws Exception {
    int[] ports = FreePorts.take(2);
    Path output = dir.resolve("demo.out");
    Process demo =
        new ProcessBuilder(
                "setsid",
                // A terminal's foreground job has Ctrl-C's default handling; a test JVM started
                // in the background may pass SIGINT on as ignored, which the JVM then keeps.
                "env",
                "--default-signal=INT,TERM",
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx768m",
                "-cp",
                System.getProperty("java.class.path"),
                Pulse.class.getName(),
                "demo",
                "--data-dir",
                dir.resolve("demo").toString(),
                "--fresh",
                "--port",
                String.valueOf(ports[0]),
                "--flink-ui-port",
                String.valueOf(ports[1]))
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    long clickhousePid = -1;
    try {
      String started = awaitOutput(output, "Pulse is running.", START_TIMEOUT, demo);
      // A person looks at the dashboard first: let the job run and checkpoint.
      Thread.sleep(5_000);
      clickhousePid = clickhousePid(started);
      long demoGroup = processGroup(demo.pid());
      assertThat(demoGroup).as("setsid made the demo a group leader").isEqualTo(demo.pid());
      assertThat(processGroup(clickhousePid))
          .as("the ClickHouse child runs in a process group of its own")
          .isNotEqualTo(demoGroup);

      long signalled = System.nanoTime();
      // procps' kill needs "--" before a negative id, or it reads the group as an option.
      run("kill", "-s", "INT", "--", "-" + demoGroup);
      boolean exited = demo.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(exited).as(() -> "the demo exits after Ctrl-C:\n" + readQuietly(output)).isTrue();
      double seconds = (System.nanoTime() - signalled) / 1e9;
      System.out.printf("[pulse-test] demo stopped %.1f s after SIGINT%n", seconds);

      String text = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(demo.exitValue()).as(text).isZero();
      assertThat(stopLines(text))
          .as(text)
          .containsExactly(
              "stopped sign-in links",
              "stopped simulator",
              "stopped Flink job",
              "stopped GraphQL API and dashboards",
              "stopped ClickHouse",
              "stopped Kafka");
      assertThat(text).doesNotContain("did not stop cleanly");
      try (Stream<Path> savepoints = Files.walk(dir.resolve("demo").resolve("savepoints"))) {
        assertThat(savepoints.filter(p -> p.getFileName().toString().equals("_metadata")))
            .as("the job stopped with a savepoint")
            .hasSize(1);
      }
      Optional<ProcessHandle> clickhouse = ProcessHandle.of(clickhousePid);
      assertThat(clickhouse.map(ProcessHandle::isAlive).orElse(false))
          .as("no ClickHouse server is left behind")
          .isFalse();
    } finally {
      if (demo.isAlive()) {
        run("kill", "-s", "KILL", "--", "-" + demo.pid());
      }
      // A server in its own process group outlives a killed demo: never leave one behind.
      ProcessHandle.of(clickhousePid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** The "stopped X" lines of the demo's stop report, without their timings. */
  private static List<String> stopLines(String text) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.startsWith("stopped ")) {
        String step = l.replaceFirst(" \\(\\d+\\.\\d s\\)$", "");
        lines.add(step.startsWith("stopped Flink job") ? "stopped Flink job" : step);
      }
    }
    return lines;
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static long clickhousePid(String text) {
    Matcher m = CLICKHOUSE_PID.matcher(text);
    assertThat(m.find()).as("the demo started its own ClickHouse: " + text).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static long processGroup(long pid) throws IOException, InterruptedException {
    return Long.parseLong(run("ps", "-o", "pgid=", "-p", String.valueOf(pid)).strip());
  }

  private static String awaitOutput(Path file, String marker, Duration timeout, Process process)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      if (text.contains(marker)) {
        return text;
      }
      assertThat(process.isAlive()).as("the demo is still running: " + text).isTrue();
      Thread.sleep(250);
    }
    throw new AssertionError(
        "no '" + marker + "' within " + timeout + ":\n" + Files.readString(file));
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    return out;
  }
}
