package dev.pulse.api.security;

import java.util.Objects;

/**
 * The tenant (institution) a caller acts for; every query is filtered by it.
 *
 * @param id the tenant_id stored with every fact row
 */
public record Tenant(String id) {

  /**
   * Key of the tenant in a GraphQL context, a servlet request's attributes and a WebSocket
   * session's attributes.
   */
  public static final String CONTEXT_KEY = "pulse.tenant";

  public Tenant {
    Objects.requireNonNull(id, "id");
  }
}
