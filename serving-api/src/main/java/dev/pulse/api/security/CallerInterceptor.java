package dev.pulse.api.security;

import dev.pulse.api.support.Refusals;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Hands every GraphQL operation its verified {@link Caller}, on every transport: from the security
 * context Spring Security set for the HTTP request (queries, and subscriptions over SSE), or the
 * one {@link WebSocketSignIn} kept for the connection. Controllers read it with
 * {@code @ContextValue}; later interceptors (the limits) from the Reactor context.
 *
 * <p>A token's expiry holds for streams too: an operation on a connection whose token has expired
 * is refused (UNAUTHORIZED), and a subscription ends with an UNAUTHORIZED error when its token
 * expires; the client signs in again and resubscribes.
 */
@Component
@Order(CallerInterceptor.ORDER)
public class CallerInterceptor implements WebGraphQlInterceptor {

  /** After the WebSocket sign-in and the audit trail, before the limits. */
  public static final int ORDER = 0;

  private final Clock clock;

  public CallerInterceptor() {
    this(Clock.systemUTC());
  }

  CallerInterceptor(Clock clock) {
    this.clock = clock;
  }

  /** The caller an interceptor after this one runs for, or null (the operation is refused). */
  public static Caller callerIn(ContextView context) {
    return context.getOrDefault(Caller.class, null);
  }

  @Override
  public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
    return Mono.deferContextual(
        context -> {
          Caller caller = fromSecurityContext(context);
          if (caller == null) {
            // The HTTP rules and the WebSocket sign-in let no operation through without a caller;
            // this is the second lock, should a new transport forget the first.
            return Mono.just(
                Refusals.response(
                    request, ErrorType.UNAUTHORIZED, "sign in: no verified token", Map.of()));
          }
          if (caller.expiredAt(clock.instant())) {
            return Mono.just(
                Refusals.response(
                    request,
                    ErrorType.UNAUTHORIZED,
                    "the sign-in token expired at " + caller.expiresAt() + ": sign in again",
                    Map.of()));
          }
          // The audit trail (an outer interceptor) names the operation; without it, a new one.
          Operation given = context.getOrDefault(Operation.class, null);
          Operation operation =
              given != null && given.tenant().equals(caller.tenant())
                  ? given
                  : Operation.of(caller.tenant());
          request.configureExecutionInput(
              (input, builder) ->
                  builder
                      .graphQLContext(
                          Map.of(Caller.CONTEXT_KEY, caller, Operation.CONTEXT_KEY, operation))
                      .build());
          return chain
              .next(request)
              .map(response -> endingAtExpiry(response, caller))
              .contextWrite(Context.of(Caller.class, caller));
        });
  }

  /**
   * The verified caller of the security context in {@code context} (Spring Security's over HTTP,
   * {@link WebSocketSignIn}'s over WebSocket), or null.
   */
  public static Caller fromSecurityContext(ContextView context) {
    Object security = context.getOrDefault(SecurityContext.class.getName(), null);
    if (security instanceof SecurityContext sc) {
      Authentication authentication = sc.getAuthentication();
      if (authentication instanceof CallerAuthentication ca && ca.isAuthenticated()) {
        return ca.caller();
      }
    }
    return null;
  }

  /** A subscription's stream, ended with an UNAUTHORIZED error when the caller's token expires. */
  private WebGraphQlResponse endingAtExpiry(WebGraphQlResponse response, Caller caller) {
    if (!(response.getData() instanceof Publisher<?> stream)) {
      return response;
    }
    return response.transform(
        builder ->
            builder.data(
                Flux.defer(
                    () -> {
                      Duration left = Duration.between(clock.instant(), caller.expiresAt());
                      AtomicBoolean expired = new AtomicBoolean();
                      Mono<Long> expiry =
                          Mono.delay(left.isNegative() ? Duration.ZERO : left)
                              .doOnNext(tick -> expired.set(true));
                      return Flux.from(stream)
                          .takeUntilOther(expiry)
                          .concatWith(
                              Flux.defer(
                                  () ->
                                      expired.get()
                                          ? Flux.error(
                                              Refusals.ending(
                                                  ErrorType.UNAUTHORIZED,
                                                  "the sign-in token expired at "
                                                      + caller.expiresAt()
                                                      + ": sign in again and resubscribe",
                                                  Map.of()))
                                          : Flux.empty()));
                    })));
  }
}
