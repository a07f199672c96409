package dev.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Bad flags stop {@code pulse bench} before anything starts, with exit code 2 and the flag's name.
 */
class BenchCommandTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "--events, 0",
    "--events, -5",
    "--partitions, 0",
    "--parallelism, 0",
    "--loader-batch-rows, 0",
    "--loader-decoders, 0",
    "--loader-inserts, -1",
    "--freshness-rate, 0",
    "--freshness-rate, NaN",
    "--freshness-minutes, 0",
    "--freshness-series, 0",
    "--freshness-poll, 0ms",
    "--freshness-poll, often",
    "--freshness-warmup, later",
    "--memory-ids, 0",
    "--memory-live-keys, 999",
    "--memory-live-keys, 5000001",
    "--memory-live-keys, many",
    "--pages-days, 0",
    "--pages-days, 365",
    "--pages-calls, 0",
    "--pages-clients, 0",
    "--pages-calls-per-client, -1",
    "--pages-growth, 0",
    "--pages-growth, 1000",
    "--pages-api-per-minute, 0",
    "--pages-views-per-minute, Infinity",
    "--traffic, everything",
    "--progress-seconds, 0",
    "--events-per-minute, 0",
    "--kafka, localhost",
    "--clickhouse, ftp://host:21",
    "--database-prefix, 1bad-name",
    "--checkpoint-interval, soon",
    "--skip, everything",
    "--job-setting, kafka.topic=other",
    "--job-setting, no-such-setting=1",
    "--job-setting, clickhouse.raw-batch-size=0",
  })
  void aBadValueIsRefusedNamingTheFlag(String flag, String value) {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new BenchCommand());
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));

    int exit = cmd.execute(flag, value);

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains(flag);
  }
}
