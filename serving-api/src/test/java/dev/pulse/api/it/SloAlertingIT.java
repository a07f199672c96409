package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.local.LocalAlertmanager;
import dev.pulse.local.LocalDaemon;
import dev.pulse.local.LocalPrometheus;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The SLO numbers and alerts in the tools SREs already run, all real processes: Debian's Prometheus
 * (2.42) scrapes {@code /actuator/prometheus} with basic auth and holds each tenant's SLO
 * objective, remaining budget, burn rates and firing rows as the evaluation wrote them in
 * ClickHouse (rows written here, values chosen by hand); Debian's Alertmanager (0.25) receives the
 * page with its labels and start, notifies its webhook receiver, and sees it resolved once the
 * evaluation resolves it. A push refused twice is retried into success within one round, and one to
 * an Alertmanager that is down counts as failed while the others still get it.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class SloAlertingIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String SCRAPE_PASSWORD = "scrape-" + System.nanoTime();
  private static final String TENANT = "slo-t";
  private static final String SLO = "sessions-api-availability";

  /** The page started 6 minutes ago, at the end of a minute, as the evaluation writes it. */
  private static final Instant SINCE =
      Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(6));

  /** The newest API minute with facts: it ended 3 minutes ago. */
  private static final Instant NEWEST_API_MINUTE =
      Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(4));

  private static TestClickHouse server;
  private static ClickHouse db;
  private static LocalDaemon alertmanager;
  private static LocalDaemon prometheus;
  private static HttpServer receivers;

  /** Notifications Alertmanager's webhook receiver got. */
  private static final List<JsonNode> notifications = new CopyOnWriteArrayList<>();

  /** Pushes that reached the flaky Alertmanager stand-in, which refuses the first two with 503. */
  private static final List<String> flakyBodies = new CopyOnWriteArrayList<>();

  private static final AtomicInteger flakyRefusals = new AtomicInteger();

  @LocalServerPort private int port;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) throws Exception {
    MigratedStore.register(registry, () -> server);
    startReceivers();
    alertmanager =
        LocalAlertmanager.start(
            """
            route:
              receiver: hook
              group_by: [alertname, tenant, slo, row]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: http://127.0.0.1:%d/hook
                    send_resolved: true
            """
                .formatted(receivers.getAddress().getPort()));
    int down = unusedPort();
    Supplier<Object> urls =
        () ->
            alertmanager.url()
                + ",http://127.0.0.1:"
                + receivers.getAddress().getPort()
                + "/flaky,http://127.0.0.1:"
                + down;
    registry.add("pulse.slo.alertmanager.urls", urls);
    registry.add("pulse.slo.alertmanager.interval", () -> "1s");
    registry.add("pulse.slo.alertmanager.retries", () -> "3");
    registry.add("pulse.slo.alertmanager.timeout", () -> "2s");
    registry.add("pulse.slo.metrics-refresh", () -> "300ms");
    registry.add("pulse.metrics.scrape-password", () -> SCRAPE_PASSWORD);
  }

  @BeforeAll
  static void evaluations(TestClickHouse ch) {
    server = ch;
    db = ch.migratedDatabase();
    Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(1));
    // The latest evaluation: 99.9 %, three quarters of the budget left, burning 20x over 5m.
    db.execute(
        "INSERT INTO slo_status (tenant_id, slo, service, minute, good, total, objective,"
            + " window_start, eligible, bad, remaining, burn_5m, burn_30m, burn_1h, burn_2h,"
            + " burn_6h, burn_1d, burn_3d) VALUES ('"
            + TENANT
            + "', '"
            + SLO
            + "', 'sessions-api', "
            + seconds(minute)
            + ", 98, 100, 0.999, "
            + seconds(minute.minus(Duration.ofDays(30)))
            + ", 400000, 100, 0.75, 20, 18, 16.5, 8.25, 2.75, 0.6875, 0.229)");
    // An older evaluation of the same SLO: not the latest, never published.
    db.execute(
        "INSERT INTO slo_status (tenant_id, slo, service, minute, good, total, objective,"
            + " window_start, eligible, bad, remaining, burn_5m, burn_30m, burn_1h, burn_2h,"
            + " burn_6h, burn_1d, burn_3d) VALUES ('"
            + TENANT
            + "', '"
            + SLO
            + "', 'sessions-api', "
            + seconds(minute.minus(Duration.ofMinutes(10)))
            + ", 100, 100, 0.999, 0, 399000, 0, 1, 0, 0, 0, 0, 0, 0, 0)");
    alert("firing", SINCE, SINCE, 16.7, 200);
    // Pulse's own health: the newest API minute ended 3 minutes ago (ingest lag ~180 s), two
    // dead letters of the API topic (one replayed: the same origin counts once), one late event.
    db.execute(
        "INSERT INTO api_request_minutes (tenant_id, service, minute, requests, batch_id) VALUES"
            + " ('"
            + TENANT
            + "', 'sessions-api', "
            + seconds(NEWEST_API_MINUTE)
            + ", 5, 'b')");
    for (long offset : new long[] {7, 8, 8}) {
      db.execute(
          "INSERT INTO dead_letters (source_topic, partition, offset, reason, message,"
              + " value_base64, detected_at) VALUES ('pulse.api.requests', 0, "
              + offset
              + ", 'UNDECODABLE', 'not Avro', '', now())");
    }
    db.execute(
        "INSERT INTO playback_events_late (event_id, tenant_id, event_time, event_time_ms,"
            + " view_id, video_id, course_id, type) VALUES ('e-1', '"
            + TENANT
            + "', toDateTime(1764000000), 1764000000000, 'v', 'v', 'c', 'HEARTBEAT')");
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (alertmanager != null) {
      alertmanager.close();
    }
    if (receivers != null) {
      receivers.stop(0);
    }
  }

  @Test
  @Order(1)
  void prometheusScrapesEachSlosLatestEvaluationWithBasicAuth() throws Exception {
    URI metrics = URI.create("http://127.0.0.1:" + port + "/actuator/prometheus");
    assertThat(get(metrics, null).statusCode()).isEqualTo(401);
    assertThat(get(metrics, basic("prometheus", "wrong")).statusCode()).isEqualTo(401);

    prometheus =
        LocalPrometheus.start(
            """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: pulse
                metrics_path: /actuator/prometheus
                basic_auth:
                  username: prometheus
                  password: %s
                static_configs:
                  - targets: ['127.0.0.1:%d']
            """
                .formatted(SCRAPE_PASSWORD, port));
    String labels = "{tenant=\"" + TENANT + "\",slo=\"" + SLO + "\"}";
    assertThat(promValue("pulse_slo_error_budget_remaining" + labels))
        .isCloseTo(0.75, within(1e-12));
    assertThat(promValue("pulse_slo_objective" + labels)).isCloseTo(0.999, within(1e-12));
    assertThat(
            promValue(
                "pulse_slo_burn_rate{tenant=\"" + TENANT + "\",slo=\"" + SLO + "\",window=\"1h\"}"))
        .isCloseTo(16.5, within(1e-12));
    assertThat(
            promValue(
                "pulse_slo_burn_rate{tenant=\"" + TENANT + "\",slo=\"" + SLO + "\",window=\"3d\"}"))
        .isCloseTo(0.229, within(1e-12));
    assertThat(
            promValue(
                "pulse_slo_alert_firing{tenant=\""
                    + TENANT
                    + "\",slo=\""
                    + SLO
                    + "\",row=\"page-fast\",severity=\"page\",service=\"sessions-api\"}"))
        .isEqualTo(1);
    assertThat(promValue("pulse_dead_letters{topic=\"pulse.api.requests\"}")).isEqualTo(2);
    assertThat(promValue("pulse_late_events{domain=\"playback\"}")).isEqualTo(1);
    assertThat(promValue("pulse_late_events{domain=\"api\"}")).isEqualTo(0);
    // Scraped within the last few seconds: the minute's end is 180-200 s behind the clock.
    double lag = promValue("pulse_ingest_lag_seconds{domain=\"api\"}");
    double expectedLag =
        (System.currentTimeMillis() - NEWEST_API_MINUTE.plus(Duration.ofMinutes(1)).toEpochMilli())
            / 1000.0;
    assertThat(lag).isBetween(expectedLag - 20, expectedLag + 1);
    JsonNode targets = JSON.readTree(get(prometheus.url().resolve("/api/v1/targets"), null).body());
    assertThat(targets.at("/data/activeTargets/0/health").asText()).isEqualTo("up");
  }

  @Test
  @Order(2)
  void alertmanagerGetsThePageWithItsLabelsAndNotifiesItsReceiver() throws Exception {
    JsonNode alert = awaitAlert(true);
    JsonNode labels = alert.get("labels");
    assertThat(labels.get("alertname").asText()).isEqualTo("PulseSloBurnRate");
    assertThat(labels.get("slo").asText()).isEqualTo(SLO);
    assertThat(labels.get("service").asText()).isEqualTo("sessions-api");
    assertThat(labels.get("severity").asText()).isEqualTo("page");
    assertThat(labels.get("tenant").asText()).isEqualTo(TENANT);
    assertThat(labels.get("row").asText()).isEqualTo("page-fast");
    assertThat(Instant.parse(alert.get("startsAt").asText())).isEqualTo(SINCE);
    assertThat(alert.at("/status/state").asText()).isEqualTo("active");
    JsonNode firing = awaitNotification("firing");
    assertThat(firing.at("/alerts/0/labels/slo").asText()).isEqualTo(SLO);

    // Refused twice with 503, accepted at the third try of the same round: one body, three times.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (flakyBodies.size() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(flakyRefusals.get()).isEqualTo(2);
    assertThat(flakyBodies.subList(0, 3)).containsOnly(flakyBodies.get(0));
    // The Alertmanager that is down: every round's push fails after its retries, and is counted.
    URI metrics = URI.create("http://127.0.0.1:" + port + "/actuator/prometheus");
    deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    double failed = 0;
    while (failed < 1 && System.nanoTime() < deadline) {
      failed =
          scraped(
              get(metrics, basic("prometheus", SCRAPE_PASSWORD)).body(),
              "pulse_alertmanager_pushes_total{outcome=\"failed\"");
      Thread.sleep(200);
    }
    assertThat(failed).isGreaterThanOrEqualTo(1);
  }

  @Test
  @Order(3)
  void aResolvedAlertEndsInAlertmanagerAndItsReceiverHearsOfIt() throws Exception {
    Instant resolvedAt = SINCE.plus(Duration.ofMinutes(5));
    alert("resolved", resolvedAt, SINCE, 8.0, 0);
    awaitAlert(false);
    JsonNode resolved = awaitNotification("resolved");
    assertThat(Instant.parse(resolved.at("/alerts/0/endsAt").asText())).isEqualTo(resolvedAt);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static void alert(
      String state, Instant at, Instant since, double burnLong, double burnShort) {
    db.execute(
        "INSERT INTO slo_alerts (tenant_id, slo, service, alert_row, severity, state, at, since,"
            + " threshold, long_window_minutes, short_window_minutes, burn_long, burn_short,"
            + " objective) VALUES ('"
            + TENANT
            + "', '"
            + SLO
            + "', 'sessions-api', 'page-fast', 'page', '"
            + state
            + "', "
            + seconds(at)
            + ", "
            + seconds(since)
            + ", 14.4, 60, 5, "
            + burnLong
            + ", "
            + burnShort
            + ", 0.999)");
  }

  private static String seconds(Instant t) {
    return "toDateTime(" + t.getEpochSecond() + ")";
  }

  /**
   * Waits until Alertmanager lists the page as active ({@code true}) or no longer ({@code false}).
   */
  private static JsonNode awaitAlert(boolean active) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode alerts =
          JSON.readTree(get(alertmanager.url().resolve("/api/v2/alerts"), null).body());
      JsonNode page = null;
      for (JsonNode a : alerts) {
        if (SLO.equals(a.at("/labels/slo").asText())) {
          page = a;
        }
      }
      if (active && page != null) {
        return page;
      }
      if (!active && page == null) {
        return null;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "Alertmanager did not " + (active ? "list" : "drop") + " the alert: " + alertmanager.log());
  }

  private static JsonNode awaitNotification(String status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode n : notifications) {
        if (status.equals(n.path("status").asText())) {
          return n;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no " + status + " notification: " + notifications);
  }

  /** Polls Prometheus until {@code query} has one sample, and returns it. */
  private static double promValue(String query) throws Exception {
    URI uri =
        prometheus
            .url()
            .resolve("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode result = JSON.readTree(get(uri, null).body()).at("/data/result");
      if (result.size() == 1) {
        return Double.parseDouble(result.get(0).at("/value/1").asText());
      }
      Thread.sleep(250);
    }
    throw new AssertionError("Prometheus has no sample of " + query + ": " + prometheus.log());
  }

  private static double scraped(String text, String prefix) {
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  private static HttpResponse<String> get(URI uri, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The webhook receiver of Alertmanager, and a stand-in Alertmanager that refuses twice. */
  private static void startReceivers() throws IOException {
    receivers = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receivers.createContext(
        "/hook",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            notifications.add(JSON.readTree(in));
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receivers.createContext(
        "/flaky/api/v2/alerts",
        exchange -> {
          String body;
          try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          flakyBodies.add(body);
          boolean refuse = flakyRefusals.get() < 2 && flakyRefusals.incrementAndGet() <= 2;
          exchange.sendResponseHeaders(refuse ? 503 : 200, -1);
          exchange.close();
        });
    receivers.start();
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
