package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.slo.SloSettings;
import dev.pulse.local.LocalAlertmanager;
import dev.pulse.local.LocalDaemon;
import dev.pulse.oracle.SloOracle;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.Incident;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.slo.Slo;
import dev.pulse.slo.SloFiles;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.SloOracleConfigs;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A sessions-api outage paged through the whole product, live: an hour of the simulator's API
 * traffic of three institutions written at once, then its last minutes in real time with the outage
 * starting at the current minute; the demo's stack (every job, unbounded, with the example SLOs;
 * serving-api) evaluates sessions-api-availability and pushes to a real Alertmanager. The page
 * fires within the outage's first two minutes; every alert change the SLO oracle (over the requests
 * sent) makes up to then is in {@code slo_alerts} at exactly its minute, every row firing then is
 * in Alertmanager with its labels and start, and Alertmanager notifies its receiver; the Flink
 * checkpoint age is on {@code /actuator/prometheus}. (Resolution: SloAlertingIT and ApiSloIT; this
 * test would need the 5-30 minutes the short windows take to clear.)
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(420)
class SloEndToEndIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String SLO = "sessions-api-availability";

  @Test
  void anOutageIsPagedAtItsFirstMinuteInClickHouseAndAlertmanager(
      TestKafka kafka, TestClickHouse ch) throws Exception {
    List<JsonNode> notifications = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            notifications.add(JSON.readTree(in));
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    String scrapePassword = "e2e-" + System.nanoTime();
    try (LocalDaemon alertmanager =
        LocalAlertmanager.start(
            """
            route:
              receiver: hook
              group_by: [alertname, tenant, slo, row]
              group_wait: 1s
              group_interval: 1s
            receivers:
              - name: hook
                webhook_configs:
                  - url: http://127.0.0.1:%d/hook
            """
                .formatted(receiver.getAddress().getPort()))) {
      // The outage starts at the current minute (already under way, or about to); an hour of
      // good traffic before it, so the windows are full of minutes.
      Instant outage = Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(60);
      Instant start = outage.minus(Duration.ofMinutes(60));
      Instant end = outage.plus(Duration.ofSeconds(135));
      SimulationConfig sim =
          SimulationConfig.defaults()
              .withSeed(outage.toEpochMilli())
              .withDomains(EnumSet.of(Domain.API))
              .withStart(start)
              .withDuration(Duration.between(start, end))
              .withRates(600, 40)
              .withIncidents(
                  List.of(
                      new Incident(
                          Incident.Kind.OUTAGE,
                          "sessions-api",
                          null,
                          outage,
                          Duration.ofMinutes(5),
                          1.0)))
              .withFaults(FaultConfig.NONE);
      List<SimulatedRecord> records = new ArrayList<>();
      new Simulator(sim).records().forEachRemaining(records::add);

      String topic = kafka.topic("slo-e2e-api", 1);
      DemoIdentity identity =
          DemoIdentity.create(
              Files.createTempDirectory("pulse-slo-e2e-identity-"), Duration.ofHours(1));
      Map<String, String> apiProperties = new HashMap<>(identity.apiProperties());
      apiProperties.put("pulse.slo.alertmanager.urls", alertmanager.url().toString());
      apiProperties.put("pulse.slo.alertmanager.interval", "1s");
      apiProperties.put("pulse.slo.metrics-refresh", "500ms");
      apiProperties.put("pulse.metrics.scrape-password", scrapePassword);
      int flinkPort = freePort();
      apiProperties.put("pulse.metrics.flink-rest-url", "http://127.0.0.1:" + flinkPort);
      String alertTopic = kafka.topic("slo-e2e-alerts", 1);
      try (PulseStack stack =
              EndToEndStack.start(
                  kafka,
                  ch,
                  EndToEndStack.Job.API,
                  topic,
                  Duration.ofSeconds(2),
                  Duration.ofMinutes(5),
                  apiProperties,
                  false,
                  flinkPort,
                  Map.of(
                      SloSettings.EXAMPLES.key(),
                      "true",
                      SloSettings.ALERT_TOPIC.key(),
                      alertTopic));
          KafkaEventWriter writer =
              new KafkaEventWriter(
                  kafka.bootstrapServers(),
                  new Properties(),
                  name -> name.equals(Topics.API_REQUESTS.name()) ? topic : name)) {
        // The past at once, the rest as its time comes (as the demo's feeder).
        for (SimulatedRecord r : records) {
          long wait = r.eventTime().toEpochMilli() - System.currentTimeMillis();
          if (wait > 0) {
            writer.flush();
            Thread.sleep(wait);
          }
          writer.send(r);
        }
        writer.flush();
        assertThat(writer.failedSends()).isZero();

        // The oracle's changes up to the end of the outage's second minute, per tenant.
        Slo slo =
            SloFiles.examples().catalog().slos().stream()
                .filter(s -> s.name().equals(SLO))
                .findFirst()
                .orElseThrow();
        long firstMinuteEnd = outage.plusSeconds(60).toEpochMilli();
        long evaluatedTo = outage.plusSeconds(120).toEpochMilli();
        Map<String, List<SloOracle.Event>> byTenant = new TreeMap<>();
        for (SimulatedRecord r : records) {
          if (r.kind() == SimulatedRecord.Kind.ORIGINAL
              && r.event() instanceof ApiRequestEvent e
              && e.getService().equals("sessions-api")) {
            byTenant
                .computeIfAbsent(e.getTenantId(), t -> new ArrayList<>())
                .add(new SloOracle.Event(e.getEventTime().toEpochMilli(), e.getStatusCode() < 500));
          }
        }
        // Every change up to that minute (a young SLO may already have fired on a stray 5xx), and
        // the rows firing after it, with when each started.
        Set<String> expectedChanges = new TreeSet<>();
        Set<String> expectedFiring = new TreeSet<>();
        for (Map.Entry<String, List<SloOracle.Event>> t : byTenant.entrySet()) {
          SloOracle.Result result =
              SloOracle.evaluate(SloOracleConfigs.of(slo), t.getValue(), evaluatedTo - 1);
          Map<String, Long> since = new TreeMap<>();
          for (SloOracle.Change c : result.changes()) {
            expectedChanges.add(change(t.getKey(), c.row(), c.firing(), c.atMs()));
            if (c.firing()) {
              since.put(c.row(), c.atMs());
            } else {
              since.remove(c.row());
            }
          }
          since.forEach((row, at) -> expectedFiring.add(t.getKey() + " " + row + " since " + at));
          // The outage pages within two minutes: at the end of the first, unless that minute holds
          // under 1.44 % of the hour's requests (Poisson traffic), then of the second.
          assertThat(expectedChanges)
              .containsAnyOf(
                  change(t.getKey(), "page-fast", true, firstMinuteEnd),
                  change(t.getKey(), "page-fast", true, evaluatedTo));
        }
        assertThat(byTenant).hasSize(3);

        // In ClickHouse: every change, at its minute.
        ClickHouse db = ch.migratedDatabase();
        Set<String> stored = new TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!stored.containsAll(expectedChanges) && System.nanoTime() < deadline) {
          stored.clear();
          for (JsonNode row :
              db.query(
                  "SELECT tenant_id, alert_row, state, toUnixTimestamp(at) AS at FROM slo_alerts"
                      + " FINAL WHERE slo = '"
                      + SLO
                      + "' AND at <= toDateTime("
                      + evaluatedTo / 1000
                      + ")")) {
            stored.add(
                change(
                    row.get("tenant_id").asText(),
                    row.get("alert_row").asText(),
                    row.get("state").asText().equals("firing"),
                    row.get("at").asLong() * 1000));
          }
          Thread.sleep(500);
        }
        assertThat(stored).isEqualTo(expectedChanges);

        // In Alertmanager: the rows firing, each with its labels and start.
        Set<String> received = new TreeSet<>();
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!received.containsAll(expectedFiring) && System.nanoTime() < deadline) {
          received.clear();
          for (JsonNode a : get(alertmanager.url().resolve("/api/v2/alerts"), null)) {
            JsonNode l = a.get("labels");
            if (SLO.equals(l.path("slo").asText())) {
              assertThat(l.get("service").asText()).isEqualTo("sessions-api");
              assertThat(l.get("severity").asText())
                  .isEqualTo(l.get("row").asText().startsWith("page") ? "page" : "ticket");
              received.add(
                  l.get("tenant").asText()
                      + " "
                      + l.get("row").asText()
                      + " since "
                      + Instant.parse(a.get("startsAt").asText()).toEpochMilli());
            }
          }
          Thread.sleep(500);
        }
        assertThat(received).isEqualTo(expectedFiring);
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (notifications.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(notifications).isNotEmpty();
        assertThat(notifications.get(0).path("status").asText()).isEqualTo("firing");

        // Pulse's health on /actuator/prometheus: the running job's last checkpoint is recent.
        String metrics =
            text(
                URI.create("http://127.0.0.1:" + stack.apiPort() + "/actuator/prometheus"),
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(
                            ("prometheus:" + scrapePassword).getBytes(StandardCharsets.UTF_8)));
        double age = -1;
        for (String line : metrics.split("\n")) {
          if (line.startsWith("pulse_flink_checkpoint_age_seconds{")) {
            age = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
        assertThat(age).as(metrics).isBetween(0.0, 30.0);
      }
    } finally {
      receiver.stop(0);
    }
  }

  private static String change(String tenant, String row, boolean firing, long atMs) {
    return tenant + " " + row + " " + (firing ? "firing" : "resolved") + " at " + atMs;
  }

  private static JsonNode get(URI uri, String authorization) throws Exception {
    return JSON.readTree(text(uri, authorization));
  }

  private static String text(URI uri, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
