package dev.pulse.api.live;

import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Live minute points of additive minute facts for subscriptions: polls the store every interval and
 * emits each minute when it first appears and again whenever its stored numbers change. It starts
 * with the latest minute already stored, then follows from there; a key with nothing stored is
 * followed from the current minute (the latest-minute search runs once per poller, not at every
 * tick).
 *
 * <p>Each poll re-reads the {@link #REREAD_WINDOW} of minutes before the newest one sent, not only
 * the minutes from it, and compares each with what it last sent for that minute: rows of a minute
 * can become visible after a newer minute did (parallel committers each commit on their own, a
 * catch-up commits many minutes at once, a late delta arrives up to the allowed lateness after the
 * minute closed, a view ending adds to the minute it ends in), and a cursor at the newest minute
 * would never send them. The facts' primary key (tenant, minute, ...) keeps the re-read cheap.
 *
 * <p>Subscriptions with equal keys (the tenant is part of every key, so tenants never share) share
 * one poller: one query per key and interval however many subscribe. A subscriber that joins a
 * running poller first gets the last point it sent, then the same points as the others. The poller
 * stops and is forgotten when its last subscriber leaves.
 *
 * @param <K> what a subscription follows (a filter, tenant included)
 * @param <P> one minute's point; equal points are not sent again
 */
public final class LiveMinutes<K, P> {

  private static final Logger LOG = LoggerFactory.getLogger(LiveMinutes.class);

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
  public static final Duration REREAD_WINDOW = Duration.ofMinutes(60);

  /** Where a key's minutes are read. */
  public interface Store<K, P> {

    /** Whose data the key reads: the tenant its polls are named and audited for. */
    Tenant tenant(K key);

    /**
     * The latest minute stored for the key and the minutes up to {@code before} earlier, oldest
     * first (empty when nothing is stored).
     */
    List<P> latestMinutes(K key, Duration before, Operation operation);

    /** The key's minutes from {@code since} (inclusive) on, oldest first, at most {@code limit}. */
    List<P> minutesSince(K key, Instant since, int limit, Operation operation);
  }

  private final Store<K, P> store;
  private final Function<P, Instant> minuteOf;
  private final Duration pollInterval;
  private final SharedStreams<K, P> pollers = new SharedStreams<>(this::polling);

  /**
   * @param minuteOf the start of a point's minute
   */
  public LiveMinutes(Store<K, P> store, Function<P, Instant> minuteOf, Duration pollInterval) {
    this.store = store;
    this.minuteOf = minuteOf;
    this.pollInterval = pollInterval;
  }

  public Flux<P> updates(K key) {
    return pollers.get(key);
  }

  /** How many keys are being polled. */
  public int pollers() {
    return pollers.size();
  }

  /** One poller's points: its own cursor, one poll per interval. */
  private Flux<P> polling(K key) {
    Cursor cursor = new Cursor();
    Operation poller = Operation.livePoller(store.tenant(key));
    return Flux.interval(Duration.ZERO, pollInterval)
        .onBackpressureDrop()
        .concatMap(
            tick ->
                Mono.fromCallable(() -> cursor.next(poll(key, cursor.rereadFrom(), poller)))
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

  private List<P> poll(K key, Instant rereadFrom, Operation poller) {
    // The re-read minutes come first (ascending), so the limit always leaves room for new ones.
    return rereadFrom == null
        ? store.latestMinutes(key, REREAD_WINDOW, poller)
        : store.minutesSince(
            key, rereadFrom, (int) REREAD_WINDOW.toMinutes() + 1 + MAX_MINUTES_PER_POLL, poller);
  }

  /**
   * What a poller has sent: the newest minute, and the last value sent (or, at the start, seen) for
   * each minute of the re-read window before it.
   */
  private final class Cursor {
    private Instant newest;
    private final Map<Instant, P> sent = new HashMap<>();
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
    synchronized List<P> next(List<P> polled) {
      failures = 0;
      if (newest == null && polled.isEmpty()) {
        // Nothing stored for the key yet: follow from the re-read window before now instead of
        // asking for the latest minute of all history again at every tick.
        newest = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        return List.of();
      }
      List<P> changed =
          newest == null
              ? polled.subList(Math.max(0, polled.size() - 1), polled.size())
              : polled.stream().filter(p -> !p.equals(sent.get(minuteOf.apply(p)))).toList();
      for (P p : polled) {
        Instant minute = minuteOf.apply(p);
        sent.put(minute, p);
        if (newest == null || minute.isAfter(newest)) {
          newest = minute;
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
