package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.common.DeadLetterSerializationSchema;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.testing.ApiFactTables;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.ApiEvent;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.Grain;
import dev.pulse.oracle.Verdict;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.FaultReport;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p><b>Which events are late comes from the input's construction, never from the job's late
 * table.</b> The topic has one partition, so the job's event time is that partition's watermark
 * (the second source subtask has no split and finishes), which trails the highest event time
 * delivered so far by the out-of-orderness; it reaches the window with a lag of at most the records
 * in flight between operators. Reading the input in offset order, a first delivery r whose minute
 * closes (last millisecond + allowed lateness) after the highest event time before r minus the
 * out-of-orderness is certainly on time; one whose minute closed more than {@link #LATE_MARGIN}
 * before that is certainly late; the test checks that its input has nothing in between. The
 * simulator holds a late event back until event time has moved 10-30 minutes past it, except at the
 * end of its stream, where it releases what it still holds; the test leaves that release out, so
 * every late event it sends is at least 10 minutes behind. Expected: the late table holds exactly
 * the certainly late events, and the facts equal the oracle over every other record; the counts
 * come from the oracle, not from the simulator's report (which counts the release left out).
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(180)
class ApiMetricsClickHouseIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static final Duration JOB_LIMIT = Duration.ofSeconds(120);

  /**
   * How far the window's watermark may trail the partition's bound (max event time seen minus the
   * out-of-orderness): watermarks are emitted at least every second of event time, and the records
   * in flight between operators (a few 4 KiB network buffers) span well under this much event time
   * at this simulation's rate.
   */
  private static final Duration LATE_MARGIN = Duration.ofMinutes(5);

  /** The oracle's ingest clock: the job uses the system clock, long after the simulated hour. */
  private static final Instant INGEST = Instant.now();

  private static ApiMetricsConfig config;
  private static ClickHouse db;
  private static TestKafka kafka;
  private static SimulatedApiTopic simulated;
  private static List<SimulatedRecord> delivered;
  private static FaultReport report;

  /** First deliveries that are certainly on time, certainly late, or neither, by construction. */
  private static Set<String> certainlyOnTime;

  private static Set<String> certainlyLate;
  private static Set<String> undecided;

  /** Event ids in api_requests_late, read once the job has finished. */
  private static Set<String> reportedLate;

  @BeforeAll
  static void runTheJobFromKafkaToClickHouse(
      TestKafka testKafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster)
      throws Exception {
    kafka = testKafka;
    db = ch.migratedDatabase();

    Instant start = Instant.parse("2026-03-02T09:00:00Z");
    Duration duration = Duration.ofMinutes(30);
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20260302)
            .withDomains(EnumSet.of(Domain.API))
            .withStart(start)
            .withDuration(duration)
            .withRates(150, 40)
            .withFaults(new FaultConfig(0.03, 0.05, 0.02, 0.01));
    Simulator.RecordStream stream = new Simulator(sim).records();
    List<SimulatedRecord> records = new ArrayList<>();
    stream.forEachRemaining(records::add);
    // Without what the simulator releases at the end of its stream (events it still held back,
    // not yet delayed as long as their label says): every late event in the input is then one
    // whose delay was served in full mid-stream.
    int lastOriginal = 0;
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i).kind() == SimulatedRecord.Kind.ORIGINAL) {
        lastOriginal = i;
      }
    }
    List<SimulatedRecord> sent = new ArrayList<>(records.subList(0, lastOriginal + 1));
    records.subList(lastOriginal + 1, records.size()).stream()
        .filter(r -> r.kind() == SimulatedRecord.Kind.MALFORMED)
        .forEach(sent::add);
    simulated =
        SimulatedApiTopic.write(kafka, kafka.topic("api-requests", 1), sent, stream.report());
    delivered = simulated.delivered();
    report = simulated.report();

    Map<String, String> settings =
        simulated.jobSettings(kafka, ch, kafka.topic("api-requests-dlq"));
    settings.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), "500ms");
    // Small raw batches, so the raw table gets several INSERTs per writer, as at production rates.
    settings.put(ClickHouseSettings.RAW_BATCH_SIZE.key(), "500");
    settings.put(ClickHouseSettings.MAX_BATCH_DELAY.key(), "200ms");
    config = ApiMetricsConfig.fromMap(settings);
    classifyByConstruction();

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
        "[api-metrics-it] sent: %s; certainly late %d, undecided %d; job took %d ms; late rows %d,"
            + " minute rows %s%n",
        report.summary(),
        certainlyLate.size(),
        undecided.size(),
        Duration.between(started, Instant.now()).toMillis(),
        reportedLate.size(),
        db.queryText("SELECT count() FROM api_request_minutes").trim());
  }

  @Test
  void inputHasEveryKindOfFaultAndEveryEventIsOnTimeOrLateByConstruction() {
    assertThat(report.uniqueValid()).isBetween(2_000L, 8_000L);
    assertThat(report.duplicates()).isPositive();
    assertThat(report.outOfOrder()).isPositive();
    assertThat(report.late()).isPositive();
    assertThat(report.malformed()).isPositive();
    assertThat(undecided).as("first deliveries neither certainly on time nor late").isEmpty();
    // Most late events of a 30-minute simulation are held to its end (left out); 25 remain.
    assertThat(certainlyLate).hasSizeGreaterThanOrEqualTo(20);
    assertThat(certainlyOnTime.size() + certainlyLate.size()).isEqualTo(all().counted());
  }

  @Test
  void rawTableHoldsEveryUniqueValidEventOnceWithAllItsFields() {
    Map<String, ApiEvent> expected = new HashMap<>();
    for (ApiEvent e : all().countedEvents()) {
      expected.put(e.eventId(), e);
    }

    List<JsonNode> rows =
        db.query(
            "SELECT event_id, tenant_id, toUnixTimestamp(event_time) AS s, event_time_ms, service, endpoint,"
                + " method, status_code, latency_us, region, trace_id FROM api_requests_raw FINAL");
    assertThat(rows).hasSize(expected.size());
    Set<String> seen = new HashSet<>();
    for (JsonNode r : rows) {
      String id = r.get("event_id").asText();
      assertThat(seen.add(id)).as("event %s stored once", id).isTrue();
      ApiEvent e = expected.get(id);
      assertThat(e).as("stored event %s was sent", id).isNotNull();
      long ms = e.eventTimeMs();
      assertThat(r.get("tenant_id").asText()).isEqualTo(e.tenantId());
      assertThat(r.get("s").asLong()).as("event_time of %s", id).isEqualTo(Math.floorDiv(ms, 1000));
      assertThat(r.get("event_time_ms").asLong()).as("event_time_ms of %s", id).isEqualTo(ms);
      assertThat(r.get("service").asText()).isEqualTo(e.service());
      assertThat(r.get("endpoint").asText()).isEqualTo(e.endpoint());
      assertThat(r.get("method").asText()).isEqualTo(e.method());
      assertThat(r.get("status_code").asInt()).isEqualTo(e.statusCode());
      assertThat(r.get("latency_us").asLong()).isEqualTo(e.latencyUs());
      assertThat(r.get("region").asText()).isEqualTo(e.region());
      if (e.traceId() == null) {
        assertThat(r.get("trace_id").isNull()).as("trace_id of %s is NULL", id).isTrue();
      } else {
        assertThat(r.get("trace_id").asText()).isEqualTo(e.traceId());
      }
    }
  }

  @Test
  void everyMalformedRecordIsOneDeadLetterRowAndOneDeadLetterTopicRecordWithItsOrigin() {
    List<JsonNode> rows =
        db.query(
            "SELECT source_topic, partition, offset, reason, value_base64 FROM dead_letters FINAL");
    assertThat((long) rows.size()).isEqualTo(malformedSent());
    assertThat(all().invalidIgnored())
        .as("the oracle's own judgement agrees with the simulator's labels")
        .isEqualTo(malformedSent());

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
    assertThat((long) topicValues.size()).isEqualTo(malformedSent());
    assertThat(topicValues).containsExactlyInAnyOrderElementsOf(sentMalformed);
    assertThat(topicOrigins).isEqualTo(storedOrigins);
  }

  @Test
  void lateTableHoldsExactlyTheEventsLateByConstructionOnceEach() {
    List<JsonNode> rows =
        db.query("SELECT event_id, event_time_ms, lateness_ms FROM api_requests_late FINAL");

    assertThat(rows).hasSize(reportedLate.size()); // one row per event
    assertThat(reportedLate).isEqualTo(certainlyLate);
    for (JsonNode r : rows) {
      // Later than the allowed lateness: its minute closed at least that long before the watermark.
      assertThat(r.get("lateness_ms").asLong())
          .as("lateness of %s", r.get("event_id").asText())
          .isGreaterThan(config.semantics().stream().allowedLateness().toMillis());
    }
  }

  @Test
  void noEventOnTimeByConstructionIsInTheLateTableAmongThemEveryEventDelayedOneToTwentySeconds() {
    Set<String> outOfOrder = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (SimulatedRecord r : delivered) {
      if (r.isValid()
          && seen.add(((ApiRequestEvent) r.event()).getEventId())
          && r.kind() == SimulatedRecord.Kind.OUT_OF_ORDER) {
        outOfOrder.add(((ApiRequestEvent) r.event()).getEventId());
      }
    }
    assertThat(outOfOrder).isNotEmpty();
    assertThat(certainlyOnTime).containsAll(outOfOrder);
    assertThat(reportedLate).doesNotContainAnyElementsOf(certainlyOnTime);
  }

  @Test
  void everyMinuteInClickHouseEqualsTheOraclesRecountOfTheEventsOnTimeByConstruction() {
    ApiOracle onTime = ApiOracle.ofRecords(valuesExcept(certainlyLate), INGEST);
    long total =
        ApiFactTables.assertEqualsOracle(
            ApiFactTables.minutes(db),
            onTime,
            Grain.MINUTE,
            config.semantics().latencyThresholdsUs());
    // Duplicates counted once, nothing lost: every unique valid event is in the facts or late.
    assertThat(total).isEqualTo(onTime.counted());
    assertThat(total + reportedLate.size()).isEqualTo(all().counted());
  }

  @Test
  void hourRollupMergedFromItsStatesEqualsTheOraclesHours() {
    ApiFactTables.assertEqualsOracle(
        ApiFactTables.hours(db),
        ApiOracle.ofRecords(valuesExcept(certainlyLate), INGEST),
        Grain.HOUR,
        config.semantics().latencyThresholdsUs());
  }

  /** Records sent that the simulator made malformed. */
  private static long malformedSent() {
    return delivered.stream().filter(r -> r.kind() == SimulatedRecord.Kind.MALFORMED).count();
  }

  /** The oracle over every record sent. */
  private static ApiOracle all() {
    return ApiOracle.ofRecords(simulated.values(), INGEST);
  }

  /** Every delivered value but those the oracle reads as an event with one of {@code ids}. */
  private static List<byte[]> valuesExcept(Set<String> ids) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] v : simulated.values()) {
      Verdict verdict = ApiOracle.judge(v, INGEST);
      if (verdict.event() == null || !ids.contains(verdict.event().eventId())) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * Sorts the first deliveries into certainly on time, certainly late and undecided, reading the
   * one partition in delivery (offset) order with the oracle's own decoding (class comment).
   */
  private static void classifyByConstruction() {
    long lateness = config.semantics().stream().allowedLateness().toMillis();
    long bound = config.semantics().stream().outOfOrderness().toMillis();
    certainlyOnTime = new HashSet<>();
    certainlyLate = new HashSet<>();
    undecided = new HashSet<>();
    Set<String> seen = new HashSet<>();
    long max = Long.MIN_VALUE;
    for (SimulatedRecord r : delivered) {
      Verdict v = ApiOracle.judge(r.value(), INGEST);
      if (!v.valid()) {
        continue; // a dead letter: never moves event time
      }
      long t = v.event().eventTimeMs();
      if (seen.add(v.event().dedupKey())) {
        long watermarkAtMost = max == Long.MIN_VALUE ? Long.MIN_VALUE : max - bound - 1;
        long closedAt = Math.floorDiv(t, 60_000) * 60_000 + 60_000 - 1 + lateness;
        if (closedAt > watermarkAtMost) {
          certainlyOnTime.add(v.event().eventId());
        } else if (closedAt <= watermarkAtMost - LATE_MARGIN.toMillis()) {
          certainlyLate.add(v.event().eventId());
        } else {
          undecided.add(v.event().eventId());
        }
      }
      max = Math.max(max, t);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    return SimulatedApiTopic.readAll(kafka, topic);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
