package dev.pulse.api.slo;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.support.BackgroundTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Every tenant's SLOs as Prometheus metrics ({@code /actuator/prometheus}, docs/slo.md, "Prometheus
 * metrics"), from each SLO's latest evaluation and each alert row's latest state, read from
 * ClickHouse in the background every {@code pulse.slo.metrics-refresh}: a scrape never queries the
 * store. Labels {@code tenant}, {@code slo}, {@code service}; SLOs not evaluated for a day drop
 * out.
 */
@Component
public class SloMetrics implements DisposableBean {

  private static final Logger LOG = LoggerFactory.getLogger(SloMetrics.class);

  /** SLOs evaluated longer ago than this are no longer published. */
  static final Duration PUBLISHED_FOR = Duration.ofDays(1);

  private final SloStatusRepository repository;
  private final Clock clock;
  private final MultiGauge objective;
  private final MultiGauge remaining;
  private final MultiGauge burnRate;
  private final MultiGauge evaluated;
  private final MultiGauge firing;
  private final ScheduledExecutorService timer = BackgroundTimer.of("pulse-slo-metrics", 1);
  private volatile boolean failing;

  @Autowired
  public SloMetrics(
      SloStatusRepository repository, MeterRegistry registry, PulseApiProperties properties) {
    this(repository, registry, properties.slo().metricsRefresh(), Clock.systemUTC());
  }

  SloMetrics(
      SloStatusRepository repository, MeterRegistry registry, Duration refresh, Clock clock) {
    this.repository = repository;
    this.clock = clock;
    objective =
        MultiGauge.builder("pulse.slo.objective")
            .description("The SLO's objective: the share of eligible events that must be good")
            .register(registry);
    remaining =
        MultiGauge.builder("pulse.slo.error.budget.remaining")
            .description(
                "Error budget left over the SLO window: 1 - bad / ((1 - objective) x eligible)")
            .register(registry);
    burnRate =
        MultiGauge.builder("pulse.slo.burn.rate")
            .description("Bad fraction over the window / (1 - objective), windows 5m..3d")
            .register(registry);
    evaluated =
        MultiGauge.builder("pulse.slo.evaluated.timestamp")
            .description("End of the SLO's latest evaluated minute, Unix seconds")
            .baseUnit("seconds")
            .register(registry);
    firing =
        MultiGauge.builder("pulse.slo.alert.firing")
            .description("1 while the alert row fires (workbook multiwindow, multi-burn-rate)")
            .register(registry);
    timer.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reads the latest evaluations and alert states and replaces the published rows. */
  void refresh() {
    try {
      Instant now = clock.instant();
      List<MultiGauge.Row<?>> objectives = new ArrayList<>();
      List<MultiGauge.Row<?>> budgets = new ArrayList<>();
      List<MultiGauge.Row<?>> burns = new ArrayList<>();
      List<MultiGauge.Row<?>> evaluations = new ArrayList<>();
      for (SloStatusRepository.Latest s : repository.latest(PUBLISHED_FOR, now)) {
        Tags tags = Tags.of("tenant", s.tenant(), "slo", s.slo(), "service", s.service());
        objectives.add(MultiGauge.Row.of(tags, s.objective()));
        budgets.add(MultiGauge.Row.of(tags, s.remaining()));
        evaluations.add(MultiGauge.Row.of(tags, s.minute().getEpochSecond() + 60));
        for (int i = 0; i < SloStatusRepository.WINDOWS.size(); i++) {
          burns.add(
              MultiGauge.Row.of(
                  tags.and("window", SloStatusRepository.WINDOWS.get(i)), s.burnRates()[i]));
        }
      }
      List<MultiGauge.Row<?>> alerts = new ArrayList<>();
      for (SloStatusRepository.AlertState a : repository.alerts(PUBLISHED_FOR, now)) {
        Tags tags =
            Tags.of(
                "tenant", a.tenant(),
                "slo", a.slo(),
                "service", a.service(),
                "row", a.row(),
                "severity", a.severity());
        alerts.add(MultiGauge.Row.of(tags, a.firing() ? 1 : 0));
      }
      objective.register(objectives, true);
      remaining.register(budgets, true);
      burnRate.register(burns, true);
      evaluated.register(evaluations, true);
      firing.register(alerts, true);
      if (failing) {
        LOG.info("SLO metrics read again: {} SLO rows", objectives.size());
        failing = false;
      }
    } catch (RuntimeException e) {
      // The last published values stay; the evaluation-timestamp gauge shows how old they are.
      if (!failing) {
        LOG.warn("SLO metrics could not be read from ClickHouse: {}", e.toString());
        failing = true;
      }
    }
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
