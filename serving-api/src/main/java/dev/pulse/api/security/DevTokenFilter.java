package dev.pulse.api.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 401 to an HTTP GraphQL request (queries, and subscriptions over SSE) without a known
 * bearer token, and otherwise records the caller's {@link Tenant} as a request attribute for {@link
 * TenantInterceptor}. Registered for {@code /graphql} only: the dashboards, GraphiQL's page and
 * actuator health stay public; WebSocket clients authenticate in {@code connection_init} instead.
 */
public class DevTokenFilter extends OncePerRequestFilter {

  private final DevTokens tokens;

  public DevTokenFilter(DevTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<Tenant> tenant =
        tokens.fromAuthorization(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (tenant.isEmpty()) {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"pulse\"");
      response.setContentType(MediaType.APPLICATION_JSON_VALUE);
      response
          .getWriter()
          .write(
              "{\"errors\":[{\"message\":\"missing or unknown bearer token (Authorization: Bearer <token>)\"}]}");
      return;
    }
    request.setAttribute(Tenant.CONTEXT_KEY, tenant.get());
    chain.doFilter(request, response);
  }
}
