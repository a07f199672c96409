package dev.pulse.api.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.api.audit.AuditController;
import dev.pulse.api.config.ClickHouseConfig;
import dev.pulse.api.config.GraphQlConfig;
import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.engagement.EngagementController;
import dev.pulse.api.engagement.EngagementRepository;
import dev.pulse.api.engagement.LiveSessionMinutes;
import dev.pulse.api.qoe.LiveQoe;
import dev.pulse.api.qoe.QoeController;
import dev.pulse.api.qoe.QoeRepository;
import dev.pulse.api.security.MeController;
import dev.pulse.api.security.Role;
import dev.pulse.api.series.SeriesPlanner;
import dev.pulse.api.slo.SloController;
import dev.pulse.api.slo.SloQueries;
import dev.pulse.api.testing.TestCallers;
import dev.pulse.api.uptime.UptimeController;
import dev.pulse.api.uptime.UptimeQueries;
import graphql.ErrorType;
import graphql.schema.GraphQLArgument;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.ResponseError;
import org.springframework.graphql.execution.GraphQlSource;
import org.springframework.graphql.execution.SubscriptionPublisherException;
import org.springframework.graphql.test.tester.ExecutionGraphQlServiceTester;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.test.context.TestPropertySource;

/**
 * Argument validation of serviceMetrics through the GraphQL layer. ClickHouse is configured at a
 * port where nothing listens: a refused argument must be answered BAD_REQUEST before any query is
 * sent, so an argument that slipped through would show up as an INTERNAL_ERROR (unreachable store)
 * and fail these tests.
 */
@GraphQlTest(
    controllers = {
      ServiceMetricsController.class,
      MeController.class,
      AuditController.class,
      EngagementController.class,
      QoeController.class,
      SloController.class,
      UptimeController.class
    })
@Import({
  ServiceMetricsArgumentsGraphQlTest.Config.class,
  GraphQlConfig.class,
  EngagementRepository.class,
  LiveSessionMinutes.class,
  ClickHouseConfig.class,
  ServiceMetricsRepository.class,
  SeriesPlanner.class,
  LiveServiceMetrics.class,
  QoeRepository.class,
  LiveQoe.class,
  SloQueries.class,
  UptimeQueries.class
})
@TestPropertySource(
    properties = {"pulse.clickhouse.url=http://127.0.0.1:1", "pulse.clickhouse.database=pulse"})
class ServiceMetricsArgumentsGraphQlTest {

  @TestConfiguration
  @EnableConfigurationProperties(PulseApiProperties.class)
  static class Config {}

  @Autowired private ExecutionGraphQlServiceTester anonymous;

  private GraphQlTester tester;

  @BeforeEach
  void asTenantA() {
    tester =
        anonymous
            .mutate()
            .configureExecutionInput(
                (input, builder) ->
                    builder
                        .graphQLContext(TestCallers.context(TestCallers.of("tenant-a", Role.SRE)))
                        .build())
            .build();
  }

  private GraphQlTester.Request<?> series(String from, String to, String granularity) {
    return tester
        .documentName("serviceMetrics")
        .variable("service", "courses-api")
        .variable("from", from)
        .variable("to", to)
        .variable("granularity", granularity);
  }

  private static Consumer<List<ResponseError>> oneError(Object type, String messagePart) {
    return errors ->
        assertThat(errors)
            .singleElement()
            .satisfies(
                e -> {
                  assertThat(e.getErrorType()).isEqualTo(type);
                  assertThat(e.getMessage()).contains(messagePart);
                });
  }

  @Autowired private GraphQlSource graphQlSource;

  /**
   * Schema inspection does not look into {@code @Arguments} records: their components must be named
   * exactly as the field's arguments, or a renamed argument would arrive as null.
   */
  @Test
  void theArgumentRecordsNameExactlyTheSchemasArguments() {
    GraphQLSchema schema = graphQlSource.schema();
    assertThat(components(SeriesQuery.class))
        .containsExactlyInAnyOrderElementsOf(
            arguments(schema.getQueryType().getFieldDefinition("serviceMetrics")));
    assertThat(components(UpdatesQuery.class))
        .containsExactlyInAnyOrderElementsOf(
            arguments(schema.getSubscriptionType().getFieldDefinition("serviceMetricsUpdates")));
  }

  private static List<String> components(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
  }

