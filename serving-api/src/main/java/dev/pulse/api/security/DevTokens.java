package dev.pulse.api.security;

import dev.pulse.api.config.PulseApiProperties;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The development identity: a bearer token maps to a tenant through configuration ({@code
 * pulse.dev-tokens.<token>=<tenant>}). Real authentication (OIDC/JWT) replaces this class; the rest
 * of the API only sees the resulting {@link Tenant}.
 */
@Component
public class DevTokens {

  private static final String BEARER = "Bearer ";

  private final Map<String, String> tenantByToken;

  public DevTokens(PulseApiProperties properties) {
    this.tenantByToken = Map.copyOf(properties.devTokens());
  }

  /**
   * The tenant of an {@code Authorization} header value such as {@code Bearer demo-token}; empty
   * when missing or unknown.
   */
  public Optional<Tenant> fromAuthorization(String authorization) {
    if (authorization == null
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = authorization.substring(BEARER.length()).trim();
    return Optional.ofNullable(tenantByToken.get(token)).map(Tenant::new);
  }
}
