package dev.pulse.api.support;

import graphql.ErrorClassification;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.execution.SubscriptionPublisherException;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.support.DefaultExecutionGraphQlResponse;

/**
 * GraphQL answers to an operation refused before it runs (an expired token, a limit): one error
 * with a classification and a message that says what to do, the same over HTTP, SSE and WebSocket.
 */
public final class Refusals {

  private Refusals() {}

  /** An operation's whole response: no data, one error. */
  public static WebGraphQlResponse response(
      WebGraphQlRequest request,
      ErrorClassification type,
      String message,
      Map<String, Object> extensions) {
    ExecutionResult result =
        ExecutionResult.newExecutionResult().addError(error(type, message, extensions)).build();
    return new WebGraphQlResponse(
        new DefaultExecutionGraphQlResponse(request.toExecutionInput(), result));
  }

  /** The end of a running subscription: sent to the client as its {@code error}. */
  public static SubscriptionPublisherException ending(
      ErrorClassification type, String message, Map<String, Object> extensions) {
    return new SubscriptionPublisherException(List.of(error(type, message, extensions)), null);
  }

  public static GraphQLError error(
      ErrorClassification type, String message, Map<String, Object> extensions) {
    return GraphqlErrorBuilder.newError()
        .errorType(type)
        .message(message)
        .extensions(extensions.isEmpty() ? null : extensions)
        .build();
  }
}
