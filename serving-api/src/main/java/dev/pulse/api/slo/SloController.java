package dev.pulse.api.slo;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.live.SharedStreams;
import dev.pulse.api.security.Caller;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Role;
import dev.pulse.api.security.Tenant;
import dev.pulse.api.series.MinuteBuckets;
import dev.pulse.api.slo.SloShapes.AlertChange;
import dev.pulse.api.slo.SloShapes.BudgetBurnDown;
import dev.pulse.api.slo.SloShapes.BurnRateSeries;
import dev.pulse.api.slo.SloShapes.Slo;
import dev.pulse.api.support.InvalidArgumentException;
import dev.pulse.api.support.StringArguments;
import dev.pulse.api.support.TimeRanges;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * GraphQL entry points for SLOs (slo.graphqls): the tenant's SLOs at their latest evaluation, one
 * SLO's budget burn-down, burn rates and alert history, and its evaluations live, for SREs,
 * analysts and operators (the tenant from the token, never an argument). Arguments are checked
 * here, then {@link SloQueries} reads.
 */
@Controller
public class SloController {

  private static final Logger LOG = LoggerFactory.getLogger(SloController.class);

  /** Who reads the tenant's SLOs: as service metrics, not educators. */
  static final Set<Role> READERS = Set.of(Role.SRE, Role.ANALYST, Role.OPERATOR);

  private static final String SLOS = "SLOs";

  /** An SLO's {@code metadata.name} (docs/slo.md, "Documents"). */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  static final int DEFAULT_CHANGES = 100;
  static final int MAX_CHANGES = 1000;

  private record LiveKey(Tenant tenant, String name) {}

  private final SloQueries queries;
  private final Duration maxRange;
  private final int maxPoints;
  private final Duration pollInterval;
  private final SharedStreams<LiveKey, Slo> live = new SharedStreams<>(this::polling);

  public SloController(SloQueries queries, PulseApiProperties properties) {
    this.queries = queries;
    this.maxRange = Duration.ofDays(properties.limits().maxRangeDays());
    this.maxPoints = properties.limits().maxPoints();
    this.pollInterval = properties.live().pollInterval();
  }

  @QueryMapping
  public List<Slo> slos(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation) {
    caller.require(SLOS, READERS);
    return queries.slos(caller.tenant(), operation);
  }

  @QueryMapping
  public Slo slo(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String name) {
    caller.require(SLOS, READERS);
    return queries.slo(caller.tenant(), checkName(name), operation);
  }

  @SchemaMapping(typeName = "SloDetails")
  public BudgetBurnDown budgetBurnDown(
      Slo slo,
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument Instant from,
      @Argument Instant to) {
    MinuteBuckets buckets = buckets(from, to, slo.windowStart(), slo.evaluatedAt());
    return new BudgetBurnDown(
        buckets.from(),
        buckets.to(),
        buckets.minutes(),
        queries.budget(caller.tenant(), slo.name(), buckets, operation));
  }

  @SchemaMapping(typeName = "SloDetails")
  public BurnRateSeries burnRateSeries(
      Slo slo,
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String window,
      @Argument Instant from,
      @Argument Instant to) {
    if (!SloQueries.WINDOWS.contains(window)) {
      throw new InvalidArgumentException(
          "window must be one of " + String.join(", ", SloQueries.WINDOWS));
    }
    MinuteBuckets buckets = buckets(from, to, slo.windowStart(), slo.evaluatedAt());
    return new BurnRateSeries(
        window,
        buckets.from(),
        buckets.to(),
        buckets.minutes(),
        queries.burnRates(caller.tenant(), slo.name(), window, buckets, operation));
  }

  @SchemaMapping(typeName = "SloDetails")
  public List<AlertChange> alertHistory(
      Slo slo,
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument Instant from,
      @Argument Instant to,
      @Argument Integer limit) {
    int rows = limit == null ? DEFAULT_CHANGES : limit;
    if (rows < 1 || rows > MAX_CHANGES) {
      throw new InvalidArgumentException("limit must be within 1 .. " + MAX_CHANGES);
    }
    // By default the changes of the SLO window, the latest evaluation's included.
    Instant[] range = range(from, to, slo.windowStart(), slo.evaluatedAt().plusSeconds(1));
    return queries.history(caller.tenant(), slo.name(), range[0], range[1], rows, operation);
  }

  /**
   * The SLO's status whenever a new evaluation lands or its firing rows change: first the latest
   * (once there is one), then each change. Subscribers of the same tenant and SLO share one poller
   * (every {@code pulse.live.poll-interval}); it stops when the last one leaves.
   */
  @SubscriptionMapping
  public Flux<Slo> sloStatus(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller, @Argument String name) {
    caller.require(SLOS, READERS);
    return live.get(new LiveKey(caller.tenant(), checkName(name)));
  }

  private Flux<Slo> polling(LiveKey key) {
    Operation poller = Operation.livePoller(key.tenant());
    AtomicInteger failures = new AtomicInteger();
    return Flux.interval(Duration.ZERO, pollInterval)
        .onBackpressureDrop()
        .concatMap(
            tick ->
                Mono.fromCallable(() -> queries.slo(key.tenant(), key.name(), poller))
                    .subscribeOn(Schedulers.boundedElastic())
                    .doOnNext(s -> failures.set(0))
                    // A failed poll (ClickHouse restarting) is retried at the next tick.
                    .onErrorResume(
                        e -> {
                          if (failures.getAndIncrement() % 60 == 0) {
                            LOG.warn("A live SLO poll failed; retrying every {}", pollInterval, e);
                          }
                          return Mono.empty();
                        }),
            1)
        .distinctUntilChanged();
  }

  /** The name argument, refused (BAD_REQUEST) unless it can be an SLO's name. */
  static String checkName(String name) {
    StringArguments.check("name", name);
    if (!NAME.matcher(name).matches()) {
      throw new InvalidArgumentException(
          "name must be an SLO's name: 1-63 lowercase letters, digits and '-', starting and"
              + " ending with a letter or digit");
    }
    return name;
  }

  private MinuteBuckets buckets(Instant from, Instant to, Instant defaultFrom, Instant defaultTo) {
    Instant[] range = range(from, to, defaultFrom, defaultTo);
    return MinuteBuckets.over(range[0], range[1], maxPoints);
  }

  /** [from, to) as given (both or neither: then the defaults), refused when out of bounds. */
  private Instant[] range(Instant from, Instant to, Instant defaultFrom, Instant defaultTo) {
    if ((from == null) != (to == null)) {
      throw new InvalidArgumentException("give both from and to, or neither (the SLO window)");
    }
    Instant f = from == null ? defaultFrom : from;
    Instant t = to == null ? defaultTo : to;
    TimeRanges.check(f, t, maxRange);
    return new Instant[] {f, t};
  }
}