  private static List<String> arguments(GraphQLFieldDefinition field) {
    return field.getArguments().stream().map(GraphQLArgument::getName).toList();
  }

  @Test
  void fromEqualToToIsABadRequest() {
    series("2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z", null)
        .execute()
        .errors()
        .satisfy(
            oneError(
                org.springframework.graphql.execution.ErrorType.BAD_REQUEST, "must be before to"));
  }

  @Test
  void fromAfterToIsABadRequest() {
    series("2026-03-02T10:00:00Z", "2026-03-02T09:00:00Z", "MINUTE")
        .execute()
        .errors()
        .satisfy(
            oneError(
                org.springframework.graphql.execution.ErrorType.BAD_REQUEST, "must be before to"));
  }

  @Test
  void aRangeLongerThanFourHundredDaysIsABadRequest() {
    series("2025-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "DAY")
        .execute()
        .errors()
        .satisfy(
            oneError(
                org.springframework.graphql.execution.ErrorType.BAD_REQUEST, "limit of 400 days"));
  }

  @Test
  void tooManyPointsForTheAskedGranularityIsABadRequest() {
    // Two days by minute: 2880 points, above the default limit of 1500.
    series("2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z", "MINUTE")
        .execute()
        .errors()
        .satisfy(
            oneError(org.springframework.graphql.execution.ErrorType.BAD_REQUEST, "2880 points"));
  }

  @Test
  void anUnknownGranularityIsRejectedByTheSchema() {
    tester
        .documentName("serviceMetricsLiteralGranularity")
        .execute()
        .errors()
        .satisfy(oneError(ErrorType.ValidationError, "WEEK"));
  }

  @Test
  void anUnknownGranularityVariableIsRejectedByTheSchema() {
    series("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z", "FORTNIGHT")
        .execute()
        .errors()
        .satisfy(oneError(ErrorType.ValidationError, "FORTNIGHT"));
  }

  @Test
  void aDateTimeWithoutOffsetIsRejected() {
    series("2026-03-02 09:00", "2026-03-02T10:00:00Z", null)
        .execute()
        .errors()
        .satisfy(oneError(ErrorType.ValidationError, "ISO-8601"));
  }

  @Test
  void aMalformedDateTimeLiteralIsRejectedByTheSchema() {
    tester
        .document(
            "{ serviceMetrics(service: \"courses-api\", from: \"2026-03-02T09:00:00-00:00\","
                + " to: \"2026-03-02 10:00\") { granularity } }")
        .execute()
        .errors()
        .satisfy(
            errors ->
                assertThat(errors)
                    .hasSize(2)
                    .allSatisfy(
                        e -> {
                          assertThat(e.getErrorType()).isEqualTo(ErrorType.ValidationError);
                          assertThat(e.getMessage()).contains("ISO-8601");
                        }));
  }

  @Test
  void introspectionShowsTheSchemaFilesScalarDescriptions() {
    GraphQLSchema schema = graphQlSource.schema();
    assertThat(schema.getType("DateTime"))
        .isInstanceOfSatisfying(
            GraphQLScalarType.class,
            t -> {
              assertThat(t.getDescription())
                  .isEqualTo(
                      "An instant as ISO-8601 with an offset, e.g. 2026-03-02T09:00:00Z; served"
                          + " in UTC.");
              assertThat(t.getSpecifiedByUrl()).isNull();
            });
    assertThat(schema.getType("Long"))
        .isInstanceOfSatisfying(
            GraphQLScalarType.class,
            t -> assertThat(t.getDescription()).startsWith("A 64-bit integer count"));
  }

  @Test
  void anOverLongServiceNameIsABadRequest() {
    tester
        .documentName("serviceMetrics")
        .variable("service", "x'".repeat(200))
        .variable("from", "2026-03-02T09:00:00Z")
        .variable("to", "2026-03-02T10:00:00Z")
        .execute()
        .errors()
        .satisfy(
            oneError(
                org.springframework.graphql.execution.ErrorType.BAD_REQUEST,
                "service is 400 characters"));
  }

  @Test
  void aLoneSurrogateInAnArgumentIsABadRequestNotAStoreError() {
    tester
        .documentName("serviceMetrics")
        .variable("service", "api\uD800")
        .variable("from", "2026-03-02T09:00:00Z")
        .variable("to", "2026-03-02T10:00:00Z")
        .execute()
        .errors()
        .satisfy(
            oneError(org.springframework.graphql.execution.ErrorType.BAD_REQUEST, "surrogate"));
  }

  @Test
  void aLoneLowSurrogateInAnOptionalArgumentIsABadRequest() {
    tester
        .documentName("serviceMetrics")
        .variable("service", "courses-api")
        .variable("region", "eu\uDC00west")
        .variable("from", "2026-03-02T09:00:00Z")
        .variable("to", "2026-03-02T10:00:00Z")
        .execute()
        .errors()
        .satisfy(
            oneError(
                org.springframework.graphql.execution.ErrorType.BAD_REQUEST,
                "region contains an unpaired UTF-16 surrogate (U+DC00 at index 2)"));
  }

  @Test
  void aPairedSurrogateIsAnOrdinaryCharacter() {
    // U+1F600 as a surrogate pair passes the argument checks and reaches the (unreachable) store.
    tester
        .documentName("serviceMetrics")
        .variable("service", "api\uD83D\uDE00")
        .variable("from", "2026-03-02T09:00:00Z")
        .variable("to", "2026-03-02T10:00:00Z")
        .execute()
        .errors()
        .satisfy(
            oneError(
                org.springframework.graphql.execution.ErrorType.INTERNAL_ERROR,
                "metrics store could not answer"));
  }

  @Test
  void aSubscriptionWithALoneSurrogateIsABadRequest() {
    // Before the argument records checked it, this subscription polled forever, every poll failing
    // in SqlLiteral.
    assertSubscriptionRefusedAsBadRequest("surrogate", "service", "api\uD800");
  }

  @Test
  void anOverLongSubscriptionArgumentIsABadRequest() {
    assertSubscriptionRefusedAsBadRequest(
        "endpoint is 257 characters long", "service", "courses-api", "endpoint", "/".repeat(257));
  }

  @Test
  void aRangeBefore1970IsABadRequest() {
    series("1960-01-01T00:00:00Z", "1960-01-02T00:00:00Z", null)
        .execute()
        .errors()
        .satisfy(
            oneError(
                org.springframework.graphql.execution.ErrorType.BAD_REQUEST,
                "outside what the store holds"));
  }

  /** {@code n} aliased series selecting only their granularity: the cheapest a series can be. */
  private static String aliasedSeries(int n) {
    StringBuilder query = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      query
          .append(" s")
          .append(i)
          .append(": serviceMetrics(service: \"courses-api\",")
          .append(" from: \"2026-03-02T09:00:00Z\", to: \"2026-03-02T10:00:00Z\") { granularity }");
    }
    return query.append(" }").toString();
  }

