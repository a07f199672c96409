package dev.pulse.api.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.security.Caller;
import dev.pulse.api.security.CallerInterceptor;
import dev.pulse.api.support.Refusals;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Limits that keep one caller from hurting the others, applied to every GraphQL operation whatever
 * its transport (HTTP, SSE, WebSocket), per caller (one person of one tenant, however many
 * connections they open):
 *
 * <ul>
 *   <li>a rate: {@code pulse.limits.requests-per-second} on average, bursts up to {@code
 *       request-burst} (a Bucket4j token bucket);
 *   <li>concurrency: at most {@code concurrent-requests} operations running at once;
 *   <li>live subscriptions: at most {@code subscriptions-per-caller} open per caller and {@code
 *       subscriptions-per-server} in all.
 * </ul>
 *
 * A refused operation gets one GraphQL error, classification {@code TOO_MANY_REQUESTS}, {@code
 * extensions.limit} naming the limit ({@code rate}, {@code concurrency}, {@code subscriptions},
 * {@code server-subscriptions}) and, for the rate, {@code extensions.retryAfterMs}. Refusals are
 * counted in the {@code pulse.api.refused} meter by limit.
 */
@Component
@Order(CallerInterceptor.ORDER + 10)
public class CallerLimits implements WebGraphQlInterceptor {

  /** A caller idle this long is forgotten (its bucket would be full again anyway). */
  private static final Duration FORGET_IDLE = Duration.ofMinutes(15);

  private final PulseApiProperties.Limits limits;
  private final MeterRegistry meters;
  private final Cache<String, CallerState> callers =
      Caffeine.newBuilder().expireAfterAccess(FORGET_IDLE).maximumSize(1_000_000).build();

  /** Open subscriptions per caller; an entry goes when its count is back to 0. */
  private final ConcurrentHashMap<String, AtomicInteger> subscriptions = new ConcurrentHashMap<>();

  private final AtomicInteger serverSubscriptions = new AtomicInteger();

  public CallerLimits(PulseApiProperties properties, MeterRegistry meters) {
    this.limits = properties.limits();
    this.meters = meters;
  }

  /** One caller's rate bucket and running operations. */
  private record CallerState(Bucket bucket, Semaphore running) {}

  @Override
  public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
    return Mono.deferContextual(
        context -> {
          Caller caller = CallerInterceptor.callerIn(context);
          if (caller == null) {
            return chain.next(request); // refused before this interceptor
          }
          CallerState state = callers.get(caller.limitKey(), key -> newState());
          ConsumptionProbe probe = state.bucket().tryConsumeAndReturnRemaining(1);
          if (!probe.isConsumed()) {
            long retryMs =
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(probe.getNanosToWaitForRefill()));
            return Mono.just(
                refused(
                    request,
                    "rate",
                    "more than "
                        + limits.requestsPerSecond()
                        + " operations per second (bursts of "
                        + limits.requestBurst()
                        + "): retry in "
                        + retryMs
                        + " ms",
                    Map.of("retryAfterMs", retryMs)));
          }
          if (!state.running().tryAcquire()) {
            return Mono.just(
                refused(
                    request,
                    "concurrency",
                    limits.concurrentRequests()
                        + " operations of yours are still running: wait for one to finish",
                    Map.of()));
          }
          return chain
              .next(request)
              .map(response -> capped(response, caller))
              .doFinally(signal -> state.running().release());
        });
  }

  private CallerState newState() {
    Bandwidth rate =
        Bandwidth.builder()
            .capacity(limits.requestBurst())
            .refillGreedy(limits.requestsPerSecond(), Duration.ofSeconds(1))
            .build();
    return new CallerState(
        Bucket.builder().addLimit(rate).build(), new Semaphore(limits.concurrentRequests()));
  }

  /**
   * A subscription's stream, counted against both caps while it is subscribed; refused (its {@code
   * error}) when either is full.
   */
  private WebGraphQlResponse capped(WebGraphQlResponse response, Caller caller) {
    if (!(response.getData() instanceof Publisher<?> stream)) {
      return response;
    }
    String key = caller.limitKey();
    return response.transform(
        builder ->
            builder.data(
                Flux.defer(
                    () -> {
                      if (serverSubscriptions.incrementAndGet() > limits.subscriptionsPerServer()) {
                        serverSubscriptions.decrementAndGet();
                        return Flux.error(
                            ending(
                                "server-subscriptions",
                                "this server holds its limit of "
                                    + limits.subscriptionsPerServer()
                                    + " live subscriptions: retry later"));
                      }
                      AtomicInteger mine =
                          subscriptions.compute(
                              key,
                              (k, count) -> {
                                AtomicInteger c = count == null ? new AtomicInteger() : count;
                                c.incrementAndGet();
                                return c;
                              });
                      if (mine.get() > limits.subscriptionsPerCaller()) {
                        release(key);
                        return Flux.error(
                            ending(
                                "subscriptions",
                                "you hold your limit of "
                                    + limits.subscriptionsPerCaller()
                                    + " live subscriptions: close one first"));
                      }
                      return Flux.from(stream).doFinally(signal -> release(key));
                    })));
  }

  private void release(String key) {
    serverSubscriptions.decrementAndGet();
    subscriptions.computeIfPresent(key, (k, count) -> count.decrementAndGet() == 0 ? null : count);
  }

  /** Open subscriptions of all callers (for tests and the operator's view). */
  public int openSubscriptions() {
    return serverSubscriptions.get();
  }

  private WebGraphQlResponse refused(
      WebGraphQlRequest request, String limit, String message, Map<String, Object> more) {
    meters.counter("pulse.api.refused", "limit", limit).increment();
    return Refusals.response(
        request, LimitExceeded.TOO_MANY_REQUESTS, message, extensions(limit, more));
  }

  private RuntimeException ending(String limit, String message) {
    meters.counter("pulse.api.refused", "limit", limit).increment();
    return Refusals.ending(LimitExceeded.TOO_MANY_REQUESTS, message, extensions(limit, Map.of()));
  }

  private static Map<String, Object> extensions(String limit, Map<String, Object> more) {
    Map<String, Object> extensions = new java.util.LinkedHashMap<>(more);
    extensions.put("limit", limit);
    return extensions;
  }
}
