package dev.pulse.api.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.api.audit.AuditController;
import dev.pulse.api.config.GraphQlConfig;
import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.engagement.EngagementController;
import dev.pulse.api.engagement.EngagementRepository;
import dev.pulse.api.engagement.LiveSessionMinutes;
import dev.pulse.api.qoe.LiveQoe;
import dev.pulse.api.qoe.QoeController;
import dev.pulse.api.qoe.QoeRepository;
import dev.pulse.api.security.MeController;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Role;
import dev.pulse.api.security.Tenant;
import dev.pulse.api.series.SeriesPlanner;
import dev.pulse.api.series.SeriesWindow;
import dev.pulse.api.slo.SloController;
import dev.pulse.api.slo.SloQueries;
import dev.pulse.api.testing.TestCallers;
import dev.pulse.api.uptime.UptimeController;
import dev.pulse.api.uptime.UptimeQueries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
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
import reactor.core.Disposable;

/**
 * The GraphQL layer over a fake store (no ClickHouse): what clients see when the store side fails
 * in a way no argument check could prevent, and how many polls live subscriptions cost.
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
  FakeStoreGraphQlTest.Config.class,
  GraphQlConfig.class,
  EngagementRepository.class,
  LiveSessionMinutes.class,
  SeriesPlanner.class,
  LiveServiceMetrics.class,
  QoeRepository.class,
  LiveQoe.class,
  SloQueries.class,
  UptimeQueries.class
})
@TestPropertySource(
    properties = {
      "pulse.clickhouse.url=http://127.0.0.1:1",
      "pulse.clickhouse.database=pulse",
      "pulse.live.poll-interval=100ms"
    })
class FakeStoreGraphQlTest {

  /**
   * Answers series with an internal bug's exception. Live polls count per filter and find one new
   * minute each: the latest stored minute is T0 when a poller starts, and each later poll stores
   * the next minute and returns every stored minute from where it asks (numbers never change).
   */
  static class FakeStore extends ServiceMetricsRepository {

    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    final Map<MetricsFilter, AtomicInteger> polls = new ConcurrentHashMap<>();
    final Map<MetricsFilter, AtomicInteger> starts = new ConcurrentHashMap<>();
    final Map<MetricsFilter, Instant> newest = new ConcurrentHashMap<>();

    FakeStore() {
      super(null);
    }

    @Override
    public List<ServiceMetricsPoint> series(
        MetricsFilter filter, SeriesWindow window, Operation operation) {
      throw new IllegalArgumentException(
          "buckets and counts differ in length: 12 != 11 (api_request_minutes.latency_buckets)");
    }

    @Override
    public List<ServiceMetricsPoint> latestMinutes(
        MetricsFilter filter, Duration before, Operation operation) {
      count(polls, filter);
      count(starts, filter);
      newest.put(filter, T0);
      return List.of(point(T0));
    }

    @Override
    public List<ServiceMetricsPoint> minutesSince(
        MetricsFilter filter, Instant since, int limit, Operation operation) {
      count(polls, filter);
      Instant last = newest.merge(filter, T0, (m, t0) -> m.plus(Duration.ofMinutes(1)));
      List<ServiceMetricsPoint> points = new ArrayList<>();
      for (Instant m = since.isAfter(T0) ? since : T0; !m.isAfter(last); m = m.plusSeconds(60)) {
        points.add(point(m));
      }
      return points;
    }

    int polls(MetricsFilter filter) {
      return polls.getOrDefault(filter, new AtomicInteger()).get();
    }

    int starts(MetricsFilter filter) {
      return starts.getOrDefault(filter, new AtomicInteger()).get();
    }

    private static void count(Map<MetricsFilter, AtomicInteger> counts, MetricsFilter filter) {
      counts.computeIfAbsent(filter, f -> new AtomicInteger()).incrementAndGet();
    }

    private static ServiceMetricsPoint point(Instant minute) {
      return new ServiceMetricsPoint(minute, 1, 0, 0, 0.0, 5.0, 5.0, 5.0, 5.0);
    }
  }

  @TestConfiguration
  @EnableConfigurationProperties(PulseApiProperties.class)
  static class Config {
    @Bean
    FakeStore fakeStore() {
      return new FakeStore();
    }

    /** The audit trail's reader, at a port where nothing listens (nothing here reads it). */
    @Bean(destroyMethod = "close")
    dev.pulse.clickhouse.ClickHouse clickHouse() {
      return dev.pulse.clickhouse.ClickHouse.connect("http://127.0.0.1:1", "default", "", "pulse");
    }
  }

  @Autowired private ExecutionGraphQlServiceTester anonymous;

  private GraphQlTester tester;

  @Autowired private FakeStore store;

  @Autowired private LiveServiceMetrics live;

  @BeforeEach
  void asTenantA() {
    tester = as("tenant-a");
  }

  private GraphQlTester as(String tenant) {
    return anonymous
        .mutate()
        .configureExecutionInput(
            (input, builder) ->
                builder
                    .graphQLContext(TestCallers.context(TestCallers.of(tenant, Role.SRE)))
                    .build())
        .build();
  }

  /** Subscribes {@code tenant} to {@code service}'s updates, collecting the minutes received. */
  private Disposable follow(String tenant, String service, List<Instant> received) {
    return as(tenant)
        .documentName("serviceMetricsUpdates")
        .variable("service", service)
        .executeSubscription()
        .toFlux("serviceMetricsUpdates.time", String.class)
        .subscribe(t -> received.add(Instant.parse(t)));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static MetricsFilter filter(String tenant, String service) {
    return new MetricsFilter(new Tenant(tenant), service, null, null, null);
  }

  @Test
  void twoSubscribersOfTheSameFilterShareOnePollPerInterval() throws Exception {
    List<Instant> a = new CopyOnWriteArrayList<>();
    List<Instant> b = new CopyOnWriteArrayList<>();
    Disposable first = follow("tenant-a", "shared-api", a);
    Disposable second = follow("tenant-a", "shared-api", b);
    Instant fifth = FakeStore.T0.plus(Duration.ofMinutes(5));
    try {
      await(
          "both subscribers to see the sixth minute", () -> a.contains(fifth) && b.contains(fifth));
    } finally {
      first.dispose();
      second.dispose();
    }
    await("the poller to stop", () -> live.pollers() == 0);

    // Each poll finds exactly one new minute. One poller: as many polls as minutes found (one
    // more if a poll was under way when the subscribers left). A poller per subscriber would have
    // polled twice as often.
    Set<Instant> found = new TreeSet<>(a);
    found.addAll(b);
    assertThat(store.polls(filter("tenant-a", "shared-api")))
        .isBetween(found.size(), found.size() + 1);
    assertThat(store.starts(filter("tenant-a", "shared-api"))).isEqualTo(1);
    // Both saw the same minutes, each once, in order; a later joiner from the latest one on.
    assertThat(a).doesNotHaveDuplicates().isSorted().startsWith(FakeStore.T0);
    assertThat(b).doesNotHaveDuplicates().isSorted().isNotEmpty();
    assertThat(a).containsSubsequence(b);
    assertThat(a.subList(a.indexOf(b.get(0)), a.indexOf(fifth) + 1))
        .isEqualTo(b.subList(0, b.indexOf(fifth) + 1));
  }

  @Test
  void tenantsPollSeparatelyAndALaterSubscriberStartsAFreshPoller() throws Exception {
    List<Instant> a = new CopyOnWriteArrayList<>();
    List<Instant> b = new CopyOnWriteArrayList<>();
    Disposable tenantA = follow("tenant-a", "tenants-api", a);
    Disposable tenantB = follow("tenant-b", "tenants-api", b);
    try {
      await("both tenants' first minutes", () -> !a.isEmpty() && !b.isEmpty());
      assertThat(live.pollers()).isEqualTo(2);
    } finally {
      tenantA.dispose();
      tenantB.dispose();
    }
    await("both pollers to stop", () -> live.pollers() == 0);
    assertThat(store.starts(filter("tenant-a", "tenants-api"))).isEqualTo(1);
    assertThat(store.starts(filter("tenant-b", "tenants-api"))).isEqualTo(1);

    // Nobody follows the filter any more: the next subscriber starts over from the latest minute.
    List<Instant> again = new CopyOnWriteArrayList<>();
    Disposable later = follow("tenant-a", "tenants-api", again);
    try {
      await("the new subscriber's first minute", () -> !again.isEmpty());
      assertThat(again.get(0)).isEqualTo(FakeStore.T0);
      assertThat(store.starts(filter("tenant-a", "tenants-api"))).isEqualTo(2);
    } finally {
      later.dispose();
    }
    await("the poller to stop", () -> live.pollers() == 0);
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
