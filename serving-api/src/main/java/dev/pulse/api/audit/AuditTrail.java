package dev.pulse.api.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pulse.api.security.Caller;
import dev.pulse.api.security.CallerInterceptor;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Tenant;
import graphql.GraphQLError;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.parser.Parser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Records every GraphQL operation in the audit trail ({@link AuditLog}): who asked (from the
 * verified token), which operation and fields, digests of the document and of its variables (never
 * their values), the transport, how long it took, the outcome with each error's classification, and
 * the store queries it sent. Runs outside every other interceptor but the WebSocket sign-in, so
 * refusals by the sign-in checks and the limits are recorded too.
 */
@Component
@Order(AuditTrail.ORDER)
public class AuditTrail implements WebGraphQlInterceptor {

  /** Before {@link CallerInterceptor}, after the WebSocket sign-in. */
  public static final int ORDER = CallerInterceptor.ORDER - 10;

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final AuditLog log;

  public AuditTrail(AuditLog log) {
    this.log = log;
  }

  @Override
  public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
    return Mono.deferContextual(
        context -> {
          Instant start = Instant.now();
          long t0 = System.nanoTime();
          Caller caller = CallerInterceptor.fromSecurityContext(context);
          Operation operation = caller == null ? null : Operation.of(caller.tenant());
          Mono<WebGraphQlResponse> next = chain.next(request);
          if (operation != null) {
            next = next.contextWrite(Context.of(Operation.class, operation));
          }
          return next.doOnNext(
                  response ->
                      log.record(entry(request, response, null, caller, operation, start, t0)))
              .doOnError(e -> log.record(entry(request, null, e, caller, operation, start, t0)));
        });
  }

  private static AuditEntry entry(
      WebGraphQlRequest request,
      WebGraphQlResponse response,
      Throwable failure,
      Caller caller,
      Operation operation,
      Instant start,
      long t0) {
    Summary summary =
        SUMMARIES.get(
            new SummaryKey(request.getDocument(), request.getOperationName()),
            AuditTrail::summarize);
    List<String> errorTypes = new ArrayList<>();
    if (response != null) {
      for (GraphQLError error : response.getExecutionResult().getErrors()) {
        errorTypes.add(String.valueOf(error.getErrorType()));
      }
    } else {
      errorTypes.add(failure.getClass().getSimpleName());
    }
    Tenant tenant = caller == null ? null : caller.tenant();
    return new AuditEntry(
        start,
        tenant == null ? "" : tenant.id(),
        caller == null ? "" : caller.subject(),
        caller == null ? List.of() : caller.roles().stream().map(Enum::name).sorted().toList(),
        transport(request),
        summary.type(),
        summary.name(),
        summary.fields(),
        summary.documentSha256(),
        sha256(canonical(request.getVariables())),
        (System.nanoTime() - t0) / 1_000_000,
        outcome(response, errorTypes),
        List.copyOf(errorTypes),
        operation == null ? "" : operation.id(),
        operation == null ? 0 : operation.queries(),
        null);
  }

  /** A document and the operation a request names in it (null: its only one). */
  private record SummaryKey(String document, String operationName) {}

  /**
   * What the trail records of a request's document: the operation's type and name, its top-level
   * fields and the document's digest.
   */
  private record Summary(String type, String name, List<String> fields, String documentSha256) {}

  /**
   * Summaries of the documents seen, so that a document sent again (the dashboards send the same
   * few) is not parsed and digested again for the trail; bounded by the documents' total length.
   */
  private static final Cache<SummaryKey, Summary> SUMMARIES =
      Caffeine.newBuilder()
          .maximumWeight(8_000_000)
          .weigher(
              (SummaryKey key, Summary summary) ->
                  (key.document() == null ? 0 : key.document().length()) + 64)
          .build();

  private static Summary summarize(SummaryKey key) {
    String type = "";
    String name = key.operationName() == null ? "" : key.operationName();
    List<String> fields = new ArrayList<>();
    try {
      Document document = Parser.parse(key.document());
      for (OperationDefinition op : document.getDefinitionsOfType(OperationDefinition.class)) {
        if (key.operationName() == null || key.operationName().equals(op.getName())) {
          type = op.getOperation().name().toLowerCase(java.util.Locale.ROOT);
          name = op.getName() == null ? "" : op.getName();
          for (Selection<?> selection : op.getSelectionSet().getSelections()) {
            if (selection instanceof Field f) {
              fields.add(f.getName());
            }
          }
          break;
        }
      }
    } catch (RuntimeException unparseable) {
      // recorded as an operation of no type; graphql-java answered it with a syntax error
    }
    return new Summary(type, name, List.copyOf(fields), sha256(key.document()));
  }

  /** ok, or the most telling kind of refusal or failure among the errors. */
  static String outcome(WebGraphQlResponse response, List<String> errorTypes) {
    if (response == null) {
      return "error";
    }
    if (errorTypes.isEmpty()) {
      return "ok";
    }
    for (String[] rule :
        new String[][] {
          {"TOO_MANY_REQUESTS", "refused"},
          {"UNAUTHORIZED", "unauthorized"},
          {"FORBIDDEN", "forbidden"},
          {"BAD_REQUEST", "bad_request"},
          {"ValidationError", "bad_request"},
          {"InvalidSyntax", "bad_request"}
        }) {
      if (errorTypes.contains(rule[0])) {
        return rule[1];
      }
    }
    return "error";
  }

  private static String transport(WebGraphQlRequest request) {
    if (request instanceof WebSocketGraphQlRequest) {
      return "websocket";
    }
    return request.getHeaders().getAccept().contains(MediaType.TEXT_EVENT_STREAM) ? "sse" : "http";
  }

  /** The variables as JSON with every object's keys sorted: equal variables, equal digests. */
  static String canonical(Map<String, Object> variables) {
    try {
      return CANONICAL.writeValueAsString(new TreeMap<>(variables == null ? Map.of() : variables));
    } catch (Exception e) {
      return String.valueOf(variables);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest((text == null ? "" : text).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
