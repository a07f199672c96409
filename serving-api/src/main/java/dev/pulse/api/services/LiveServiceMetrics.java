package dev.pulse.api.services;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.live.LiveMinutes;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * Live minute points of service metrics ({@code serviceMetricsUpdates}): {@link LiveMinutes} over
 * {@code api_request_minutes}, one shared poller per {@link MetricsFilter}, polling every {@code
 * pulse.live.poll-interval}.
 */
@Component
public class LiveServiceMetrics implements LiveMinutes.Store<MetricsFilter, ServiceMetricsPoint> {

  private final ServiceMetricsRepository repository;
  private final LiveMinutes<MetricsFilter, ServiceMetricsPoint> live;

  public LiveServiceMetrics(ServiceMetricsRepository repository, PulseApiProperties properties) {
    this.repository = repository;
    this.live =
        new LiveMinutes<>(this, ServiceMetricsPoint::time, properties.live().pollInterval());
  }

  public Flux<ServiceMetricsPoint> updates(MetricsFilter filter) {
    return live.updates(filter);
  }

  /** How many filters are being polled (for tests). */
  int pollers() {
    return live.pollers();
  }

  @Override
  public Tenant tenant(MetricsFilter filter) {
    return filter.tenant();
  }

  @Override
  public List<ServiceMetricsPoint> latestMinutes(
      MetricsFilter filter, Duration before, Operation operation) {
    return repository.latestMinutes(filter, before, operation);
  }

  @Override
  public List<ServiceMetricsPoint> minutesSince(
      MetricsFilter filter, Instant since, int limit, Operation operation) {
    return repository.minutesSince(filter, since, limit, operation);
  }
}
