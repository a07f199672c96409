package dev.pulse.api.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ExecutionResult;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationCreateStateParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.instrumentation.parameters.InstrumentationValidationParameters;
import graphql.language.Document;
import graphql.validation.ValidationError;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses, before anything is fetched, an operation nested deeper than {@code maxDepth} or costing
 * more than {@code maxComplexity} ({@link QueryCost}): graphql-java's own depth and complexity
 * instrumentations, as one instrumentation, each walk done once per distinct document and
 * operation. Field weights are the schema's, so an operation's depth and cost depend only on its
 * document, unless {@code @skip} or {@code @include} make them depend on its variables: those
 * documents are walked on every request. The one instrumentation of the schema: each more
 * instrumentation costs every field of every answer a turn through graphql-java's chain.
 */
public final class QueryLimits extends SimplePerformantInstrumentation {

  /** Distinct documents whose operations are remembered (the parsed-document cache's size). */
  static final int DOCUMENTS = 10_000;

  private final MaxQueryDepthInstrumentation depth;
  private final MaxQueryComplexityInstrumentation complexity;

  /**
   * The operations of each document (by identity: the parsed-document cache hands out one instance
   * per text) found within both limits.
   */
  private final Cache<Document, Set<String>> passed =
      Caffeine.newBuilder().weakKeys().maximumSize(DOCUMENTS).build();

  public QueryLimits(int maxDepth, int maxComplexity) {
    this.depth = new MaxQueryDepthInstrumentation(maxDepth);
    this.complexity = new MaxQueryComplexityInstrumentation(maxComplexity, new QueryCost());
  }

  @Override
  public CompletableFuture<InstrumentationState> createStateAsync(
      InstrumentationCreateStateParameters parameters) {
    return complexity.createStateAsync(parameters);
  }

  @Override
  public InstrumentationContext<List<ValidationError>> beginValidation(
      InstrumentationValidationParameters parameters, InstrumentationState state) {
    return complexity.beginValidation(parameters, state);
  }

  @Override
  public InstrumentationContext<ExecutionResult> beginExecuteOperation(
      InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
    ExecutionContext context = parameters.getExecutionContext();
    String query = context.getExecutionInput().getQuery();
    boolean conditional = query.contains("@skip") || query.contains("@include");
    String operation = Objects.toString(context.getExecutionInput().getOperationName(), "");
    Set<String> known = conditional ? null : passed.getIfPresent(context.getDocument());
    if (known != null && known.contains(operation)) {
      return SimpleInstrumentationContext.noOp();
    }
    // Each throws an AbortExecutionException (a GraphQL error, nothing fetched) over its limit.
    depth.beginExecuteOperation(parameters, state);
    complexity.beginExecuteOperation(parameters, state);
    if (!conditional) {
      passed.get(context.getDocument(), d -> ConcurrentHashMap.newKeySet()).add(operation);
    }
    return SimpleInstrumentationContext.noOp();
  }
}
