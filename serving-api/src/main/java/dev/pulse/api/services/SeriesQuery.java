package dev.pulse.api.services;

import dev.pulse.api.security.Tenant;
import dev.pulse.api.series.Granularity;
import dev.pulse.api.series.SeriesPlanner;
import dev.pulse.api.support.StringArguments;
import java.time.Instant;

/**
 * The arguments of {@code Query.serviceMetrics}, bound by Spring for GraphQL's {@code @Arguments}
 * (by component name; an omitted argument is null). The constructor refuses string arguments that
 * break {@link StringArguments}' rules; the range is checked by {@link SeriesPlanner}.
 */
public record SeriesQuery(
    String service,
    String endpoint,
    String method,
    String region,
    Instant from,
    Instant to,
    Granularity granularity) {

  public SeriesQuery {
    StringArguments.check("service", service);
    StringArguments.check("endpoint", endpoint);
    StringArguments.check("method", method);
    StringArguments.check("region", region);
  }

  /** The facts this series reads, for the caller's tenant. */
  public MetricsFilter filter(Tenant tenant) {
    return new MetricsFilter(tenant, service, endpoint, method, region);
  }
}
