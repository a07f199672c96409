package dev.pulse.api.qoe;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.live.LiveMinutes;
import dev.pulse.api.qoe.Qoe.Point;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * Live QoE minutes ({@code qoeMinutes}): {@link LiveMinutes} over {@code playback_minutes}, one
 * shared poller per {@link QoeSelection}, polling every {@code pulse.live.poll-interval}. A minute
 * is sent again as the views ending in it close and once its concurrent viewers are final.
 */
@Component
public class LiveQoe implements LiveMinutes.Store<QoeSelection, Point> {

  private final QoeRepository repository;
  private final LiveMinutes<QoeSelection, Point> live;

  public LiveQoe(QoeRepository repository, PulseApiProperties properties) {
    this.repository = repository;
    this.live = new LiveMinutes<>(this, Point::time, properties.live().pollInterval());
  }

  Flux<Point> updates(QoeSelection selection) {
    return live.updates(selection);
  }

  @Override
  public Tenant tenant(QoeSelection selection) {
    return selection.tenant();
  }

  @Override
  public List<Point> latestMinutes(QoeSelection selection, Duration before, Operation operation) {
    return repository.latestMinutes(selection, before, operation);
  }

  @Override
  public List<Point> minutesSince(
      QoeSelection selection, Instant since, int limit, Operation operation) {
    return repository.minutesSince(selection, since, limit, operation);
  }
}
