package dev.pulse.api.services;

import dev.pulse.api.security.Tenant;
import java.util.Objects;

/**
 * Which minute facts a query reads: always one tenant and one service; endpoint, method and region
 * narrow it further when not null.
 */
public record MetricsFilter(
    Tenant tenant, String service, String endpoint, String method, String region) {

  public MetricsFilter {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(service, "service");
  }
}
