package dev.pulse.api.config;

import dev.pulse.api.limits.QueryCost;
import dev.pulse.api.limits.QueryLimits;
import dev.pulse.api.security.ForbiddenException;
import dev.pulse.api.support.InvalidArgumentException;
import dev.pulse.clickhouse.ClickHouseException;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.CoercedVariables;
import graphql.execution.instrumentation.Instrumentation;
import graphql.introspection.Introspection;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.scalars.ExtendedScalars;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeanInstantiationException;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.graphql.execution.DataFetcherExceptionResolver;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;
import org.springframework.graphql.execution.SubscriptionExceptionResolver;
import org.springframework.graphql.execution.SubscriptionExceptionResolverAdapter;
import org.springframework.graphql.server.WebGraphQlInterceptor;

/**
 * GraphQL wiring: the {@code DateTime} and {@code Long} scalars (graphql-java-extended-scalars;
 * DateTime served in UTC as before), query depth and complexity limits, schema inspection that
 * fails startup on an unmapped field, and the mapping of refused arguments and store failures to
 * clean errors.
 */
@Configuration(proxyBeanMethods = false)
public class GraphQlConfig {

  private static final Logger LOG = LoggerFactory.getLogger(GraphQlConfig.class);

  /**
   * {@code DateTime}: {@code ExtendedScalars.DateTime}'s RFC 3339 parsing (ISO-8601 with an offset;
   * the unknown offset {@code -00:00} is refused), on {@link Instant}. Served as {@link
   * Instant#toString()}, e.g. {@code 2026-03-02T09:00:00Z}: UTC, 'Z', fractional seconds only when
   * not zero (served times are whole seconds). The library's own output always writes milliseconds
   * ({@code 2026-03-02T09:00:00.000Z}) and needs an {@code OffsetDateTime}: it would change every
   * time clients read, and they compare them as strings (the SRE page keys points by time).
   */
  public static final GraphQLScalarType DATE_TIME =
      ExtendedScalars.DateTime.transform(
          scalar -> scalar.description(null).specifiedByUrl(null).coercing(new InstantCoercing()));

  /**
   * {@code Long}: {@code ExtendedScalars.GraphQLLong}, served as a JSON number (counts above Int's
   * 32 bits, a busy service's day).
   */
  public static final GraphQLScalarType LONG =
      ExtendedScalars.GraphQLLong.transform(scalar -> scalar.description(null));

  /** The library's RFC 3339 parsing to an Instant, today's wire form on output. */
  private static final class InstantCoercing implements Coercing<Instant, String> {

    private static final Coercing<?, ?> RFC_3339 = ExtendedScalars.DateTime.getCoercing();
    private static final String EXPECTED =
        "DateTime must be an ISO-8601 string, e.g. 2026-03-02T09:00:00Z";

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
      if (!(input instanceof String s)) {
        throw new CoercingParseValueException(EXPECTED);
      }
      try {
        return ((OffsetDateTime) RFC_3339.parseValue(s, context, locale)).toInstant();
      } catch (CoercingParseValueException e) {
        throw new CoercingParseValueException(notADateTime(s), e);
      }
    }

    @Override
    public Instant parseLiteral(
        Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
      if (!(input instanceof StringValue s)) {
        throw new CoercingParseLiteralException(EXPECTED);
      }
      try {
        return ((OffsetDateTime) RFC_3339.parseLiteral(s, variables, context, locale)).toInstant();
      } catch (CoercingParseLiteralException e) {
        throw new CoercingParseLiteralException(notADateTime(s.getValue()), e);
      }
    }

    @Override
    public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
      return StringValue.of(serialize(input, context, locale));
    }

    /**
     * The library's message quotes the whole input twice; this one quotes at most 64 characters.
     */
    private static String notADateTime(String s) {
      return "not an ISO-8601 (RFC 3339) date-time with a known offset, e.g. 2026-03-02T09:00:00Z: '"
          + (s.length() > 64 ? s.substring(0, 64) + "..." : s)
          + "'";
    }
  }

  /**
   * Introspection only where {@code pulse.introspection} is true (the development profile): it
   * describes the whole API. Per request, through graphql-java's context key, because Boot's {@code
   * spring.graphql.schema.introspection.enabled=false} switches it off for the whole JVM.
   */
  @Bean
  WebGraphQlInterceptor introspectionOnlyInDevelopment(Environment environment) {
    boolean introspection = environment.getProperty("pulse.introspection", Boolean.class, false);
    return (request, chain) -> {
      if (!introspection) {
        request.configureExecutionInput(
            (input, builder) ->
                builder.graphQLContext(Map.of(Introspection.INTROSPECTION_DISABLED, true)).build());
      }
      return chain.next(request);
    };
  }

  /**
   * Refuses, before anything is fetched, a query nested deeper than the configured limit or costing
   * more than it: a field costs 1 plus its schema {@code @cost} weight ({@link QueryCost}), so
   * aliased series, each a ClickHouse query, are bounded by what they cost the store. The schema's
   * only instrumentation ({@link QueryLimits}; the GraphQL observation auto-configuration is
   * excluded in application.yaml).
   */
  @Bean
  Instrumentation queryLimits(PulseApiProperties properties) {
    return new QueryLimits(
        properties.limits().maxQueryDepth(), properties.limits().maxQueryComplexity());
  }

  /**
   * The two scalars; their descriptions are cleared above so that the schema file's are the ones
   * introspection shows.
   */
  @Bean
  RuntimeWiringConfigurer pulseScalars() {
    return wiring -> wiring.scalar(DATE_TIME).scalar(LONG);
  }

  /**
   * Each distinct document is parsed and validated once ({@link ParsedDocuments}), not on every
   * request.
   */
  @Bean
  GraphQlSourceBuilderCustomizer parsedDocumentCache() {
    ParsedDocuments documents = new ParsedDocuments();
    return builder ->
        builder.configureGraphQl(graphQl -> graphQl.preparsedDocumentProvider(documents));
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
   * the caller) is BAD_REQUEST with its message; a field the caller's roles do not cover ({@link
   * ForbiddenException}) is FORBIDDEN with its message; a store failure is INTERNAL_ERROR with a
   * generic message. Anything else, including an {@code IllegalArgumentException} from a bug, is
   * left to Spring for GraphQL: logged with its stack trace and answered INTERNAL_ERROR without its
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
        if (ex instanceof ForbiddenException forbidden) {
          return GraphqlErrorBuilder.newError(env)
              .errorType(ErrorType.FORBIDDEN)
              .message(forbidden.getMessage())
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
   * Subscriptions: a refused argument is BAD_REQUEST and a field outside the caller's roles
   * FORBIDDEN, with their messages, as for queries (without this, Spring for GraphQL answers a bare
   * INTERNAL_ERROR "Subscription error").
   */
  @Bean
  SubscriptionExceptionResolver pulseSubscriptionExceptionResolver() {
    return new SubscriptionExceptionResolverAdapter() {
      @Override
      protected GraphQLError resolveToSingleError(Throwable ex) {
        if (ex instanceof ForbiddenException forbidden) {
          return GraphqlErrorBuilder.newError()
              .errorType(ErrorType.FORBIDDEN)
              .message(forbidden.getMessage())
              .build();
        }
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
