package dev.pulse.api.services;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.security.Caller;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Role;
import dev.pulse.api.series.SeriesPlanner;
import dev.pulse.api.series.SeriesWindow;
import dev.pulse.api.support.StringArguments;
import java.util.List;
import java.util.Set;
import org.springframework.graphql.data.method.annotation.Arguments;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/**
 * GraphQL entry points for service metrics, for SREs, analysts and operators; each is scoped to the
 * caller's tenant (from the token, never an argument) and delegates at once. Arguments arrive as
 * records whose constructors have already refused bad strings. A series' late-event fields carry
 * the series' own filter (tenant included) and window, and are read only when a query selects them.
 */
@Controller
public class ServiceMetricsController {

  /** Who reads service metrics: the tenant's SREs, analysts and operators; not educators. */
  static final Set<Role> READERS = Set.of(Role.SRE, Role.ANALYST, Role.OPERATOR);

  private final ServiceMetricsRepository repository;
  private final SeriesPlanner planner;
  private final LiveServiceMetrics live;

  public ServiceMetricsController(
      ServiceMetricsRepository repository,
      SeriesPlanner planner,
      LiveServiceMetrics live,
      PulseApiProperties properties) {
    this.repository = repository;
    this.planner = planner;
    this.live = live;
    StringArguments.limitLength(properties.limits().maxArgumentLength());
  }

  @QueryMapping
  public List<Service> services(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation) {
    caller.require("service metrics", READERS);
    return repository.services(caller.tenant(), operation);
  }

  @QueryMapping
  public ServiceMetricsSeries serviceMetrics(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Arguments SeriesQuery query) {
    caller.require("service metrics", READERS);
    SeriesWindow window = planner.plan(query.from(), query.to(), query.granularity());
    MetricsFilter filter = query.filter(caller.tenant());
    return new ServiceMetricsSeries(filter, window, repository.series(filter, window, operation));
  }

  @SchemaMapping(typeName = "ServiceMetricsSeries")
  public long lateEvents(
      ServiceMetricsSeries series,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation) {
    return repository.lateEvents(series.filter(), series.window(), operation);
  }

  @SchemaMapping(typeName = "ServiceMetricsSeries")
  public List<LateEventsBucket> lateEventsByBucket(
      ServiceMetricsSeries series,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation) {
    return repository.lateEventsByBucket(series.filter(), series.window(), operation);
  }

  @SubscriptionMapping
  public Flux<ServiceMetricsPoint> serviceMetricsUpdates(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller, @Arguments UpdatesQuery query) {
    caller.require("service metrics", READERS);
    return live.updates(query.filter(caller.tenant()));
  }
}
