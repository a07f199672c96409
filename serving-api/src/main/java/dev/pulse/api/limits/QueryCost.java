package dev.pulse.api.limits;

import graphql.analysis.FieldComplexityCalculator;
import graphql.analysis.FieldComplexityEnvironment;
import graphql.schema.GraphQLAppliedDirective;
import graphql.schema.GraphQLAppliedDirectiveArgument;

/**
 * What a field costs in a query's complexity: 1, plus the weight of its {@code @cost(weight: N)}
 * directive in the schema, which every field that sends a query to ClickHouse carries; its
 * children's costs are added as usual. So {@code pulse.limits.max-query-complexity} bounds the
 * store queries one operation can cause, aliases included (150 aliased series cannot become 150
 * queries).
 */
public final class QueryCost implements FieldComplexityCalculator {

  /** The schema directive that weights a field. */
  public static final String DIRECTIVE = "cost";

  @Override
  public int calculate(FieldComplexityEnvironment environment, int childComplexity) {
    return 1 + weight(environment) + childComplexity;
  }

  private static int weight(FieldComplexityEnvironment environment) {
    if (environment.getFieldDefinition() == null) {
      return 0; // __typename and introspection's own fields
    }
    GraphQLAppliedDirective cost = environment.getFieldDefinition().getAppliedDirective(DIRECTIVE);
    if (cost == null) {
      return 0;
    }
    GraphQLAppliedDirectiveArgument weight = cost.getArgument("weight");
    Object value = weight == null ? null : weight.getValue();
    return value instanceof Number n ? n.intValue() : 0;
  }
}
