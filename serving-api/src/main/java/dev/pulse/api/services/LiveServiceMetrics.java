package dev.pulse.api.services;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.security.Operation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * and emits each minute when it first appears and again whenever its stored numbers change. It
 * starts with the latest minute already stored, then follows from there; a filter with nothing
 * stored is followed from the current minute (the latest-minute search runs once per poller, not at
 * every tick).
 *
 * <p>Each poll re-reads the {@link #REREAD_WINDOW} of minutes before the newest one sent, not only
 * the minutes from it, and compares each with what it last sent for that minute: rows of a minute
 * can become visible after a newer minute did (parallel committers each commit on their own, a
 * catch-up commits many minutes at once, a late delta arrives up to the allowed lateness after the
 * minute closed), and a cursor at the newest minute would never send them. The primary key keeps
 * the re-read cheap: about {@code REREAD_WINDOW} minutes of one filter per poll.
 *
 * <p>Subscriptions with the same {@link MetricsFilter} (tenant included, so tenants never share)
 * share one poller: one query per filter and interval however many subscribe. A subscriber that
 * joins a running poller first gets the last point it sent (the latest minute, as a new poller
 * would send, unless an older minute changed since), then the same points as the others. The poller
 * stops and is forgotten when its last subscriber leaves.
 */
@Component
public class LiveServiceMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(LiveServiceMetrics.class);

  /**
   * Most new minutes one poll returns: a subscriber that fell far behind catches up over a few
   * polls.
   */
  private static final int MAX_MINUTES_PER_POLL = 60;

  /**
   * How far behind the newest minute sent a change is still pushed. Covers a late delta (at most
   * the allowed lateness, 30 s by default, plus a checkpoint after its minute) and a catch-up whose
   * parallel commits land up to an hour of minutes apart; a change older than that is seen by the
   * next series query only.
   */
  static final Duration REREAD_WINDOW = Duration.ofMinutes(60);

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
    Operation poller = Operation.livePoller(filter.tenant());
    return Flux.interval(Duration.ZERO, pollInterval)
        .onBackpressureDrop()
        .concatMap(
            tick ->
                Mono.fromCallable(() -> cursor.next(poll(filter, cursor.rereadFrom(), poller)))
                    .subscribeOn(Schedulers.boundedElastic())
                    // A failed poll (ClickHouse restarting) is retried at the next tick instead of
                    // ending the subscriptions.
                    .onErrorResume(
                        e -> {
                          cursor.failed(e, pollInterval);
                          return Mono.just(List.of());
                        }),
            1)
        .concatMapIterable(points -> points);
  }

  private List<ServiceMetricsPoint> poll(
      MetricsFilter filter, Instant rereadFrom, Operation poller) {
    // The re-read minutes come first (ascending), so the limit always leaves room for new ones.
    return rereadFrom == null
        ? repository.latestMinutes(filter, REREAD_WINDOW, poller)
        : repository.minutesSince(
            filter, rereadFrom, (int) REREAD_WINDOW.toMinutes() + 1 + MAX_MINUTES_PER_POLL, poller);
  }

  /**
   * What a poller has sent: the newest minute, and the last value sent (or, at the start, seen) for
   * each minute of the re-read window before it.
   */
  private static final class Cursor {
    private Instant newest;
    private final Map<Instant, ServiceMetricsPoint> sent = new HashMap<>();
    private int failures;

    /**
     * A poll failed (ClickHouse restarting): logged with its cause the first time, then once per 60
     * failures in a row without it, so a long outage does not flood the log.
     */
    synchronized void failed(Throwable e, Duration interval) {
      failures++;
      if (failures == 1) {
        LOG.warn("A live poll failed; retrying every {}", interval, e);
      } else if (failures % 60 == 0) {
        LOG.warn("Live polls still failing ({} in a row): {}", failures, e.toString());
      }
    }

    /**
     * Where the next poll starts: the re-read window before the newest minute, or null at first.
     */
    synchronized Instant rereadFrom() {
      if (newest == null) {
        return null;
      }
      Instant from = newest.minus(REREAD_WINDOW);
      return from.isBefore(Instant.EPOCH) ? Instant.EPOCH : from;
    }

    /**
     * The polled points to send, oldest first: those new or changed since last sent. The first poll
     * (the latest minute and the window before it) sends only the latest minute: the older ones are
     * what the subscriber's series query already showed, remembered so that a later change to them
     * is sent.
     */
    synchronized List<ServiceMetricsPoint> next(List<ServiceMetricsPoint> polled) {
      failures = 0;
      if (newest == null && polled.isEmpty()) {
        // Nothing stored for the filter yet: follow from the re-read window before now instead of
        // asking for the latest minute of all history again at every tick.
        newest = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        return List.of();
      }
      List<ServiceMetricsPoint> changed =
          newest == null
              ? polled.subList(Math.max(0, polled.size() - 1), polled.size())
              : polled.stream().filter(p -> !p.equals(sent.get(p.time()))).toList();
      for (ServiceMetricsPoint p : polled) {
        sent.put(p.time(), p);
        if (newest == null || p.time().isAfter(newest)) {
          newest = p.time();
        }
      }
      if (newest != null) {
        // Only minutes from the re-read window on are polled again, so older entries can go.
        sent.keySet().removeIf(t -> t.isBefore(rereadFrom()));
      }
      return List.copyOf(changed);
    }
  }
}
