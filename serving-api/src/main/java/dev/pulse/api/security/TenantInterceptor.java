package dev.pulse.api.security;

import java.util.Map;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlInterceptor;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Puts the caller's {@link Tenant} into every GraphQL request's context, where controllers read it
 * with {@code @ContextValue}. Over HTTP it comes from {@link DevTokenFilter}; over WebSocket from
 * the {@code Authorization} entry of the {@code connection_init} payload (browsers cannot set
 * headers on a WebSocket), and a connection without a known token is closed with 4401 before any
 * operation runs.
 */
@Component
public class TenantInterceptor implements WebSocketGraphQlInterceptor {

  private final DevTokens tokens;

  public TenantInterceptor(DevTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public Mono<Object> handleConnectionInitialization(
      WebSocketSessionInfo session, Map<String, Object> payload) {
    Object authorization = payload.getOrDefault("Authorization", payload.get("authorization"));
    return tokens
        .fromAuthorization(authorization instanceof String s ? s : null)
        .map(
            tenant -> {
              session.getAttributes().put(Tenant.CONTEXT_KEY, tenant);
              return Mono.empty();
            })
        .orElseGet(
            () ->
                Mono.error(
                    new IllegalStateException(
                        "missing or unknown bearer token in connection_init")));
  }

  @Override
  public Mono<WebGraphQlResponse> intercept(
      WebGraphQlRequest request, WebGraphQlInterceptor.Chain chain) {
    Object tenant =
        request instanceof WebSocketGraphQlRequest ws
            ? ws.getSessionInfo().getAttributes().get(Tenant.CONTEXT_KEY)
            : request.getAttributes().get(Tenant.CONTEXT_KEY);
    if (tenant != null) {
      request.configureExecutionInput(
          (input, builder) -> builder.graphQLContext(Map.of(Tenant.CONTEXT_KEY, tenant)).build());
    }
    // Without a tenant the controllers' required @ContextValue fails the operation: nothing is
    // read.
    return chain.next(request);
  }
}
