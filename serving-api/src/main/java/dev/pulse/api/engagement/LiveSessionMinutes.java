package dev.pulse.api.engagement;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.engagement.Engagement.SessionMinute;
import dev.pulse.api.live.SharedStreams;
import dev.pulse.api.security.CourseScope;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A live session's minutes as they are written: polls every {@code pulse.live.poll-interval},
 * starting with the newest stored minute, then each new one once. Minutes are final when written
 * (never amended), so a poll re-reads only a few minutes before the newest sent, for one that
 * became visible late. Once the session has ended (its row in {@code classroom_sessions}), one more
 * poll an interval later picks up its last minutes (the job commits each table on its own), and
 * then the stream completes. Subscribers of the same session (and tenant and course) share one
 * poller, as service metrics' do; it stops when the last one leaves.
 */
@Component
public class LiveSessionMinutes {

  private static final Logger LOG = LoggerFactory.getLogger(LiveSessionMinutes.class);

  /** How far before the newest minute sent a poll looks again. */
  static final Duration REREAD_WINDOW = Duration.ofMinutes(5);

  private record Key(CourseScope scope, String session) {}

  /** One poll's new minutes, and whether it was the last (the session had ended before it). */
  private record Poll(List<SessionMinute> minutes, boolean last) {}

  private final EngagementRepository repository;
  private final Duration pollInterval;
  private final SharedStreams<Key, SessionMinute> pollers = new SharedStreams<>(this::polling);

  public LiveSessionMinutes(EngagementRepository repository, PulseApiProperties properties) {
    this.repository = repository;
    this.pollInterval = properties.live().pollInterval();
  }

  Flux<SessionMinute> minutes(CourseScope scope, String session) {
    Key key = new Key(scope, session);
    return pollers.get(key);
  }

  private Flux<SessionMinute> polling(Key key) {
    Set<Instant> sent = new HashSet<>();
    AtomicReference<Instant> newest = new AtomicReference<>();
    int[] failures = {0};
    boolean[] endedBefore = {false};
    Operation poller = Operation.livePoller(new Tenant(key.scope().tenant()));
    return Flux.interval(Duration.ZERO, pollInterval)
        .onBackpressureDrop()
        .concatMap(
            tick ->
                Mono.fromCallable(
                        () -> {
                          boolean ended = repository.ended(key.scope(), key.session(), poller);
                          List<SessionMinute> polled =
                              newest.get() == null
                                  ? repository.latestMinute(key.scope(), key.session(), poller)
                                  : repository.minutesSince(
                                      key.scope(),
                                      key.session(),
                                      newest.get().minus(REREAD_WINDOW),
                                      poller);
                          failures[0] = 0;
                          List<SessionMinute> fresh =
                              polled.stream().filter(m -> sent.add(m.time())).toList();
                          for (SessionMinute m : fresh) {
                            if (newest.get() == null || m.time().isAfter(newest.get())) {
                              newest.set(m.time());
                            }
                          }
                          if (newest.get() == null) {
                            // Nothing stored yet: follow from now, not from all history.
                            newest.set(Instant.now().minus(Duration.ofMinutes(1)));
                          }
                          sent.removeIf(t -> t.isBefore(newest.get().minus(REREAD_WINDOW)));
                          boolean last = endedBefore[0];
                          endedBefore[0] = ended;
                          return new Poll(fresh, last);
                        })
                    .subscribeOn(Schedulers.boundedElastic())
                    .onErrorResume(
                        e -> {
                          if (failures[0]++ % 60 == 0) {
                            LOG.warn(
                                "A live session poll failed; retrying every {}", pollInterval, e);
                          }
                          return Mono.just(new Poll(List.of(), false));
                        }),
            1)
        .takeUntil(Poll::last)
        .concatMapIterable(Poll::minutes);
  }
}
