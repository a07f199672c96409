package dev.pulse.api.config;

import dev.pulse.api.services.InvalidArgumentException;
import dev.pulse.clickhouse.ClickHouseException;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.CoercedVariables;
import graphql.execution.instrumentation.Instrumentation;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeanInstantiationException;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.DataFetcherExceptionResolver;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;
import org.springframework.graphql.execution.SubscriptionExceptionResolver;
import org.springframework.graphql.execution.SubscriptionExceptionResolverAdapter;

/**
 * GraphQL wiring: the {@code DateTime} scalar (ISO-8601 with offset, served in UTC), schema
 * inspection that fails startup on an unmapped field, and the mapping of refused arguments and
 * store failures to clean errors.
 */
@Configuration(proxyBeanMethods = false)
public class GraphQlConfig {

  private static final Logger LOG = LoggerFactory.getLogger(GraphQlConfig.class);

  /** An instant as ISO-8601 with an offset, e.g. {@code 2026-03-02T09:00:00Z}. */
  public static final GraphQLScalarType DATE_TIME =
      GraphQLScalarType.newScalar()
          .name("DateTime")
          .description(
              "An instant as ISO-8601 with an offset, e.g. 2026-03-02T09:00:00Z; served in UTC.")
          .coercing(
              new Coercing<Instant, String>() {
                @Override
                public String serialize(Object value, GraphQLContext context, Locale locale) {
                  if (value instanceof Instant i) {
                    return i.toString();
                  }
                  throw new CoercingSerializeException(
                      "DateTime cannot serialize " + value.getClass().getName());
                }

                @Override
                public Instant parseValue(Object input, GraphQLContext context, Locale locale) {
                  if (input instanceof String s) {
                    return parse(s, CoercingParseValueException::new);
                  }
                  throw new CoercingParseValueException(
                      "DateTime must be an ISO-8601 string, e.g. 2026-03-02T09:00:00Z");
                }

                @Override
                public Instant parseLiteral(
                    Value<?> input,
                    CoercedVariables variables,
                    GraphQLContext context,
                    Locale locale) {
                  if (input instanceof StringValue s) {
                    return parse(s.getValue(), CoercingParseLiteralException::new);
                  }
                  throw new CoercingParseLiteralException(
                      "DateTime must be an ISO-8601 string, e.g. 2026-03-02T09:00:00Z");
                }
              })
          .build();

