package dev.pulse.api.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.support.BackgroundTimer;
import dev.pulse.clickhouse.ClickHouse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Pulse's own health as Prometheus metrics (README, "Watching Pulse"), read in the background every
 * {@code pulse.slo.metrics-refresh}: how far each domain's newest minute of facts trails the clock
 * (ingest lag), dead letters per topic, late events per domain, and, when {@code
 * pulse.metrics.flink-rest-url} names the Flink cluster, the age of each running job's latest
 * completed checkpoint.
 */
@Component
public class PipelineMetrics implements DisposableBean {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineMetrics.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Each domain's minute facts (its freshness) and late-event table. */
  static final Map<String, String[]> DOMAINS = domains();

  private final ClickHouse clickHouse;
  private final Clock clock;
  private final RestClient flink;
  private final MultiGauge ingestLag;
  private final MultiGauge deadLetters;
  private final MultiGauge lateEvents;
  private final MultiGauge checkpointAge;
  private final ScheduledExecutorService timer = BackgroundTimer.of("pulse-pipeline-metrics", 1);
  private final Map<String, String> failing = new LinkedHashMap<>();

  @Autowired
  public PipelineMetrics(
      ClickHouse clickHouse, MeterRegistry registry, PulseApiProperties properties) {
    this(
        clickHouse,
        registry,
        properties.slo().metricsRefresh(),
        properties.metrics().flinkRestUrl(),
        Clock.systemUTC());
  }

  PipelineMetrics(
      ClickHouse clickHouse,
      MeterRegistry registry,
      Duration refresh,
      URI flinkRestUrl,
      Clock clock) {
    this.clickHouse = clickHouse;
    this.clock = clock;
    this.flink = flinkRestUrl == null ? null : RestClient.builder().baseUrl(flinkRestUrl).build();
    ingestLag =
        MultiGauge.builder("pulse.ingest.lag")
            .description(
                "How far the domain's newest minute of facts trails the clock (end of that minute)")
            .baseUnit("seconds")
            .register(registry);
    deadLetters =
        MultiGauge.builder("pulse.dead.letters")
            .description("Records refused by the jobs, per source topic (table dead_letters)")
            .register(registry);
    lateEvents =
        MultiGauge.builder("pulse.late.events")
            .description("Events later than the allowed lateness, per domain (its late table)")
            .register(registry);
    checkpointAge =
        MultiGauge.builder("pulse.flink.checkpoint.age")
            .description("Age of the running Flink job's latest completed checkpoint")
            .baseUnit("seconds")
            .register(registry);
    timer.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  void refresh() {
    double now = clock.millis() / 1000.0;
    List<MultiGauge.Row<?>> lags = new ArrayList<>();
    List<MultiGauge.Row<?>> lates = new ArrayList<>();
    for (Map.Entry<String, String[]> d : DOMAINS.entrySet()) {
      String domain = d.getKey();
      JsonNode newest =
          one(
              "ingest-" + domain,
              "SELECT toUnixTimestamp(max(minute)) AS newest, count() AS n FROM "
                  + d.getValue()[0]);
      if (newest != null && newest.get("n").asLong() > 0) {
        lags.add(
            MultiGauge.Row.of(
                Tags.of("domain", domain), now - (newest.get("newest").asLong() + 60)));
      }
      JsonNode late =
          one("late-" + domain, "SELECT count() AS n FROM " + d.getValue()[1] + " FINAL");
      if (late != null) {
        lates.add(MultiGauge.Row.of(Tags.of("domain", domain), late.get("n").asLong()));
      }
    }
    ingestLag.register(lags, true);
    lateEvents.register(lates, true);
    List<MultiGauge.Row<?>> letters = new ArrayList<>();
    try {
      for (JsonNode r :
          clickHouse.query(
              "SELECT source_topic, count() AS n FROM dead_letters FINAL GROUP BY source_topic",
              queryId())) {
        letters.add(
            MultiGauge.Row.of(
                Tags.of("topic", r.get("source_topic").asText()), r.get("n").asLong()));
      }
      deadLetters.register(letters, true);
      recovered("dead-letters");
    } catch (RuntimeException e) {
      failed("dead-letters", e);
    }
    if (flink != null) {
      refreshCheckpoints(now);
    }
  }

  private void refreshCheckpoints(double now) {
    // By job name: two running jobs of one name (a resubmission while the old one still runs)
    // would be two rows with the same labels, which the Prometheus scrape refuses with a 500.
    // The staler checkpoint is the one to alert on.
    Map<String, Double> byName = new TreeMap<>();
    try {
      JsonNode overview = json(flink.get().uri("/jobs/overview").retrieve().body(String.class));
      for (JsonNode job : overview.path("jobs")) {
        if (!"RUNNING".equals(job.path("state").asText())) {
          continue;
        }
        JsonNode checkpoints =
            json(
                flink
                    .get()
                    .uri("/jobs/{id}/checkpoints", job.path("jid").asText())
                    .retrieve()
                    .body(String.class));
        JsonNode completed = checkpoints.path("latest").path("completed");
        if (completed.has("latest_ack_timestamp")) {
          byName.merge(
              job.path("name").asText(),
              now - completed.get("latest_ack_timestamp").asLong() / 1000.0,
              Math::max);
        }
      }
      List<MultiGauge.Row<?>> ages = new ArrayList<>();
      byName.forEach((name, age) -> ages.add(MultiGauge.Row.of(Tags.of("job", name), age)));
      checkpointAge.register(ages, true);
      recovered("flink");
    } catch (RuntimeException e) {
      failed("flink", e);
    }
  }

  /** Flink's answers read as the rest of Pulse reads JSON (Jackson 2). */
  private static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Flink answered with something that is not JSON: " + e, e);
    }
  }

  private JsonNode one(String what, String sql) {
    try {
      List<JsonNode> rows = clickHouse.query(sql, queryId());
      recovered(what);
      return rows.isEmpty() ? null : rows.get(0);
    } catch (RuntimeException e) {
      failed(what, e);
      return null;
    }
  }

  private void failed(String what, RuntimeException e) {
    if (failing.put(what, e.toString()) == null) {
      LOG.warn("Pipeline metric {} could not be read: {}", what, e.toString());
    }
  }

  private void recovered(String what) {
    if (failing.remove(what) != null) {
      LOG.info("Pipeline metric {} read again", what);
    }
  }

  private static String queryId() {
    return "metrics/" + UUID.randomUUID();
  }

  private static Map<String, String[]> domains() {
    Map<String, String[]> d = new LinkedHashMap<>();
    d.put("api", new String[] {"api_request_minutes", "api_requests_late"});
    d.put("classroom", new String[] {"classroom_session_minutes", "classroom_events_late"});
    d.put("playback", new String[] {"playback_minutes", "playback_events_late"});
    return d;
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
