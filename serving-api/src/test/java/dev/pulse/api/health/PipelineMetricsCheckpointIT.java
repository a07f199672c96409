package dev.pulse.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The checkpoint-age metric when two running jobs share a name (a resubmission while the old one
 * still runs): one row per name, the staler checkpoint's age, and the Prometheus scrape still
 * answers. The Flink REST answers are given by a local HTTP server in the shape Flink 2.2 writes.
 */
@ExtendWith(ClickHouseExtension.class)
class PipelineMetricsCheckpointIT {

  private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");

  @Test
  void twoRunningJobsOfOneNameAreOneRowWithTheStalerCheckpoint(TestClickHouse ch) throws Exception {
    HttpServer flink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    answer(
        flink,
        "/jobs/overview",
        "{\"jobs\":[{\"jid\":\"a\",\"name\":\"pulse\",\"state\":\"RUNNING\"},"
            + "{\"jid\":\"b\",\"name\":\"pulse\",\"state\":\"RUNNING\"},"
            + "{\"jid\":\"c\",\"name\":\"pulse\",\"state\":\"CANCELED\"}]}");
    // a checkpointed 5 s ago, b 40 s ago; c is not running.
    answer(flink, "/jobs/a/checkpoints", ack(NOW.minusSeconds(5)));
    answer(flink, "/jobs/b/checkpoints", ack(NOW.minusSeconds(40)));
    answer(flink, "/jobs/c/checkpoints", ack(NOW.minusSeconds(999)));
    flink.start();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (ClickHouse db = ch.migratedDatabase()) {
      PipelineMetrics metrics =
          new PipelineMetrics(
              db,
              registry,
              Duration.ofHours(1),
              URI.create("http://127.0.0.1:" + flink.getAddress().getPort()),
              Clock.fixed(NOW, ZoneOffset.UTC));
      try {
        metrics.refresh();
        assertThat(registry.find("pulse.flink.checkpoint.age").gauges())
            .singleElement()
            .extracting(Gauge::value)
            .isEqualTo(40.0);
        assertThat(registry.scrape())
            .contains("pulse_flink_checkpoint_age_seconds{job=\"pulse\"} 40.0");
      } finally {
        metrics.destroy();
      }
    } finally {
      flink.stop(0);
    }
  }

  private static String ack(Instant at) {
    return "{\"latest\":{\"completed\":{\"latest_ack_timestamp\":" + at.toEpochMilli() + "}}}";
  }

  private static void answer(HttpServer server, String path, String json) {
    server.createContext(
        path,
        exchange -> {
          byte[] body = json.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
  }
}
