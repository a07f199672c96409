package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GraphQL as a dashboard asks it of a running stack: a POST to {@code /graphql} with a bearer
 * token. An answer other than 200 without errors fails the test, with the body.
 */
final class GraphQlOverHttp {

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI endpoint;

  GraphQlOverHttp(int port) {
    this.endpoint = URI.create("http://127.0.0.1:" + port + "/graphql");
  }

  /** The {@code data} of {@code query} with {@code variables}, asked with {@code token}. */
  JsonNode data(String token, String query, ObjectNode variables) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("query", query);
    body.set("variables", variables);
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("errors")).as(response.body()).isNull();
    return json.get("data");
  }
}
