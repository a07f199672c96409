package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.client.SubscriptionErrorException;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.Disposable;

/**
 * The limits that keep one caller from hurting the others, against the running application and a
 * real ClickHouse: a caller over the rate limit gets a clear error while another caller's dashboard
 * queries are all answered, subscriptions are capped per caller and per server, and a thousand
 * identical live subscriptions cost one ClickHouse query per poll interval (counted in ClickHouse's
 * own query log).
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CallerLimitsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int RATE = 5;
  private static final int PER_CALLER = 50;
  private static final int PER_SERVER = 1010;
  private static final Duration POLL = Duration.ofSeconds(1);

  private static TestClickHouse server;
  private static ClickHouse clickHouse;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> POLL.toMillis() + "ms");
    registry.add("pulse.limits.requests-per-second", () -> RATE);
    registry.add("pulse.limits.request-burst", () -> RATE);
    registry.add("pulse.limits.subscriptions-per-caller", () -> PER_CALLER);
    registry.add("pulse.limits.subscriptions-per-server", () -> PER_SERVER);
  }

  @BeforeAll
  static void facts(TestClickHouse ch) {
    server = ch;
    clickHouse = ch.migratedDatabase();
    MinuteFacts facts = new MinuteFacts();
    for (String tenant : List.of("flood-a", "calm-b", "live-c")) {
      facts.row(
          tenant, "busy-api", "/x", "GET", "eu-west", "2026-03-02T10:00:00Z", List.of(5, 6), 0, 0);
    }
    facts.insertInto(clickHouse);
  }

  @LocalServerPort private int port;

  private JsonNode services(String token) throws Exception {
    return ApiClient.post(port, token, "{ services { name } }", Map.of());
  }

  @Test
  void aCallerOverTheRateLimitGetsAClearErrorWhileAnotherCallersQueriesAreAllAnswered()
      throws Exception {
    String flooder = TestIdentity.sre("flood-a");
    String calm = TestIdentity.sre("calm-b");
    List<Long> calmBefore = new ArrayList<>();
    for (int i = 0; i < RATE; i++) {
      long t0 = System.nanoTime();
      assertThat(services(calm).at("/data/services/0/name").asText()).isEqualTo("busy-api");
      calmBefore.add(System.nanoTime() - t0);
      Thread.sleep(1000 / RATE);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger served = new AtomicInteger();
    List<JsonNode> refusals = new CopyOnWriteArrayList<>();
    List<Future<?>> flood = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      flood.add(
          pool.submit(
              () -> {
                JsonNode answer = services(flooder);
                if (answer.path("errors").isEmpty()) {
                  served.incrementAndGet();
                } else {
                  refusals.add(answer.at("/errors/0"));
                }
                return null;
              }));
    }
    // Meanwhile the calm caller's dashboard asks at its own pace: every query is answered.
    List<Long> calmDuring = new ArrayList<>();
    for (int i = 0; i < RATE; i++) {
      long t0 = System.nanoTime();
      JsonNode answer = services(calm);
      calmDuring.add(System.nanoTime() - t0);
      assertThat(answer.path("errors")).as(answer.toString()).isEmpty();
      assertThat(answer.at("/data/services/0/name").asText()).isEqualTo("busy-api");
      Thread.sleep(1000 / RATE);
    }
    for (Future<?> f : flood) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    System.out.printf(
        "CallerLimitsIT: flood of 200 -> %d served, %d refused; calm caller median %.1f ms before,"
            + " %.1f ms during (max %.1f ms)%n",
        served.get(),
        refusals.size(),
        median(calmBefore) / 1e6,
        median(calmDuring) / 1e6,
        Collections.max(calmDuring) / 1e6);
    assertThat(refusals).isNotEmpty();
    assertThat(served.get()).isLessThan(200);
    JsonNode refusal = refusals.get(0);
    assertThat(refusal.at("/extensions/classification").asText()).isEqualTo("TOO_MANY_REQUESTS");
    assertThat(refusal.at("/extensions/limit").asText()).isEqualTo("rate");
    assertThat(refusal.at("/extensions/retryAfterMs").asLong()).isPositive();
    assertThat(refusal.at("/message").asText())
        .contains("operations per second")
        .contains("retry in");
  }

  private static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private WebSocketGraphQlTester socket(String token) {
    return ApiClient.webSocket(port, token);
  }

  /** Subscribes to live-c's busy-api updates: each first point and each error are recorded. */
  private Disposable follow(
      WebSocketGraphQlTester ws, AtomicInteger points, List<Throwable> errors) {
    return ws.document("subscription { serviceMetricsUpdates(service: \"busy-api\") { time } }")
        .executeSubscription()
        .toFlux("serviceMetricsUpdates.time", String.class)
        .subscribe(t -> points.incrementAndGet(), errors::add);
  }

  /** Queries sent for {@code tenant} with the minute facts in ClickHouse's query log. */
  private static long minuteQueriesOf(String tenant) {
    clickHouse.execute("SYSTEM FLUSH LOGS");
    return clickHouse
        .query(
            "SELECT count() AS n FROM system.query_log WHERE type = 1 AND query_id LIKE '"
                + tenant
                + "/%' AND query LIKE '%FROM api_request_minutes%'")
        .get(0)
        .get("n")
        .asLong();
  }

  @Test
  void aThousandIdenticalSubscriptionsCostOneQueryPerIntervalAndTheCapsHold() throws Exception {
    int callers = 20;
    List<WebSocketGraphQlTester> sockets = new ArrayList<>();
    List<Disposable> open = new ArrayList<>();
    AtomicInteger points = new AtomicInteger();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try {
      for (int c = 0; c < callers; c++) {
        sockets.add(socket(TestIdentity.caller("sre-" + c).tenant("live-c").roles("sre").sign()));
      }
      // Each caller subscribes within its rate limit (a subscribe is an operation too).
      for (int s = 0; s < PER_CALLER; s++) {
        for (WebSocketGraphQlTester ws : sockets) {
          open.add(follow(ws, points, errors));
        }
        Thread.sleep(1000 / RATE + 50);
      }
      // Every one of the 1,000 gets the latest stored minute.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (points.get() < callers * PER_CALLER && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(errors).isEmpty();
      assertThat(points.get()).isEqualTo(callers * PER_CALLER);

      long before = minuteQueriesOf("live-c");
      long t0 = System.nanoTime();
      Thread.sleep(6_000);
      long after = minuteQueriesOf("live-c");
      double seconds = (System.nanoTime() - t0) / 1e9;
      long polls = after - before;
      System.out.printf(
          "CallerLimitsIT: %d subscriptions, %d ClickHouse queries in %.1f s (poll interval %d ms)%n",
          callers * PER_CALLER, polls, seconds, POLL.toMillis());
      // One shared poller: one query per interval (give or take the one in flight at each end).
      long intervals = Math.round(seconds * 1000 / POLL.toMillis());
      assertThat(polls).isBetween(intervals - 2, intervals + 2);

      // One more for a caller already holding 50: refused, naming the limit.
      List<Throwable> capped = new CopyOnWriteArrayList<>();
      open.add(follow(sockets.get(0), new AtomicInteger(), capped));
      // Ten more callers: the server holds 1,000 of 1,010, so the eleventh is refused.
      WebSocketGraphQlTester other =
          socket(TestIdentity.caller("sre-other").tenant("live-c").roles("sre").sign());
      sockets.add(other);
      List<Throwable> serverCapped = new CopyOnWriteArrayList<>();
      AtomicInteger otherPoints = new AtomicInteger();
      for (int s = 0; s < 11; s++) {
        open.add(follow(other, otherPoints, serverCapped));
        Thread.sleep(1000 / RATE + 50);
      }
      deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while ((capped.isEmpty() || serverCapped.isEmpty()) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(capped).singleElement().satisfies(e -> assertLimit(e, "subscriptions"));
      assertThat(serverCapped)
          .singleElement()
          .satisfies(e -> assertLimit(e, "server-subscriptions"));
    } finally {
      open.forEach(Disposable::dispose);
      for (WebSocketGraphQlTester ws : sockets) {
        CompletableFuture.runAsync(() -> ws.stop().block(Duration.ofSeconds(5)));
      }
    }
  }

  @Test
  void aRequestBodyOverTheLimitIsRefusedWith413WhetherItsLengthIsDeclaredOrNot() throws Exception {
    String token = TestIdentity.caller("big-body").tenant("limits-t").roles("sre").sign();
    // 64 KiB is the default limit: bodies of about 70,000 and 60,000 bytes either side of it.
    String over = body(70_000);
    String under = body(60_000);
    assertThat(over.length()).isGreaterThan(65_536);
    assertThat(under.length()).isLessThan(65_536);

    HttpResponse<String> declared = send(token, HttpRequest.BodyPublishers.ofString(over));
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(declared.body()).at("/errors/0/extensions/classification").asText())
        .isEqualTo("PAYLOAD_TOO_LARGE");
    // Chunked: no Content-Length, so the limit is counted as the body arrives.
    HttpResponse<String> chunked = send(token, chunked(over));
    assertThat(chunked.statusCode()).isEqualTo(413);
    HttpResponse<String> fits = send(token, chunked(under));
    assertThat(fits.statusCode()).as(fits.body()).isEqualTo(200);
    assertThat(JSON.readTree(fits.body()).at("/data/services").isArray()).isTrue();
    // Without a token the body is never read: 401 first.
    assertThat(send(null, HttpRequest.BodyPublishers.ofString(over)).statusCode()).isEqualTo(401);
  }

  /** A valid services query whose variables make the body about {@code bytes} long. */
  private static String body(int bytes) throws Exception {
    String padding = "x".repeat(bytes - 60);
    return JSON.writeValueAsString(
        Map.of("query", "{ services { name } }", "variables", Map.of("padding", padding)));
  }

  private static HttpRequest.BodyPublisher chunked(String body) {
    return HttpRequest.BodyPublishers.ofInputStream(
        () -> new java.io.ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> send(String token, HttpRequest.BodyPublisher body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(body);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertLimit(Throwable e, String limit) {
    // The server ended the subscription with an "error" message carrying the refusal.
    assertThat(e).isInstanceOf(SubscriptionErrorException.class);
    var error = ((SubscriptionErrorException) e).getErrors().get(0);
    assertThat(error.getExtensions()).containsEntry("limit", limit);
    assertThat(error.getExtensions()).containsEntry("classification", "TOO_MANY_REQUESTS");
  }
}
