package dev.pulse.api.security;

import java.util.Objects;

/**
 * The tenant (institution) a caller acts for; every query is filtered by it.
 *
 * @param id the tenant_id stored with every fact row
 */
public record Tenant(String id) {

  public Tenant {
    Objects.requireNonNull(id, "id");
  }
}
