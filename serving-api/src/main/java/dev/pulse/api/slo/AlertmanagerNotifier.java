package dev.pulse.api.slo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.support.BackgroundTimer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Pushes the SLO alerts to Alertmanager's API ({@code POST /api/v2/alerts}) as Prometheus does
 * (docs/slo.md, "Alertmanager"): every {@code interval}, each alert row that fires, with {@code
 * startsAt} when it started and {@code endsAt} four intervals ahead (so Alertmanager resolves it by
 * itself if Pulse stops sending), and each row resolved in the last {@code resolved-for} with its
 * {@code endsAt} at the resolution. Labels: {@code alertname} PulseSloBurnRate, {@code slo}, {@code
 * service}, {@code severity}, {@code tenant}, {@code row}. A failed push is retried with backoff,
 * then again at the next interval; Alertmanager deduplicates what it has seen.
 */
@Component
public class AlertmanagerNotifier implements DisposableBean {

  private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerNotifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Prometheus's own rule: an alert it stops sending ends after four resend intervals. */
  static final int ENDS_AFTER_INTERVALS = 4;

  private final SloStatusRepository repository;
  private final List<URI> alertmanagers;
  private final Duration interval;
  private final Duration resolvedFor;
  private final String dashboardUrl;
  private final Clock clock;
  private final RestClient http;
  private final RetryTemplate retry;
  private final Counter sent;
  private final Counter failed;
  private volatile boolean unreadable;
  private final ScheduledExecutorService timer;

  @Autowired
  public AlertmanagerNotifier(
      SloStatusRepository repository, PulseApiProperties properties, MeterRegistry registry) {
    this(repository, properties.slo().alertmanager(), registry, Clock.systemUTC());
  }

  AlertmanagerNotifier(
      SloStatusRepository repository,
      PulseApiProperties.Slo.Alertmanager settings,
      MeterRegistry registry,
      Clock clock) {
    this.repository = repository;
    this.alertmanagers = settings.urls();
    this.interval = settings.interval();
    this.resolvedFor = settings.resolvedFor();
    this.dashboardUrl = settings.dashboardUrl();
    this.clock = clock;
    HttpClient client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(client);
    factory.setReadTimeout(settings.timeout());
    this.http = RestClient.builder().requestFactory(factory).build();
    this.retry =
        new RetryTemplate(
            RetryPolicy.builder()
                .maxRetries(settings.retries())
                .delay(Duration.ofMillis(500))
                .multiplier(2)
                .maxDelay(interval)
                .build());
    this.sent = registry.counter("pulse.alertmanager.pushes", "outcome", "sent");
    this.failed = registry.counter("pulse.alertmanager.pushes", "outcome", "failed");
    this.timer = BackgroundTimer.of("pulse-alertmanager", Math.max(1, alertmanagers.size()));
    if (alertmanagers.isEmpty()) {
      LOG.info("No Alertmanager configured (pulse.slo.alertmanager.urls): SLO alerts not pushed");
    }
    for (URI alertmanager : alertmanagers) {
      timer.scheduleWithFixedDelay(
          () -> push(alertmanager), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (!alertmanagers.isEmpty()) {
      LOG.info("Pushing SLO alerts every {} to Alertmanager {}", interval, alertmanagers);
    }
  }

  /**
   * One round for one Alertmanager: the current alerts, retried with backoff. Each Alertmanager has
   * its own rounds, so one that is down or slow never delays the others' alerts (nor lets their
   * alerts time out there).
   */
  void push(URI alertmanager) {
    String body;
    int count;
    try {
      Instant now = clock.instant();
      List<SloStatusRepository.AlertState> alerts = repository.alerts(resolvedFor, now);
      count = alerts.size();
      body = body(alerts, now);
      if (unreadable) {
        LOG.info("SLO alerts read again from ClickHouse");
        unreadable = false;
      }
    } catch (RuntimeException e) {
      if (!unreadable) {
        LOG.warn("SLO alerts could not be read from ClickHouse: {}", e.toString());
        unreadable = true;
      }
      return;
    }
    if (count == 0) {
      return;
    }
    // Relative to the configured address, so an Alertmanager under a path prefix works too.
    String base = alertmanager.toString();
    URI target = URI.create(base.endsWith("/") ? base : base + "/").resolve("api/v2/alerts");
    try {
      retry.execute(
          () ->
              http.post()
                  .uri(target)
                  .contentType(MediaType.APPLICATION_JSON)
                  .body(body)
                  .retrieve()
                  .toBodilessEntity());
      sent.increment();
    } catch (RetryException e) {
      failed.increment();
      LOG.warn(
          "Alertmanager {} refused or did not answer {} alert(s) after retries: {}; sent again"
              + " in {}",
          target,
          count,
          e.getCause() == null ? e.toString() : e.getCause().toString(),
          interval);
    }
  }

  /** The alerts as Alertmanager's API takes them (a JSON array of postable alerts). */
  String body(List<SloStatusRepository.AlertState> alerts, Instant now) {
    ArrayNode array = JSON.createArrayNode();
    Instant endsAt = now.plus(interval.multipliedBy(ENDS_AFTER_INTERVALS));
    for (SloStatusRepository.AlertState a : alerts) {
      ObjectNode alert = array.addObject();
      alert
          .putObject("labels")
          .put("alertname", "PulseSloBurnRate")
          .put("slo", a.slo())
          .put("service", a.service())
          .put("severity", a.severity())
          .put("tenant", a.tenant())
          .put("row", a.row());
      alert
          .putObject("annotations")
          .put(
              "summary",
              "%s of %s burns its error budget %.1fx (over %d min) and %.1fx (over %d min)"
                  .formatted(
                      a.slo(),
                      a.tenant(),
                      a.burnLong(),
                      a.longWindowMinutes(),
                      a.burnShort(),
                      a.shortWindowMinutes()))
          .put(
              "description",
              String.format(
                  Locale.ROOT,
                  "Alert row %s (%s): both burn rates above %s since %s",
                  a.row(),
                  a.severity(),
                  a.threshold(),
                  a.since()));
      alert.put("startsAt", a.since().toString());
      // A resolution is never in the future (a bounded replay evaluates past the clock): an
      // endsAt ahead of now would keep the alert active in Alertmanager until then.
      Instant resolved = a.at().isAfter(now) ? now : a.at();
      alert.put("endsAt", (a.firing() ? endsAt : resolved).toString());
      if (dashboardUrl != null && !dashboardUrl.isBlank()) {
        alert.put(
            "generatorURL",
            URI.create(dashboardUrl).resolve("/sre/slo.html?slo=" + a.slo()).toString());
      }
    }
    return array.toString();
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
