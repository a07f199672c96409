package dev.pulse.api.security;

import org.springframework.graphql.server.support.AbstractAuthenticationWebSocketInterceptor;
import org.springframework.graphql.server.support.BearerTokenAuthenticationExtractor;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Signs a WebSocket connection in from its {@code connection_init} payload ({@code Authorization:
 * Bearer <JWT>}), verified exactly as HTTP requests are. Spring for GraphQL's own extractor lets a
 * payload without a token through unauthenticated; here it is refused, so every connection that
 * survives its {@code connection_init} belongs to a verified caller (refused: the server closes the
 * socket with 4401). The caller's security context then travels with each operation of the
 * connection (the same Reactor context key as over HTTP), where {@link CallerInterceptor} reads it.
 */
public final class WebSocketSignIn extends AbstractAuthenticationWebSocketInterceptor {

  private final AuthenticationManager authenticationManager;

  WebSocketSignIn(AuthenticationManager authenticationManager) {
    super(
        payload ->
            new BearerTokenAuthenticationExtractor()
                .getAuthentication(payload)
                .switchIfEmpty(
                    Mono.error(
                        new OAuth2AuthenticationException(
                            BearerTokenErrors.invalidRequest(
                                "connection_init carries no Authorization: Bearer <JWT>")))));
    this.authenticationManager = authenticationManager;
  }

  @Override
  protected Mono<Authentication> authenticate(Authentication authentication) {
    // Verifying may fetch the identity provider's keys: off the connection's thread.
    return Mono.fromCallable(() -> authenticationManager.authenticate(authentication))
        .subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  protected ContextView getContextToWrite(SecurityContext securityContext) {
    return Context.of(SecurityContext.class.getName(), securityContext);
  }
}