  @Test
  void aHundredAndFiftyAliasedSeriesAreRefusedBeforeAnythingIsRead() {
    // 300 fields: within a field-count limit of 300, but 150 store queries. The schema weights
    // serviceMetrics at 50, so this costs 150 * 52 and is refused before execution (the
    // unreachable store is never asked: that would be INTERNAL_ERROR).
    tester.document(aliasedSeries(150)).execute().errors().satisfy(refusedForItsCost());
  }

  @Test
  void fiveSeriesFitTheDefaultCostLimitAndSixDoNot() {
    // Hand-worked: a series selecting one field costs 1 + 50 (its @cost) + 1 = 52; the default
    // limit is 300: 5 * 52 = 260 runs (and reaches the unreachable store), 6 * 52 = 312 does not.
    tester
        .document(aliasedSeries(5))
        .execute()
        .errors()
        .satisfy(
            errors ->
                assertThat(errors)
                    .hasSize(5)
                    .allSatisfy(
                        e ->
                            assertThat(e.getErrorType())
                                .isEqualTo(
                                    org.springframework.graphql.execution.ErrorType
                                        .INTERNAL_ERROR)));
    tester.document(aliasedSeries(6)).execute().errors().satisfy(refusedForItsCost());
  }

  /** The same, each series after the first included only when {@code $all}. */
  private static String conditionalSeries(int n) {
    return "query($all: Boolean!) "
        + aliasedSeries(n)
            .replaceAll("(s[1-9]\\d*: serviceMetrics\\([^)]*\\))", "$1 @include(if: \\$all)");
  }

