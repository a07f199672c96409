package dev.pulse.api.uptime;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.security.Caller;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Role;
import dev.pulse.api.series.MinuteBuckets;
import dev.pulse.api.support.InvalidArgumentException;
import dev.pulse.api.support.StringArguments;
import dev.pulse.api.support.TimeRanges;
import dev.pulse.api.uptime.UptimeShapes.Incident;
import dev.pulse.api.uptime.UptimeShapes.Uptime;
import graphql.schema.DataFetchingFieldSelectionSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/**
 * GraphQL entry points for uptime and incidents (uptime.graphqls; docs/slo.md, "Uptime and
 * incidents"): the tenant's targets' uptime over a range, per region and as a series, and the
 * incidents found from the probe minutes, for SREs, analysts and operators (the tenant from the
 * token, never an argument). Arguments are checked here, then {@link UptimeQueries} reads.
 */
@Controller
public class UptimeController {

  /** Who reads the tenant's uptime: as service metrics and SLOs. */
  static final Set<Role> READERS = Set.of(Role.SRE, Role.ANALYST, Role.OPERATOR);

  private static final String UPTIME = "uptime and incidents";

  static final int DEFAULT_INCIDENTS = 100;
  static final int MAX_INCIDENTS = 1000;

  private final UptimeQueries queries;
  private final Duration maxRange;
  private final int maxPoints;

  public UptimeController(UptimeQueries queries, PulseApiProperties properties) {
    this.queries = queries;
    this.maxRange = Duration.ofDays(properties.limits().maxRangeDays());
    this.maxPoints = properties.limits().maxPoints();
  }

  @QueryMapping
  public Uptime uptime(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument Instant from,
      @Argument Instant to,
      @Argument String target,
      DataFetchingFieldSelectionSet selection) {
    caller.require(UPTIME, READERS);
    StringArguments.check("target", target);
    TimeRanges.check(from, to, maxRange);
    return queries.uptime(
        caller.tenant(),
        target,
        from,
        to,
        MinuteBuckets.over(from, to, maxPoints),
        // The series costs a query of its own: only when asked for.
        selection.contains("targets/series"),
        operation);
  }

  @QueryMapping
  public List<Incident> incidents(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument Instant from,
      @Argument Instant to,
      @Argument String target,
      @Argument Integer limit) {
    caller.require(UPTIME, READERS);
    StringArguments.check("target", target);
    TimeRanges.check(from, to, maxRange);
    int rows = limit == null ? DEFAULT_INCIDENTS : limit;
    if (rows < 1 || rows > MAX_INCIDENTS) {
      throw new InvalidArgumentException("limit must be within 1 .. " + MAX_INCIDENTS);
    }
    return queries.incidents(caller.tenant(), target, from, to, rows, operation);
  }
}
