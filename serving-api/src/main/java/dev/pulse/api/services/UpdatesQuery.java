package dev.pulse.api.services;

import dev.pulse.api.security.Tenant;
import dev.pulse.api.support.StringArguments;

/**
 * The arguments of {@code Subscription.serviceMetricsUpdates}, bound by Spring for GraphQL's
 * {@code @Arguments}; the constructor refuses string arguments that break {@link StringArguments}'
 * rules.
 */
public record UpdatesQuery(String service, String endpoint, String method, String region) {

  public UpdatesQuery {
    StringArguments.check("service", service);
    StringArguments.check("endpoint", endpoint);
    StringArguments.check("method", method);
    StringArguments.check("region", region);
  }

  /** The minutes this subscription follows, for the caller's tenant. */
  public MetricsFilter filter(Tenant tenant) {
    return new MetricsFilter(tenant, service, endpoint, method, region);
  }
}