  @Test
  void aDocumentWhoseCostDependsOnItsVariablesIsCheckedOnEveryRequest() {
    String document = conditionalSeries(6);
    assertThat(document).contains("s5: serviceMetrics(").contains("@include(if: $all)");
    // One series (52) runs and reaches the unreachable store; then the same document with all six
    // (312 > 300) is refused: its earlier pass is not taken for this one's.
    tester
        .document(document)
        .variable("all", false)
        .execute()
        .errors()
        .satisfy(errors -> assertThat(errors).singleElement().satisfies(internalError()));
    tester.document(document).variable("all", true).execute().errors().satisfy(refusedForItsCost());
  }

  @Test
  void theCheapOperationOfADocumentPassingDoesNotLetItsCostlyOneThrough() {
    String document = "query cheap " + aliasedSeries(1) + " query costly " + aliasedSeries(6);
    for (int i = 0; i < 2; i++) {
      tester
          .document(document)
          .operationName("cheap")
          .execute()
          .errors()
          .satisfy(errors -> assertThat(errors).singleElement().satisfies(internalError()));
      tester
          .document(document)
          .operationName("costly")
          .execute()
          .errors()
          .satisfy(refusedForItsCost());
    }
  }

  /** One error, the cost limit's: nothing was fetched. */
  private static Consumer<List<ResponseError>> refusedForItsCost() {
    return errors ->
        assertThat(errors)
            .singleElement()
            .satisfies(e -> assertThat(e.getMessage()).contains("complexity"));
  }

  private static Consumer<ResponseError> internalError() {
    return e ->
        assertThat(e.getErrorType())
            .isEqualTo(org.springframework.graphql.execution.ErrorType.INTERNAL_ERROR);
  }

  @Test
  void anEducatorIsForbiddenServiceMetricsButMayAskWhoTheyAre() {
    GraphQlTester educator =
        anonymous
            .mutate()
            .configureExecutionInput(
                (input, builder) ->
                    builder
                        .graphQLContext(
                            TestCallers.context(TestCallers.of("tenant-a", Role.EDUCATOR)))
                        .build())
            .build();
    educator
        .document("{ services { name } }")
        .execute()
        .errors()
        .satisfy(
            oneError(
                org.springframework.graphql.execution.ErrorType.FORBIDDEN,
                "service metrics are for the roles [SRE, ANALYST, OPERATOR]"));
    educator
        .document("{ me { tenant roles } }")
        .execute()
        .path("me.tenant")
        .entity(String.class)
        .isEqualTo("tenant-a")
        .path("me.roles")
        .entityList(String.class)
        .containsExactly("EDUCATOR");
  }

  @Test
  void graphiqlsIntrospectionQueryIsWithinTheLimits() {
    // Introspection is on in the development profile only; this test runs below the interceptor
    // that turns it off otherwise.
    tester
        .document(graphql.introspection.IntrospectionQuery.INTROSPECTION_QUERY)
        .execute()
        .errors()
        .verify();
  }

  @Test
  void withoutATenantInTheContextNothingIsRead() {
    anonymous
        .documentName("serviceMetrics")
        .variable("service", "courses-api")
        .variable("from", "2026-03-02T09:00:00Z")
        .variable("to", "2026-03-02T10:00:00Z")
        .execute()
        .errors()
        .satisfy(
            errors ->
                assertThat(errors)
                    .singleElement()
                    .satisfies(
                        e -> {
                          assertThat(e.getErrorType())
                              .isEqualTo(
                                  org.springframework.graphql.execution.ErrorType.INTERNAL_ERROR);
                          assertThat(e.getPath()).isEqualTo("serviceMetrics");
                        }));
  }

  /** Subscribing with {@code variables} (name, value pairs) fails with one BAD_REQUEST error. */
  private void assertSubscriptionRefusedAsBadRequest(String messagePart, Object... variables) {
    GraphQlTester.Request<?> request = tester.documentName("serviceMetricsUpdates");
    for (int i = 0; i < variables.length; i += 2) {
      request = request.variable((String) variables[i], variables[i + 1]);
    }
    GraphQlTester.Request<?> subscription = request;
    assertThatThrownBy(
            () -> subscription.executeSubscription().toFlux().blockFirst(Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            SubscriptionPublisherException.class,
            e ->
                assertThat(e.getErrors())
                    .singleElement()
                    .satisfies(
                        error -> {
                          assertThat(error.getErrorType())
                              .isEqualTo(
                                  org.springframework.graphql.execution.ErrorType.BAD_REQUEST);
                          assertThat(error.getMessage()).contains(messagePart);
                        }));
  }
}
