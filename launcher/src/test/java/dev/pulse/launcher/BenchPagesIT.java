package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pulse bench}'s pages phase, small, against the test Kafka broker and ClickHouse: a day of
 * history backfilled by the four jobs, every dashboard page loaded through serving-api and its SQL
 * sent direct, then again at twice the data. Counts only, never times.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class BenchPagesIT {

  private static final List<String> PAGES =
      List.of(
          "service 1h",
          "service 30d",
          "qoe 1h",
          "qoe 7d",
          "uptime 24h",
          "uptime 30d",
          "slos",
          "slo",
          "course",
          "session",
          "learner",
          "video");

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void everyPageIsMeasuredAtBothSizesAndTheGrowthCopiesEveryRowWithoutChangingAnAnswer(
      TestKafka kafka, TestClickHouse clickHouse, @TempDir Path dir) throws Exception {
    Path json = dir.resolve("bench.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Pulse.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int exit =
        cli.execute(
            "bench",
            "--skip",
            "consumer,loader,pulse,freshness,memory",
            "--events",
            "100",
            "--pages-days",
            "1",
            "--pages-api-per-minute",
            "100",
            "--pages-views-per-minute",
            "2",
            "--pages-calls",
            "2",
            "--pages-clients",
            "2",
            "--pages-calls-per-client",
            "1",
            "--pages-growth",
            "2",
            "--kafka",
            kafka.bootstrapServers(),
            "--clickhouse",
            clickHouse.httpUrl(),
            "--user",
            clickHouse.user(),
            "--database-prefix",
            clickHouse.database() + "_pages",
            "--progress-seconds",
            "5",
            "--keep-data",
            "--json",
            json.toString());

    assertThat(exit).as("exit code; stderr:%n%s", err).isZero();
    assertThat(out.toString()).contains("pages at 2 x the data").contains("flat cost");
    JsonNode phases = new ObjectMapper().readTree(json.toFile()).get("phases");
    JsonNode details = phases.get("pages").get("details");
    String database = details.get("database").asText();

    long rawRows = 0;
    for (String table :
        List.of(
            "api_requests_raw",
            "classroom_events_raw",
            "playback_events_raw",
            "probe_results_raw")) {
      rawRows += count(clickHouse, database, table, "event_time >= '2026-03-02 00:00:00'");
    }
    assertThat(rawRows)
        .as("every backfilled event is a raw row of its day")
        .isEqualTo(phases.get("backfill").get("events").asLong())
        .isPositive();

    for (String size : List.of("pages", "grownPages")) {
      JsonNode pages = details.get(size);
      assertThat(pages).hasSize(PAGES.size());
      for (int i = 0; i < PAGES.size(); i++) {
        assertThat(pages.get(i).get("page").asText()).isEqualTo(PAGES.get(i));
        assertThat(pages.get(i).get("sqlStatements").asInt())
            .as(size + " " + PAGES.get(i) + ": the SQL it sent, read from the query log")
            .isPositive();
      }
    }
    assertThat(details.get("rows").asLong()).isPositive();
    assertThat(details.get("grownRows").asLong())
        .as("twice the rows: one copy of every table the jobs write")
        .isEqualTo(2 * details.get("rows").asLong());
    String grown = details.get("grownDatabase").asText();
    long history = count(clickHouse, database, "api_requests_raw", "1");
    assertThat(count(clickHouse, grown, "api_requests_raw", "event_time >= '2026-01-01 00:00:00'"))
        .as("the grown database holds the history as it is")
        .isEqualTo(history);
    assertThat(count(clickHouse, grown, "api_requests_raw", "event_time < '2026-01-01 00:00:00'"))
        .as("and its copy, in the year before")
        .isEqualTo(history);
    assertThat(details.get("answersChangedByGrowth"))
        .as("every page asks about the history only, so the copy changes no answer")
        .isEmpty();
    JsonNode flat = details.get("flatCost");
    assertThat(flat).hasSize(PAGES.size());
    for (int i = 0; i < PAGES.size(); i++) {
      assertThat(flat.get(i).get("page").asText()).isEqualTo(PAGES.get(i));
      assertThat(flat.get(i).get("grownP50Ms").asDouble()).as(PAGES.get(i)).isPositive();
    }
    clickHouse.execute("DROP DATABASE IF EXISTS " + database);
    clickHouse.execute("DROP DATABASE IF EXISTS " + grown);
  }

  private static long count(TestClickHouse ch, String database, String table, String where) {
    return Long.parseLong(
        ch.query("SELECT count() FROM " + database + "." + table + " WHERE " + where).strip());
  }
}
