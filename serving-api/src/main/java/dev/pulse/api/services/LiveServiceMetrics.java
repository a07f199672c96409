package dev.pulse.api.services;

import dev.pulse.api.config.PulseApiProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
 * with the latest minute already stored, then follows from there; each poll reads only the minutes
 * from the last one seen (the primary key keeps it cheap).
 *
 * <p>Subscriptions with the same {@link MetricsFilter} (tenant included, so tenants never share)
 * share one poller: one query per filter and interval however many subscribe. A subscriber that
 * joins a running poller first gets the last minute it sent (the latest minute, as a new poller
 * would send), then the same points as the others. The poller stops and is forgotten when its last
 * subscriber leaves.
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
  private final ConcurrentMap<MetricsFilter, Flux<ServiceMetricsPoint>> pollers =
      new ConcurrentHashMap<>();

  public LiveServiceMetrics(ServiceMetricsRepository repository, PulseApiProperties properties) {
    this.repository = repository;
    this.pollInterval = properties.live().pollInterval();
  }

  public Flux<ServiceMetricsPoint> updates(MetricsFilter filter) {
    return Flux.defer(() -> pollers.computeIfAbsent(filter, this::sharedPoller));
  }

  /** How many filters are being polled (for tests). */
  int pollers() {
    return pollers.size();
  }

  private Flux<ServiceMetricsPoint> sharedPoller(MetricsFilter filter) {
    AtomicReference<Flux<ServiceMetricsPoint>> self = new AtomicReference<>();
    Flux<ServiceMetricsPoint> shared =
        Flux.defer(() -> polling(filter))
            // The last subscriber left (refCount cancelled the polling): forget this poller, so
            // the next subscriber starts a new one from the latest stored minute. A subscriber
            // arriving in between restarts this one (fresh cursor) and it runs unlisted: correct,
            // and a second poller for the filter at worst.
            .doFinally(signal -> pollers.remove(filter, self.get()))
            .replay(1)
            .refCount();
    self.set(shared);
    return shared;
  }

  /** One poller's points: its own cursor, one poll per interval. */
  private Flux<ServiceMetricsPoint> polling(MetricsFilter filter) {
    Cursor cursor = new Cursor();
    return Flux.interval(Duration.ZERO, pollInterval)
        .onBackpressureDrop()
        .concatMap(
            tick ->
                Mono.fromCallable(() -> cursor.next(poll(filter, cursor.since.get())))
                    .subscribeOn(Schedulers.boundedElastic())
                    // A failed poll (ClickHouse restarting) is retried at the next tick instead of
                    // ending the subscriptions.
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
   * What a poller has sent: the newest minute seen and the last value sent for each recent minute.
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
