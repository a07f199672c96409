package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.codec.DecodeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.common.DeadLetterSerializationSchema;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.testing.ApiFactTables;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.Grain;
import dev.pulse.oracle.Verdict;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.FaultReport;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API metrics job as deployed ({@link ApiMetricsJob#wire}: Kafka source, every sink) on a
 * MiniCluster at parallelism 2, from simulator traffic in a real Kafka topic (duplicates,
 * out-of-order, late and malformed records) to a real ClickHouse built by the production
 * migrations; every assertion reads ClickHouse (or the dead-letter topic) and compares with the
 * simulator's own account of what it sent and the oracle's recount.
 *
 * <p>The job reads the topic bounded ({@code kafka.bounded}): it ends at the offsets present at its
 * start, every window fires at the end of input, and the final checkpoint commits the last facts.
 * Event time is tracked per partition, so an event is certainly on time when its minute was still
 * open (within the allowed lateness) by its own partition's watermark, read from the topic in
 * offset order (see ApiMetricsJobIT): such events, among them every event the simulator delayed
 * only 1-20 s, must never be in {@code api_requests_late}. Whether an event delayed 10-30 minutes
 * is late depends on how far the other partition holds the window's watermark back, so the facts
 * are compared with the oracle over the events that are not in {@code api_requests_late}, and the
 * late table may hold only events the simulator delayed beyond the allowed lateness.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(180)
class ApiMetricsClickHouseIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static final Duration JOB_LIMIT = Duration.ofSeconds(120);

  private static ApiMetricsConfig config;
  private static ClickHouse db;
  private static TestKafka kafka;
  private static SimulatedApiTopic simulated;
  private static List<SimulatedRecord> delivered;
  private static FaultReport report;

  /** Event ids in api_requests_late, read once the job has finished. */
  private static Set<String> reportedLate;

  @BeforeAll
  static void runTheJobFromKafkaToClickHouse(
      TestKafka testKafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster)
      throws Exception {
    kafka = testKafka;
    db = ch.migratedDatabase();

    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20260302)
            .withDomains(EnumSet.of(Domain.API))
            .withStart(Instant.parse("2026-03-02T09:00:00Z"))
            .withDuration(Duration.ofMinutes(30))
            .withRates(150, 40)
            .withFaults(new FaultConfig(0.03, 0.05, 0.02, 0.01));
    simulated = SimulatedApiTopic.write(kafka, kafka.topic("api-requests"), sim);
    delivered = simulated.delivered();
    report = simulated.report();

    Map<String, String> settings =
        simulated.jobSettings(kafka, ch, kafka.topic("api-requests-dlq"));
    settings.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), "500ms");
    // Small raw batches, so the raw table gets several INSERTs per writer, as at production rates.
    settings.put(ClickHouseSettings.RAW_BATCH_SIZE.key(), "500");
    settings.put(ClickHouseSettings.MAX_BATCH_DELAY.key(), "200ms");
    config = ApiMetricsConfig.fromMap(settings);

    // The extension's cluster (small network buffers): in @BeforeAll, getExecutionEnvironment()
    // would give a local environment with a default MiniCluster of its own (the extension sets the
    // context only per test).
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, new Configuration(), 2, List.of(), List.of());
    ApiMetricsJob.wire(env, config);
    Instant started = Instant.now(); // only for the log line: how long the job ran
    JobClient job = env.executeAsync(ApiMetricsJob.JOB_NAME);
    try {
      job.getJobExecutionResult().get(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      job.cancel().get(30, TimeUnit.SECONDS);
      throw new AssertionError("the bounded job did not finish within " + JOB_LIMIT, e);
    }

    reportedLate = new HashSet<>();
    for (JsonNode row : db.query("SELECT event_id FROM api_requests_late FINAL")) {
      reportedLate.add(row.get("event_id").asText());
    }
    System.out.printf(
        "[api-metrics-it] sent: %s; job took %d ms; late rows %d, minute rows %s%n",
        report.summary(),
        Duration.between(started, Instant.now()).toMillis(),
        reportedLate.size(),
        db.queryText("SELECT count() FROM api_request_minutes").trim());
  }

  @Test
  void inputHasEveryKindOfFault() {
    assertThat(report.uniqueValid()).isBetween(2_000L, 8_000L);
    assertThat(report.duplicates()).isPositive();
    assertThat(report.outOfOrder()).isPositive();
    assertThat(report.late()).isPositive();
    assertThat(report.malformed()).isPositive();
  }

  @Test
  void rawTableHoldsEveryUniqueValidEventOnceWithAllItsFields() {
    Map<String, ApiRequestEvent> expected = new HashMap<>();
    for (ApiRequestEvent e : firstDeliveries()) {
      expected.putIfAbsent(e.getEventId(), e);
    }
    assertThat((long) expected.size()).isEqualTo(report.uniqueValid());

    List<JsonNode> rows =
        db.query(
            "SELECT event_id, tenant_id, toUnixTimestamp(event_time) AS s, event_time_ms, service, endpoint,"
                + " method, status_code, latency_us, region, trace_id FROM api_requests_raw FINAL");
    assertThat((long) rows.size()).isEqualTo(report.uniqueValid());
    Set<String> seen = new HashSet<>();
    for (JsonNode r : rows) {
      String id = r.get("event_id").asText();
      assertThat(seen.add(id)).as("event %s stored once", id).isTrue();
      ApiRequestEvent e = expected.get(id);
      assertThat(e).as("stored event %s was sent", id).isNotNull();
      long ms = e.getEventTime().toEpochMilli();
      assertThat(r.get("tenant_id").asText()).isEqualTo(e.getTenantId());
      assertThat(r.get("s").asLong()).as("event_time of %s", id).isEqualTo(Math.floorDiv(ms, 1000));
      assertThat(r.get("event_time_ms").asLong()).as("event_time_ms of %s", id).isEqualTo(ms);
      assertThat(r.get("service").asText()).isEqualTo(e.getService());
      assertThat(r.get("endpoint").asText()).isEqualTo(e.getEndpoint());
      assertThat(r.get("method").asText()).isEqualTo(e.getMethod().name());
      assertThat(r.get("status_code").asInt()).isEqualTo(e.getStatusCode());
      assertThat(r.get("latency_us").asLong()).isEqualTo(e.getLatencyUs());
      assertThat(r.get("region").asText()).isEqualTo(e.getRegion());
      if (e.getTraceId() == null) {
        assertThat(r.get("trace_id").isNull()).as("trace_id of %s is NULL", id).isTrue();
      } else {
        assertThat(r.get("trace_id").asText()).isEqualTo(e.getTraceId());
      }
    }
  }

  @Test
  void everyMalformedRecordIsOneDeadLetterRowAndOneDeadLetterTopicRecordWithItsOrigin() {
    List<JsonNode> rows =
        db.query(
            "SELECT source_topic, partition, offset, reason, value_base64 FROM dead_letters FINAL");
    assertThat((long) rows.size()).isEqualTo(report.malformed());

    List<String> sentMalformed = new ArrayList<>();
    for (SimulatedRecord r : delivered) {
      if (r.kind() == SimulatedRecord.Kind.MALFORMED) {
        sentMalformed.add(Base64.getEncoder().encodeToString(r.value()));
      }
    }
    List<String> stored = new ArrayList<>();
    Set<String> storedOrigins = new HashSet<>();
    for (JsonNode r : rows) {
      assertThat(r.get("source_topic").asText()).isEqualTo(config.kafka().topic());
      assertThat(r.get("reason").asText()).isNotEmpty();
      stored.add(r.get("value_base64").asText());
      storedOrigins.add(r.get("partition").asText() + "@" + r.get("offset").asText());
    }
    assertThat(stored).containsExactlyInAnyOrderElementsOf(sentMalformed);

    // The dead-letter topic: exactly as many records, the same origins, the original bytes.
    Set<String> topicOrigins = new HashSet<>();
    List<String> topicValues = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(config.kafka().deadLetterTopic())) {
      assertThat(header(r, DeadLetterSerializationSchema.ORIGIN_TOPIC))
          .isEqualTo(config.kafka().topic());
      topicOrigins.add(
          header(r, DeadLetterSerializationSchema.ORIGIN_PARTITION)
              + "@"
              + header(r, DeadLetterSerializationSchema.ORIGIN_OFFSET));
      topicValues.add(Base64.getEncoder().encodeToString(r.value()));
    }
    assertThat((long) topicValues.size()).isEqualTo(report.malformed());
    assertThat(topicValues).containsExactlyInAnyOrderElementsOf(sentMalformed);
    assertThat(topicOrigins).isEqualTo(storedOrigins);
  }

  @Test
  void lateTableHoldsOnlyEventsTheSimulatorDelayedBeyondTheAllowedLatenessOnceEach() {
    Map<String, SimulatedRecord.Kind> firstKind = new HashMap<>();
    for (SimulatedRecord r : delivered) {
      if (r.isValid()) {
        firstKind.putIfAbsent(((ApiRequestEvent) r.event()).getEventId(), r.kind());
      }
    }
    List<JsonNode> rows =
        db.query("SELECT event_id, event_time_ms, lateness_ms FROM api_requests_late FINAL");

    assertThat(rows).isNotEmpty();
    assertThat(rows).hasSize(reportedLate.size()); // one row per event
    assertThat(reportedLate.stream().map(firstKind::get).collect(Collectors.toSet()))
        .containsOnly(SimulatedRecord.Kind.LATE);
    for (JsonNode r : rows) {
      // Later than the allowed lateness: its minute closed at least that long before the watermark.
      assertThat(r.get("lateness_ms").asLong())
          .as("lateness of %s", r.get("event_id").asText())
          .isGreaterThan(config.semantics().stream().allowedLateness().toMillis());
    }
  }

  @Test
  void
      noEventOnTimeInItsOwnPartitionIsInTheLateTableAmongThemEveryEventDelayedOneToTwentySeconds() {
    Set<String> outOfOrder = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (SimulatedRecord r : delivered) {
      if (r.isValid()
          && seen.add(((ApiRequestEvent) r.event()).getEventId())
          && r.kind() == SimulatedRecord.Kind.OUT_OF_ORDER) {
        outOfOrder.add(((ApiRequestEvent) r.event()).getEventId());
      }
    }
    Set<String> onTime = certainlyOnTimeInTheirPartitions();

    assertThat(outOfOrder).hasSize((int) report.outOfOrder()).isNotEmpty();
    assertThat(onTime).containsAll(outOfOrder);
    assertThat(reportedLate).doesNotContainAnyElementsOf(onTime);
  }

  @Test
  void everyMinuteInClickHouseEqualsTheOraclesRecountOfTheEventsNotReportedLate() {
    long total =
        ApiFactTables.assertEqualsOracle(
            ApiFactTables.minutes(db),
            ApiOracle.ofRecords(onTimeValues(), Instant.now()),
            Grain.MINUTE,
            config.semantics().latencyThresholdsUs());
    // Duplicates counted once, nothing lost: every unique valid event is in the facts or late.
    assertThat(total + reportedLate.size()).isEqualTo(report.uniqueValid());
  }

  @Test
  void hourRollupMergedFromItsStatesEqualsTheOraclesHours() {
    ApiFactTables.assertEqualsOracle(
        ApiFactTables.hours(db),
        ApiOracle.ofRecords(onTimeValues(), Instant.now()),
        Grain.HOUR,
        config.semantics().latencyThresholdsUs());
  }

  /** Valid events in delivery order, duplicates included (the oracle counts the first). */
  private static List<ApiRequestEvent> firstDeliveries() {
    return simulated.validDeliveries();
  }

  /** Every delivered value but the late table's events, read and judged by the oracle. */
  private static List<byte[]> onTimeValues() {
    List<byte[]> out = new ArrayList<>();
    for (byte[] v : simulated.values()) {
      Verdict verdict = ApiOracle.judge(v, Instant.now());
      if (verdict.event() == null || !reportedLate.contains(verdict.event().eventId())) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * First deliveries whose minute was still open by their own partition's watermark when they
   * arrived: reading the input topic partition by partition in offset order, the partition's
   * watermark before record r is at most (highest event time before r) - out-of-orderness - 1 ms.
   */
  private static Set<String> certainlyOnTimeInTheirPartitions() {
    EventCodec<ApiRequestEvent> codec = EventCodec.forTopic(Topics.API_REQUESTS);
    List<ConsumerRecord<byte[], byte[]>> input = new ArrayList<>(readAll(config.kafka().topic()));
    input.sort(
        Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
    assertThat((long) input.size()).isEqualTo(delivered.size());
    long lateness = config.semantics().stream().allowedLateness().toMillis();
    long bound = config.semantics().stream().outOfOrderness().toMillis();
    Set<String> seen = new HashSet<>();
    Set<String> onTime = new HashSet<>();
    Map<Integer, Long> maxEventTime = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : input) {
      if (!(codec.decode(r.value()) instanceof DecodeResult.Ok<ApiRequestEvent> ok)) {
        continue; // a dead letter: never moves event time
      }
      long t = ok.value().getEventTime().toEpochMilli();
      Long max = maxEventTime.get(r.partition());
      long watermarkAtMost = max == null ? Long.MIN_VALUE : max - bound - 1;
      long closedAt = Math.floorDiv(t, 60_000) * 60_000 + 60_000 - 1 + lateness;
      if (seen.add(ok.value().getEventId()) && closedAt > watermarkAtMost) {
        onTime.add(ok.value().getEventId());
      }
      maxEventTime.merge(r.partition(), t, Math::max);
    }
    assertThat(maxEventTime).as("records in both partitions").hasSize(2);
    return onTime;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    return SimulatedApiTopic.readAll(kafka, topic);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
