package dev.pulse.api.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.api.config.GraphQlConfig;
import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.security.Tenant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.test.tester.ExecutionGraphQlServiceTester;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.test.context.TestPropertySource;

/**
 * The GraphQL layer over a fake store (no ClickHouse): what clients see when the store side fails
 * in a way no argument check could prevent.
 */
@GraphQlTest(controllers = ServiceMetricsController.class)
@Import({
  FakeStoreGraphQlTest.Config.class,
  GraphQlConfig.class,
  SeriesPlanner.class,
  LiveServiceMetrics.class
})
@TestPropertySource(
    properties = {
      "pulse.clickhouse.url=http://127.0.0.1:1",
      "pulse.clickhouse.database=pulse",
      "pulse.dev-tokens.t=tenant-a"
    })
class FakeStoreGraphQlTest {

  /** Answers series with an internal bug's exception. */
  static class FakeStore extends ServiceMetricsRepository {

    FakeStore() {
      super(null);
    }

    @Override
    public List<ServiceMetricsPoint> series(MetricsFilter filter, SeriesWindow window) {
      throw new IllegalArgumentException(
          "buckets and counts differ in length: 12 != 11 (api_request_minutes.latency_buckets)");
    }
  }

  @TestConfiguration
  @EnableConfigurationProperties(PulseApiProperties.class)
  static class Config {
    @Bean
    FakeStore fakeStore() {
      return new FakeStore();
    }
  }

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
                        .graphQLContext(Map.of(Tenant.CONTEXT_KEY, new Tenant("tenant-a")))
                        .build())
            .build();
  }

  @Test
  void anInternalIllegalArgumentExceptionIsAnInternalErrorWithoutItsMessage() {
    tester
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
                          assertThat(e.getErrorType()).isEqualTo(ErrorType.INTERNAL_ERROR);
                          assertThat(e.getPath()).isEqualTo("serviceMetrics");
                          assertThat(e.getMessage())
                              .doesNotContain("buckets")
                              .doesNotContain("api_request_minutes");
                        }));
  }
}
