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
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pulse bench}'s freshness phase, small, against the test Kafka broker and ClickHouse: the
 * API job live and serving-api started by the launcher. Counts only, never times: one sample per
 * sampled service and minute, and each sampled minute was complete, its request count equal to the
 * raw rows ClickHouse holds for it.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class BenchFreshnessIT {

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everySampledMinuteIsCompleteThroughGraphqlAndCountsItsRawRows(
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
            "consumer,loader,pulse,pages,memory",
            "--events",
            "100",
            "--freshness-rate",
            "2000",
            "--freshness-minutes",
            "1",
            "--freshness-warmup",
            "5s",
            "--freshness-series",
            "2",
            "--checkpoint-interval",
            "2s",
            "--kafka",
            kafka.bootstrapServers(),
            "--clickhouse",
            clickHouse.httpUrl(),
            "--user",
            clickHouse.user(),
            "--database-prefix",
            clickHouse.database() + "_fresh",
            "--progress-seconds",
            "5",
            "--keep-data",
            "--json",
            json.toString());

    assertThat(exit).as("exit code; stderr:%n%s", err).isZero();
    assertThat(out.toString()).containsPattern("freshness at [0-9,]+ requests/s sent");
    JsonNode details =
        new ObjectMapper().readTree(json.toFile()).get("phases").get("freshness").get("details");
    assertThat(details.get("samples").asInt()).isEqualTo(2);
    String database = details.get("database").asText();
    String tenant = details.get("tenant").asText();
    JsonNode sampled = details.get("sampledMinuteRequests");
    assertThat(sampled.size()).isEqualTo(2);
    for (Iterator<Map.Entry<String, JsonNode>> it = sampled.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String service = e.getKey().substring(0, e.getKey().indexOf('|'));
      long minute =
          Instant.parse(e.getKey().substring(e.getKey().indexOf('|') + 1)).getEpochSecond();
      String where =
          " WHERE tenant_id = '"
              + tenant
              + "' AND service = '"
              + service
              + "' AND toStartOfMinute(event_time) = toDateTime("
              + minute
              + ")";
      assertThat(e.getValue().asLong()).as(e.getKey()).isPositive();
      assertThat(clickHouse.query("SELECT count() FROM " + database + ".api_requests_raw" + where))
          .as("raw rows of " + e.getKey())
          .isEqualTo(e.getValue().asLong() + "\n");
      assertThat(
              clickHouse.query(
                  "SELECT sum(requests) FROM "
                      + database
                      + ".api_request_minutes WHERE tenant_id = '"
                      + tenant
                      + "' AND service = '"
                      + service
                      + "' AND minute = toDateTime("
                      + minute
                      + ")"))
          .as("minute facts of " + e.getKey())
          .isEqualTo(e.getValue().asLong() + "\n");
    }
    clickHouse.execute("DROP DATABASE IF EXISTS " + database);
  }
}
