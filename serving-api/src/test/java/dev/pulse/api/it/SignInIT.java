package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sign-in and the access rules of the whole application, on every transport, over raw HTTP and
 * WebSocket clients (what an attacker would use): every hostile token is refused with 401 (HTTP,
 * SSE) or a 4401 close (WebSocket), a known caller without the role gets 403 or FORBIDDEN, health
 * tells anonymous callers nothing more than a status, and a live stream ends when its token
 * expires.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SignInIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String SERVICES = "{\"query\":\"{ services { name } }\"}";

  private static TestClickHouse server;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "200ms");
  }

  @BeforeAll
  static void store(TestClickHouse ch) {
    server = ch;
    ch.migratedDatabase();
  }

  @LocalServerPort private int port;

  /** Tokens that must never sign anyone in, by what is wrong with them. */
  private static Map<String, String> hostileTokens() {
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("not a JWT", "not-a-token");
    tokens.put("empty", "");
    tokens.put(
        "alg none", TestIdentity.caller("mallory").tenant("tenant-a").roles("sre").unsigned());
    tokens.put(
        "signed by another key",
        TestIdentity.caller("mallory").tenant("tenant-a").roles("sre").signedByAnotherKey());
    tokens.put(
        "wrong issuer",
        TestIdentity.caller("mallory")
            .tenant("tenant-a")
            .roles("sre")
            .issuer("https://evil.example/")
            .sign());
    tokens.put(
        "wrong audience",
        TestIdentity.caller("mallory")
            .tenant("tenant-a")
            .roles("sre")
            .audience("other-api")
            .sign());
    tokens.put(
        "expired two minutes ago",
        TestIdentity.caller("mallory")
            .tenant("tenant-a")
            .roles("sre")
            .expiresAt(Instant.now().minus(Duration.ofMinutes(2)))
            .sign());
    tokens.put(
        "no expiry",
        TestIdentity.caller("mallory").tenant("tenant-a").roles("sre").withoutExpiry().sign());
    tokens.put(
        "tenant changed after signing",
        TestIdentity.caller("mallory")
            .tenant("tenant-a")
            .roles("sre")
            .tampered("tenant_id", "tenant-b"));
    tokens.put("no tenant claim", TestIdentity.caller("mallory").roles("sre").sign());
    tokens.put(
        "tenant claim not a string",
        TestIdentity.caller("mallory").claim("tenant_id", List.of("a", "b")).roles("sre").sign());
    tokens.put(
        "roles claim not strings",
        TestIdentity.caller("mallory").tenant("tenant-a").claim("roles", Map.of("x", 1)).sign());
    tokens.put(
        "over-long tenant",
        TestIdentity.caller("mallory").tenant("t".repeat(300)).roles("sre").sign());
    tokens.put(
        "no subject", TestIdentity.caller("mallory").claim("sub", null).tenant("tenant-a").sign());
    return tokens;
  }

  private HttpResponse<String> post(String path, String body, String token, String accept)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyHostileTokenIs401OverHttpAndSseWithAReason() throws Exception {
    String subscription =
        "{\"query\":\"subscription { serviceMetricsUpdates(service: \\\"courses-api\\\") { time } }\"}";
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("no token", null);
    tokens.putAll(hostileTokens());
    for (Map.Entry<String, String> t : tokens.entrySet()) {
      HttpResponse<String> query = post("/graphql", SERVICES, t.getValue(), "application/json");
      assertThat(query.statusCode()).as("query, " + t.getKey()).isEqualTo(401);
      assertThat(query.headers().firstValue("WWW-Authenticate"))
          .as("query, " + t.getKey())
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      if (!query.body().isEmpty()) {
        assertThat(JSON.readTree(query.body()).at("/errors/0/message").asText())
            .as("query, " + t.getKey())
            .contains("sign in");
      }
      assertThat(
              post(
                      "/graphql",
                      "{\"query\":\"{ courses { id } atRiskLearners(course: \\\"c1\\\") { learner } }\"}",
                      t.getValue(),
                      "application/json")
                  .statusCode())
          .as("engagement query, " + t.getKey())
          .isEqualTo(401);
      assertThat(post("/graphql", subscription, t.getValue(), "text/event-stream").statusCode())
          .as("SSE subscription, " + t.getKey())
          .isEqualTo(401);
      assertThat(get("/graphql/schema", t.getValue()).statusCode())
          .as("schema, " + t.getKey())
          .isEqualTo(401);
    }
  }

  @Test
  void aValidTokenIsServedAndItsCallerCanAskWhoTheyAre() throws Exception {
    String token =
        TestIdentity.caller("eve")
            .name("Eve Example")
            .tenant("tenant-a")
            .roles("Educator", "unknown-role")
            .courses("course-2", "course-1")
            .sign();
    HttpResponse<String> me =
        post(
            "/graphql",
            "{\"query\":\"{ me { subject name tenant roles courses expiresAt } }\"}",
            token,
            "application/json");
    assertThat(me.statusCode()).isEqualTo(200);
    JsonNode who = JSON.readTree(me.body()).at("/data/me");
    assertThat(who.get("subject").asText()).isEqualTo("eve");
    assertThat(who.get("name").asText()).isEqualTo("Eve Example");
    assertThat(who.get("tenant").asText()).isEqualTo("tenant-a");
    assertThat(who.get("roles").toString()).isEqualTo("[\"EDUCATOR\"]");
    assertThat(who.get("courses").toString()).isEqualTo("[\"course-1\",\"course-2\"]");
  }

  @Test
  void aCallerWithoutTheRoleIsForbiddenTheFieldAndActuator() throws Exception {
    String educator = TestIdentity.caller("eve").tenant("tenant-a").roles("educator").sign();
    String nobody = TestIdentity.caller("nobody").tenant("tenant-a").sign();
    for (String token : List.of(educator, nobody)) {
      HttpResponse<String> services = post("/graphql", SERVICES, token, "application/json");
      assertThat(services.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(services.body());
      assertThat(body.at("/errors/0/extensions/classification").asText()).isEqualTo("FORBIDDEN");
      assertThat(body.at("/data").isNull() || body.at("/data/services").isMissingNode()).isTrue();
      assertThat(get("/actuator/health", token).statusCode()).isEqualTo(403);
      assertThat(get("/actuator/metrics", token).statusCode()).isEqualTo(403);
    }
    assertThat(get("/actuator/health", TestIdentity.sre("tenant-a")).statusCode()).isEqualTo(403);
  }

  @Test
  void livenessAndReadinessTellAnyoneTheirStatusOnlyAndOperatorsSeeDetails() throws Exception {
    for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
      HttpResponse<String> anonymous = get(probe, null);
      assertThat(anonymous.statusCode()).as(probe).isEqualTo(200);
      assertThat(JSON.readTree(anonymous.body()).properties())
          .as(probe + " " + anonymous.body())
          .extracting(Map.Entry::getKey)
          .containsExactly("status");
    }
    assertThat(get("/actuator/health", null).statusCode()).isEqualTo(401);
    assertThat(get("/actuator/metrics", null).statusCode()).isEqualTo(401);
    String operator = TestIdentity.caller("olga").tenant("tenant-a").roles("operator").sign();
    // The background probe reports within its first interval.
    JsonNode health = null;
    for (int i = 0; i < 100; i++) {
      health = JSON.readTree(get("/actuator/health", operator).body());
      if ("UP".equals(health.at("/components/clickHouse/status").asText())) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(health.at("/components/clickHouse/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/clickHouse/details/version").asText()).matches("[0-9.]+");
    assertThat(get("/actuator/metrics", operator).statusCode()).isEqualTo(200);
  }

  @Test
  void responsesCarryTheSecurityHeadersAndIntrospectionIsOff() throws Exception {
    HttpResponse<String> response =
        post(
            "/graphql",
            "{\"query\":\"{ __schema { types { name } } }\"}",
            TestIdentity.sre("tenant-a"),
            "application/json");
    assertThat(response.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(response.headers().firstValue("Cache-Control"))
        .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
    assertThat(JSON.readTree(response.body()).at("/errors/0/message").asText())
        .containsIgnoringCase("introspection");
    assertThat(get("/graphiql", null).statusCode()).isEqualTo(401);
  }

  /** A raw graphql-transport-ws client: every text frame received, and the close code. */
  private static final class RawSocket implements WebSocket.Listener {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static RawSocket open(int port) throws Exception {
      RawSocket raw = new RawSocket();
      raw.socket =
          HTTP.newWebSocketBuilder()
              .subprotocols("graphql-transport-ws")
              .buildAsync(URI.create("ws://localhost:" + port + "/graphql-ws"), raw)
              .get(10, TimeUnit.SECONDS);
      return raw;
    }

    void send(String json) {
      socket.sendText(json, true).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          messages.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  private static String init(String token) throws Exception {
    return token == null
        ? "{\"type\":\"connection_init\",\"payload\":{}}"
        : JSON.writeValueAsString(
            Map.of(
                "type", "connection_init", "payload", Map.of("Authorization", "Bearer " + token)));
  }

  private static String subscribe(String id, String query) throws Exception {
    return JSON.writeValueAsString(
        Map.of("id", id, "type", "subscribe", "payload", Map.of("query", query)));
  }

  @Test
  void everyHostileTokenInConnectionInitClosesTheSocketWith4401AndRunsNothing() throws Exception {
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("no Authorization", null);
    tokens.putAll(hostileTokens());
    for (Map.Entry<String, String> t : tokens.entrySet()) {
      RawSocket ws = RawSocket.open(port);
      // A bad init with a subscribe pipelined right behind it: nothing may run. The subscribe is
      // queued without waiting; when the server has closed first, the client cannot send it.
      String pipelined = subscribe("1", "{ me { tenant } }");
      ws.socket
          .sendText(init(t.getValue()), true)
          .thenCompose(socket -> socket.sendText(pipelined, true))
          .exceptionally(closed -> null);
      assertThat(ws.closed.get(10, TimeUnit.SECONDS)).as(t.getKey()).isEqualTo(4401);
      assertThat(ws.messages).as(t.getKey()).isEmpty();
    }
  }

  @Test
  void aSubscribeBeforeConnectionInitIsRefusedAndASilentSocketIsClosedWithin5s() throws Exception {
    RawSocket early = RawSocket.open(port);
    early.send(subscribe("1", "{ me { tenant } }"));
    assertThat(early.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4401);
    assertThat(early.messages).isEmpty();

    long start = System.nanoTime();
    RawSocket silent = RawSocket.open(port);
    assertThat(silent.closed.get(15, TimeUnit.SECONDS)).isEqualTo(4408);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aLiveSubscriptionEndsWithAnUnauthorizedErrorWhenItsTokenExpires() throws Exception {
    // A JWT's exp is whole seconds.
    Instant expiry =
        Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String shortLived =
        TestIdentity.caller("sam").tenant("tenant-a").roles("sre").expiresAt(expiry).sign();
    RawSocket ws = RawSocket.open(port);
    ws.send(init(shortLived));
    assertThat(ws.messages.poll(10, TimeUnit.SECONDS).get("type").asText())
        .isEqualTo("connection_ack");
    ws.send(
        subscribe(
            "live", "subscription { serviceMetricsUpdates(service: \"quiet-api\") { time } }"));
    JsonNode end = ws.messages.poll(20, TimeUnit.SECONDS);
    assertThat(end).isNotNull();
    assertThat(Instant.now()).isAfterOrEqualTo(expiry);
    assertThat(end.get("type").asText()).isEqualTo("error");
    assertThat(end.get("id").asText()).isEqualTo("live");
    assertThat(end.at("/payload/0/message").asText()).contains("expired");
    assertThat(end.at("/payload/0/extensions/classification").asText()).isEqualTo("UNAUTHORIZED");
    // The connection outlived the token: anything it asks now is refused too.
    ws.send(subscribe("after", "{ me { tenant } }"));
    JsonNode after = ws.messages.poll(10, TimeUnit.SECONDS);
    assertThat(after.toString()).contains("expired").doesNotContain("tenant-a\"}");
    ws.socket.abort();
  }
}
