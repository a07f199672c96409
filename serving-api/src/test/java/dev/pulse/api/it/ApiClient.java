package dev.pulse.api.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.springframework.graphql.client.WebSocketGraphQlClientInterceptor;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.publisher.Mono;

/**
 * The running application as a client sees it: GraphQL over HTTP and over graphql-ws, signed in.
 */
final class ApiClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ApiClient() {}

  /**
   * POSTs {@code query} with {@code variables} as {@code token}'s bearer; the JSON answer (200).
   */
  static JsonNode post(int port, String token, String query, Map<String, Object> variables)
      throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(Map.of("query", query, "variables", variables))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /** A graphql-ws connection signed in with {@code token} in its connection_init. */
  static WebSocketGraphQlTester webSocket(int port, String token) {
    return WebSocketGraphQlTester.builder(
            "ws://localhost:" + port + "/graphql-ws", new StandardWebSocketClient())
        .interceptor(
            new WebSocketGraphQlClientInterceptor() {
              @Override
              public Mono<Object> connectionInitPayload() {
                return Mono.just(Map.of("Authorization", "Bearer " + token));
              }
            })
        .build();
  }
}
