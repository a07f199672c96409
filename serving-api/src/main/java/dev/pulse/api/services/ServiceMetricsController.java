package dev.pulse.api.services;

import dev.pulse.api.security.Tenant;
import java.time.Instant;
import java.util.List;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/**
 * GraphQL entry points for service metrics; each is scoped to the caller's tenant and delegates at
 * once.
 */
@Controller
public class ServiceMetricsController {

  private final ServiceMetricsRepository repository;
  private final SeriesPlanner planner;
  private final LiveServiceMetrics live;

  public ServiceMetricsController(
      ServiceMetricsRepository repository, SeriesPlanner planner, LiveServiceMetrics live) {
    this.repository = repository;
    this.planner = planner;
    this.live = live;
  }

  @QueryMapping
  public List<Service> services(@ContextValue(name = Tenant.CONTEXT_KEY) Tenant tenant) {
    return repository.services(tenant);
  }

  @QueryMapping
  public ServiceMetricsSeries serviceMetrics(
      @ContextValue(name = Tenant.CONTEXT_KEY) Tenant tenant,
      @Argument String service,
      @Argument String endpoint,
      @Argument String method,
      @Argument String region,
      @Argument Instant from,
      @Argument Instant to,
      @Argument Granularity granularity) {
    MetricsFilter filter = filter(tenant, service, endpoint, method, region);
    SeriesWindow window = planner.plan(from, to, granularity);
    return new ServiceMetricsSeries(
        service,
        endpoint,
        method,
        region,
        window.from(),
        window.to(),
        window.granularity(),
        repository.series(filter, window));
  }

  @SubscriptionMapping
  public Flux<ServiceMetricsPoint> serviceMetricsUpdates(
      @ContextValue(name = Tenant.CONTEXT_KEY) Tenant tenant,
      @Argument String service,
      @Argument String endpoint,
      @Argument String method,
      @Argument String region) {
    return live.updates(filter(tenant, service, endpoint, method, region));
  }

  private MetricsFilter filter(
      Tenant tenant, String service, String endpoint, String method, String region) {
    return new MetricsFilter(
        tenant,
        planner.checkLength("service", service),
        planner.checkLength("endpoint", endpoint),
        planner.checkLength("method", method),
        planner.checkLength("region", region));
  }
}
