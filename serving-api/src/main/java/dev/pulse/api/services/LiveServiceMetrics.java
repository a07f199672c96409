package dev.pulse.api.services;

import dev.pulse.api.config.PulseApiProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Live minute points for a subscription: polls ClickHouse every {@code pulse.live.poll-interval}
 * and emits each minute when it first appears and again whenever a late delta changes it. It starts
 * with the latest minute already stored, then follows from there. One poll per subscription and
 * interval reads only the minutes from the last one seen (the primary key keeps it cheap).
 */
@Component
public class LiveServiceMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(LiveServiceMetrics.class);

  /**
   * Most minutes one poll returns: a subscriber that fell far behind catches up over a few polls.
   */
  private static final int MAX_MINUTES_PER_POLL = 60;

  private final ServiceMetricsRepository repository;
  private final Duration pollInterval;

  public LiveServiceMetrics(ServiceMetricsRepository repository, PulseApiProperties properties) {
    this.repository = repository;
    this.pollInterval = properties.live().pollInterval();
  }

  public Flux<ServiceMetricsPoint> updates(MetricsFilter filter) {
    Cursor cursor = new Cursor();
    return Flux.interval(Duration.ZERO, pollInterval)
        .onBackpressureDrop()
        .concatMap(
            tick ->
                Mono.fromCallable(() -> cursor.next(poll(filter, cursor.since.get())))
                    .subscribeOn(Schedulers.boundedElastic())
                    // A failed poll (ClickHouse restarting) is retried at the next tick instead of
                    // ending the subscription.
                    .onErrorResume(
                        e -> {
                          LOG.warn(
                              "live poll for {} failed; retrying in {}", filter, pollInterval, e);
                          return Mono.just(List.of());
                        }),
            1)
        .concatMapIterable(points -> points);
  }

  private List<ServiceMetricsPoint> poll(MetricsFilter filter, Instant since) {
    return since == null
        ? repository.latestMinute(filter)
        : repository.minutesSince(filter, since, MAX_MINUTES_PER_POLL);
  }

  /**
   * What a subscription has sent: the newest minute seen and the last value sent for each recent
   * minute.
   */
  private static final class Cursor {
    final AtomicReference<Instant> since = new AtomicReference<>();
    final Map<Instant, ServiceMetricsPoint> sent = new HashMap<>();

    synchronized List<ServiceMetricsPoint> next(List<ServiceMetricsPoint> polled) {
      List<ServiceMetricsPoint> changed =
          polled.stream().filter(p -> !p.equals(sent.get(p.time()))).toList();
      for (ServiceMetricsPoint p : polled) {
        sent.put(p.time(), p);
        if (since.get() == null || p.time().isAfter(since.get())) {
          since.set(p.time());
        }
      }
      // Only minutes from `since` on are polled again, so older entries can go.
      sent.keySet().removeIf(t -> t.isBefore(since.get()));
      return changed;
    }
  }
}
