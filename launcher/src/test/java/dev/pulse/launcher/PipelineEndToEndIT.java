package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.oracle.ApiKey;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.ApiStats;
import dev.pulse.oracle.Grain;
import dev.pulse.oracle.Quantiles;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.FaultReport;
import dev.pulse.simulator.Incident;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole slice, end to end: the simulator (fixed seed, with duplicates, out-of-order, late and
 * malformed records) writes to a real Kafka broker; the API metrics job runs on a Flink MiniCluster
 * into a real ClickHouse built by the migrations; serving-api answers GraphQL over HTTP. Every
 * number a dashboard would show is compared with the oracle's recount of the generated events.
 *
 * <p>The topic has one partition and the job runs at parallelism 1, so which events arrive too late
 * is decided by the simulator's delivery order alone: an event whose first delivery the simulator
 * held back 10-30 minutes ({@code LATE}) is beyond the 30 s allowed lateness, and one held back
 * 1-20 s ({@code OUT_OF_ORDER}) is within it. Only minutes more than 31 minutes before the end are
 * compared, because the simulator flushes still-held late events at the end of a finite run, where
 * they trail by less.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineEndToEndIT {

  private static final Instant START = Instant.parse("2026-03-02T07:00:00Z");
  private static final Duration SIMULATED = Duration.ofMinutes(93);

  /** Minutes before this are compared: every late event in them left the simulator on schedule. */
  private static final Instant COMPARED_END = START.plus(Duration.ofMinutes(62));

  /** The documented contract of served percentiles: within 1 % of the exact value. */
  private static final double ALPHA = Quantiles.SKETCH_ALPHA;

  private static final ObjectMapper JSON = GraphQlOverHttp.JSON;

  private PulseStack stack;
  private String deadLetterTopic;
  private String bootstrap;
  private FaultReport report;
  private final Map<String, String> tokenOfTenant = new LinkedHashMap<>();
  private Map<String, String> identityProperties;

  /** First deliveries of events the simulator did not delay beyond the allowed lateness. */
  private final List<SimulatedRecord> onTime = new ArrayList<>();

  /** Event time of each event whose first delivery was late. */
  private final Map<String, Instant> lateIds = new HashMap<>();

  private long uniqueValid;

  @BeforeAll
  void runThePipeline(TestKafka kafka, TestClickHouse ch) throws Exception {
    bootstrap = kafka.bootstrapServers();
    // Unique per run (the database name is), with one partition: see the class comment.
    String topic = "e2e-api-requests-" + ch.database().replace('_', '-');
    kafka.createTopic(topic, 1);
    deadLetterTopic = topic + ".dlq";
    kafka.createTopic(deadLetterTopic, 1);

    SimulationConfig config =
        SimulationConfig.defaults()
            .withSeed(20260302)
            .withStart(START)
            .withDuration(SIMULATED)
            .withDomains(EnumSet.of(Domain.API))
            .withRates(1500, 40)
            // An error spike inside the compared hour, so 5xx counts are not all zero.
            .withIncidents(
                List.of(
                    new Incident(
                        Incident.Kind.ERROR_SPIKE,
                        "sessions-api",
                        null,
                        START.plus(Duration.ofMinutes(20)),
                        Duration.ofMinutes(5),
                        0.3)))
            .withFaults(new FaultConfig(0.03, 0.03, 0.01, 0.01));
    Simulator simulator = new Simulator(config);
    DemoIdentity identity =
        DemoIdentity.create(Files.createTempDirectory("pulse-e2e-identity-"), Duration.ofHours(1));
    identityProperties = new HashMap<>(identity.apiProperties());
    // One SRE per tenant asks for every series in a burst: the rate limit is not under test here.
    identityProperties.put("pulse.limits.requests-per-second", "100000");
    identityProperties.put("pulse.limits.request-burst", "100000");
    simulator
        .tenantIds()
        .forEach(
            tenant ->
                tokenOfTenant.put(
                    tenant,
                    identity.token(
                        new DemoIdentity.Person(
                            "sre@" + tenant, "SRE", tenant, List.of("sre"), List.of()))));

    Set<String> delivered = new HashSet<>();
    Properties none = new Properties();
    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            bootstrap, none, name -> name.equals(Topics.API_REQUESTS.name()) ? topic : name)) {
      Simulator.RecordStream records = simulator.records();
      while (records.hasNext()) {
        SimulatedRecord record = records.next();
        writer.send(record);
        if (record.isValid() && delivered.add(((ApiRequestEvent) record.event()).getEventId())) {
          ApiRequestEvent event = (ApiRequestEvent) record.event();
          if (record.kind() == SimulatedRecord.Kind.LATE) {
            lateIds.put(event.getEventId(), event.getEventTime());
          } else {
            onTime.add(record);
          }
        }
      }
      writer.flush();
      report = records.report();
    }
    uniqueValid = delivered.size();
    assertThat(report.malformed()).as("malformed records injected").isPositive();
    assertThat(report.duplicates()).as("duplicates injected").isPositive();
    assertThat(lateIds).as("late events injected").isNotEmpty();

    stack =
        PulseStack.start(
            new PulseStack.Settings(
                bootstrap,
                ch.httpUrl(),
                ch.user(),
                ch.password(),
                ch.database(),
                "127.0.0.1",
                0,
                0,
                identityProperties,
                Duration.ofMillis(500),
                1,
                Map.of(
                    KafkaSettings.TOPIC.key(),
                    topic,
                    KafkaSettings.DEAD_LETTER_TOPIC.key(),
                    deadLetterTopic,
                    KafkaSettings.GROUP_ID.key(),
                    "e2e-" + topic,
                    // Reads what the simulator wrote, then finishes: every window closes.
                    KafkaSettings.BOUNDED.key(),
                    "true",
                    ApiMetricsConfig.PARALLELISM.key(),
                    "1"),
                null));
    stack.awaitJobEnd(Duration.ofMinutes(3));
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void everyMinuteOfEveryEndpointServedByGraphQlEqualsTheOracle() throws Exception {
    SortedMap<ApiKey, ApiStats> expected = compared(oracle(onTime).stats(Grain.MINUTE));
    assertThat(expected).hasSizeGreaterThan(500);

    // One series per tenant and endpoint/method/region, as the SRE page asks for them.
    Map<ApiKey, List<ApiKey>> bySeries = new TreeMap<>();
    for (ApiKey minute : expected.keySet()) {
      bySeries.computeIfAbsent(seriesOf(minute), k -> new ArrayList<>()).add(minute);
    }
    long comparedRequests = 0;
    for (Map.Entry<ApiKey, List<ApiKey>> series : bySeries.entrySet()) {
      ApiKey s = series.getKey();
      Map<Instant, JsonNode> points = points(s, START, COMPARED_END, "MINUTE");
      assertThat(points.keySet())
          .as("minutes served for %s", s)
          .containsExactlyInAnyOrderElementsOf(
              series.getValue().stream().map(ApiKey::bucket).toList());
      for (ApiKey minute : series.getValue()) {
        assertPointEquals(points.get(minute.bucket()), expected.get(minute), minute);
        comparedRequests += expected.get(minute).requests();
      }
    }
    assertThat(comparedRequests).isGreaterThan(10_000);
  }

  @Test
  void theHourServedFromTheRollupEqualsTheOracle() throws Exception {
    SortedMap<ApiKey, ApiStats> hours =
        oracle(
                onTime.stream()
                    .filter(r -> r.eventTime().isBefore(START.plus(Duration.ofHours(1))))
                    .toList())
            .stats(Grain.HOUR);
    assertThat(hours).isNotEmpty();
    for (Map.Entry<ApiKey, ApiStats> hour : hours.entrySet()) {
      Map<Instant, JsonNode> points =
          points(hour.getKey(), START, START.plus(Duration.ofHours(1)), "HOUR");
      assertThat(points.keySet()).containsExactly(START);
      assertPointEquals(points.get(START), hour.getValue(), hour.getKey());
    }
  }

  @Test
  void errorSpikeIsVisibleInTheServedErrorRate() throws Exception {
    // sessions-api during its injected spike vs the same service before it: the dashboard must show
    // it.
    String tenant = tokenOfTenant.keySet().iterator().next();
    JsonNode during =
        series(
            tenant,
            "sessions-api",
            START.plus(Duration.ofMinutes(20)),
            START.plus(Duration.ofMinutes(25)),
            "MINUTE");
    JsonNode before =
        series(
            tenant,
            "sessions-api",
            START.plus(Duration.ofMinutes(10)),
            START.plus(Duration.ofMinutes(15)),
            "MINUTE");
    assertThat(errorRate(during)).isGreaterThan(0.2).isGreaterThan(5 * errorRate(before));
  }

  @Test
  void everyMalformedRecordIsDeadLetteredOnce() {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", "e2e-dlq-reader");
    props.put("auto.offset.reset", "earliest");
    props.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    long count = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(deadLetterTopic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int emptyPolls = 0;
      while (System.nanoTime() < deadline && (count < report.malformed() || emptyPolls < 3)) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        count += records.count();
        emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
      }
    }
    assertThat(count).isEqualTo(report.malformed());
  }

  @Test
  void duplicatesAreStoredOnceAndLateEventsAreKeptAside(TestClickHouse ch) {
    assertThat(ch.query("SELECT count() FROM api_requests_raw FINAL"))
        .isEqualTo(uniqueValid + "\n");
    assertThat(ch.query("SELECT count() FROM dead_letters FINAL"))
        .isEqualTo(report.malformed() + "\n");
    // Every late event of the compared hour is in the late table, and nothing on time is.
    String lateInTable =
        ch.query(
            "SELECT event_id FROM api_requests_late FINAL WHERE event_time_ms < "
                + COMPARED_END.toEpochMilli());
    Set<String> stored =
        new HashSet<>(List.of(lateInTable.isBlank() ? new String[0] : lateInTable.split("\n")));
    Set<String> expectedLate = new HashSet<>();
    lateIds.forEach(
        (id, time) -> {
          if (time.isBefore(COMPARED_END)) {
            expectedLate.add(id);
          }
        });
    assertThat(stored).isEqualTo(expectedLate).isNotEmpty();
  }

  /** The minutes of the compared range. */
  private static SortedMap<ApiKey, ApiStats> compared(SortedMap<ApiKey, ApiStats> all) {
    SortedMap<ApiKey, ApiStats> out = new TreeMap<>();
    all.forEach(
        (k, v) -> {
          if (k.bucket().isBefore(COMPARED_END)) {
            out.put(k, v);
          }
        });
    return out;
  }

  private void assertPointEquals(JsonNode point, ApiStats expected, ApiKey key) {
    String at = key.toString();
    assertThat(point.get("requests").asLong()).as("requests %s", at).isEqualTo(expected.requests());
    assertThat(point.get("errors5xx").asLong()).as("5xx %s", at).isEqualTo(expected.status5xx());
    assertThat(point.get("errors4xx").asLong()).as("4xx %s", at).isEqualTo(expected.status4xx());
    assertThat(point.get("errorRate").asDouble())
        .as("error rate %s", at)
        .isCloseTo((double) expected.status5xx() / expected.requests(), within(1e-9));
    assertThat(point.get("p50Ms").asDouble())
        .as("p50 %s", at)
        .isCloseTo(expected.p50() / 1000.0, within(ALPHA * expected.p50() / 1000.0 * (1 + 1e-9)));
    assertThat(point.get("p95Ms").asDouble())
        .as("p95 %s", at)
        .isCloseTo(expected.p95() / 1000.0, within(ALPHA * expected.p95() / 1000.0 * (1 + 1e-9)));
    assertThat(point.get("p99Ms").asDouble())
        .as("p99 %s", at)
        .isCloseTo(expected.p99() / 1000.0, within(ALPHA * expected.p99() / 1000.0 * (1 + 1e-9)));
    long max = Arrays.stream(expected.latenciesUs()).max().orElseThrow();
    assertThat(point.get("maxMs").asDouble())
        .as("max %s", at)
        .isCloseTo(max / 1000.0, within(1e-9));
  }

  /**
   * The oracle over {@code records}' Kafka values, read and judged by its own rules; ingested now
   * (the job's clock), long after the simulated day.
   */
  private static ApiOracle oracle(List<SimulatedRecord> records) {
    return ApiOracle.ofRecords(
        records.stream().map(SimulatedRecord::value).toList(), Instant.now());
  }

  private static ApiKey seriesOf(ApiKey minute) {
    return new ApiKey(
        minute.tenantId(),
        minute.service(),
        minute.endpoint(),
        minute.method(),
        minute.region(),
        Grain.MINUTE,
        START);
  }

  private Map<Instant, JsonNode> points(ApiKey series, Instant from, Instant to, String granularity)
      throws Exception {
    ObjectNode vars =
        JSON.createObjectNode()
            .put("service", series.service())
            .put("endpoint", series.endpoint())
            .put("method", series.method())
            .put("region", series.region())
            .put("from", from.toString())
            .put("to", to.toString())
            .put("granularity", granularity);
    JsonNode data = graphql(series.tenantId(), vars);
    Map<Instant, JsonNode> out = new HashMap<>();
    for (JsonNode p : data.get("serviceMetrics").get("points")) {
      out.put(Instant.parse(p.get("time").asText()), p);
    }
    return out;
  }

  private JsonNode series(
      String tenant, String service, Instant from, Instant to, String granularity)
      throws Exception {
    ObjectNode vars =
        JSON.createObjectNode()
            .put("service", service)
            .put("from", from.toString())
            .put("to", to.toString())
            .put("granularity", granularity);
    vars.putNull("endpoint").putNull("method").putNull("region");
    return graphql(tenant, vars).get("serviceMetrics").get("points");
  }

  private static double errorRate(JsonNode points) {
    long requests = 0;
    long errors = 0;
    for (JsonNode p : points) {
      requests += p.get("requests").asLong();
      errors += p.get("errors5xx").asLong();
    }
    assertThat(requests).isPositive();
    return (double) errors / requests;
  }

  private static final String QUERY =
      """
      query Series($service: String!, $endpoint: String, $method: String, $region: String,
                   $from: DateTime!, $to: DateTime!, $granularity: Granularity) {
        serviceMetrics(service: $service, endpoint: $endpoint, method: $method, region: $region,
                       from: $from, to: $to, granularity: $granularity) {
          points { time requests errors5xx errors4xx errorRate p50Ms p95Ms p99Ms maxMs }
        }
      }""";

  private JsonNode graphql(String tenant, ObjectNode variables) throws Exception {
    return new GraphQlOverHttp(stack.apiPort()).data(tokenOfTenant.get(tenant), QUERY, variables);
  }
}