  private static <E extends RuntimeException> Instant parse(
      String s, java.util.function.Function<String, E> error) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw error.apply(
          "not an ISO-8601 date-time with offset (e.g. 2026-03-02T09:00:00Z): '"
              + (s.length() > 64 ? s.substring(0, 64) + "..." : s)
              + "'");
    }
  }

  /** Counts above Int's 32 bits (a busy service's day): served as JSON numbers, output only. */
  public static final GraphQLScalarType LONG =
      GraphQLScalarType.newScalar()
          .name("Long")
          .description("A 64-bit integer count.")
          .coercing(
              new Coercing<Long, Long>() {
                @Override
                public Long serialize(Object value, GraphQLContext context, Locale locale) {
                  if (value instanceof Long l) {
                    return l;
                  }
                  throw new CoercingSerializeException(
                      "Long cannot serialize " + value.getClass().getName());
                }

                @Override
                public Long parseValue(Object input, GraphQLContext context, Locale locale) {
                  if (input instanceof Number n && n.longValue() == n.doubleValue()) {
                    return n.longValue();
                  }
                  throw new CoercingParseValueException("Long must be an integer");
                }

                @Override
                public Long parseLiteral(
                    Value<?> input,
                    CoercedVariables variables,
                    GraphQLContext context,
                    Locale locale) {
                  if (input instanceof graphql.language.IntValue i) {
                    return i.getValue().longValueExact();
                  }
                  throw new CoercingParseLiteralException("Long must be an integer literal");
                }
              })
          .build();

  /** Refuses, before anything is fetched, a query nested deeper than the configured limit. */
  @Bean
  Instrumentation maxQueryDepth(PulseApiProperties properties) {
    return new MaxQueryDepthInstrumentation(properties.limits().maxQueryDepth());
  }

  /**
   * Refuses, before anything is fetched, a query selecting more fields than the configured limit:
   * each aliased series is a ClickHouse query, so the field count bounds a query's cost.
   */
  @Bean
  Instrumentation maxQueryComplexity(PulseApiProperties properties) {
    return new MaxQueryComplexityInstrumentation(properties.limits().maxQueryComplexity());
  }

  @Bean
  RuntimeWiringConfigurer pulseScalars() {
    return wiring -> wiring.scalar(DATE_TIME).scalar(LONG);
  }

  /**
   * Inspection on: a schema field without a data fetcher (or an unused controller method) stops
   * startup.
   */
  @Bean
  GraphQlSourceBuilderCustomizer failOnUnmappedSchema() {
    return builder ->
        builder.inspectSchemaMappings(
            report -> {
              if (!report.unmappedFields().isEmpty()
                  || !report.unmappedRegistrations().isEmpty()
                  || !report.unmappedArguments().isEmpty()
                  || !report.skippedTypes().isEmpty()) {
                throw new IllegalStateException(
                    "GraphQL schema and controllers disagree: " + report);
              }
            });
  }

  /**
   * Queries: a refused argument ({@link InvalidArgumentException}, ours, with a message written for
   * the caller) is BAD_REQUEST with its message; a store failure is INTERNAL_ERROR with a generic
   * message. Anything else, including an {@code IllegalArgumentException} from a bug, is left to
   * Spring for GraphQL: logged with its stack trace and answered INTERNAL_ERROR without its
   * message.
   */
  @Bean
  DataFetcherExceptionResolver pulseExceptionResolver() {
    return new DataFetcherExceptionResolverAdapter() {
      @Override
      protected GraphQLError resolveToSingleError(Throwable ex, DataFetchingEnvironment env) {
        InvalidArgumentException refused = refusedArgument(ex);
        if (refused != null) {
          return GraphqlErrorBuilder.newError(env)
              .errorType(ErrorType.BAD_REQUEST)
              .message(refused.getMessage())
              .build();
        }
        if (ex instanceof ClickHouseException) {
          // The server's text names tables and SQL: it goes to the log, not to the caller.
          LOG.error("ClickHouse failed for {}", env.getField().getName(), ex);
          return GraphqlErrorBuilder.newError(env)
              .errorType(ErrorType.INTERNAL_ERROR)
              .message("the metrics store could not answer; the server log has the details")
              .build();
        }
        return null;
      }
    };
  }

  /**
   * Subscriptions: a refused argument is BAD_REQUEST with its message, as for queries (without
   * this, Spring for GraphQL answers a bare INTERNAL_ERROR "Subscription error").
   */
  @Bean
  SubscriptionExceptionResolver pulseSubscriptionExceptionResolver() {
    return new SubscriptionExceptionResolverAdapter() {
      @Override
      protected GraphQLError resolveToSingleError(Throwable ex) {
        InvalidArgumentException refused = refusedArgument(ex);
        if (refused == null) {
          return null;
        }
        return GraphqlErrorBuilder.newError()
            .errorType(ErrorType.BAD_REQUEST)
            .message(refused.getMessage())
            .build();
      }
    };
  }

  /**
   * {@code ex} as a refused argument, or null. An arguments record's constructor that refuses a
   * value reaches the resolvers wrapped by the binder in a {@link BeanInstantiationException}.
   */
  private static InvalidArgumentException refusedArgument(Throwable ex) {
    if (ex instanceof BeanInstantiationException bound) {
      ex = bound.getCause();
    }
    return ex instanceof InvalidArgumentException refused ? refused : null;
  }
}
