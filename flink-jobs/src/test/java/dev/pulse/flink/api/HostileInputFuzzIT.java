package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.Utf16;
import dev.pulse.flink.common.DeadLetterSerializationSchema;
import dev.pulse.flink.testing.ApiFactTables;
import dev.pulse.flink.testing.BoundedJobRun;
import dev.pulse.flink.testing.HostileRecords;
import dev.pulse.flink.testing.HostileRecords.Hostile;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.ApiEvent;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.Grain;
import dev.pulse.oracle.Verdict;
import dev.pulse.oracle.Violation;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * More than 10,000 hostile records ({@link HostileRecords}: random bytes, truncations and bit flips
 * of valid records, surrogate pairs at every position up to 130 in every string field, lone
 * surrogates, NUL, 64 KiB strings, extreme numbers, unknown enum symbols, timestamps at and past
 * every bound, valid records and duplicates) through the production job with its production sinks
 * (BoundedJobRun: Kafka source, dead letters to Kafka and ClickHouse, raw, facts and late tables)
 * on a MiniCluster at parallelism 2, restarts disabled, so one throw on a record's content fails
 * the job and the test.
 *
 * <p>Which records are valid is decided by the oracle alone ({@link ApiOracle#judge}: its own
 * reading of the wire format and its own statement of the contract), at a fixed ingest time the
 * job's source uses too, so "10 s ahead" is exact. Expected: every invalid record is exactly one
 * dead-letter row and one dead-letter topic record with its origin and a reason it does break;
 * every valid record is in the raw table; the facts equal the oracle over the valid records.
 *
 * <p>No valid record is late by construction: the valid records are sent in event-time order in
 * each partition (the invalid ones shuffled between them), so no watermark can pass a valid
 * record's minute before it arrives, and the late table must stay empty.
 *
 * <p>The seed is printed; {@code -Dpulse.fuzz.seed=N} replays a run.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(240)
class HostileInputFuzzIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  /** The ingest clock of the job's source and of the oracle. */
  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");

  private static final long SEED = Long.getLong("pulse.fuzz.seed", 20261202L);

  /** One sent record: how it was made, where it landed, and the oracle's verdict. */
  private record Sent(Hostile hostile, int partition, long offset, Verdict verdict) {
    String origin() {
      return partition + "@" + offset;
    }
  }

  private static ClickHouse db;
  private static TestKafka kafka;
  private static String topic;
  private static String deadLetterTopic;
  private static List<Sent> sent;
  private static Map<String, Sent> byOrigin;
  private static ApiOracle oracle;
  private static ArchivedExecutionGraph finished;

  @BeforeAll
  static void sendHostileRecordsThroughTheProductionJob(
      TestKafka testKafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster)
      throws Exception {
    kafka = testKafka;
    db = ch.migratedDatabase();
    topic = kafka.topic("hostile");
    deadLetterTopic = kafka.topic("hostile-dlq");
    System.out.printf("[fuzz-it] seed %d (replay with -Dpulse.fuzz.seed=%d)%n", SEED, SEED);

    List<Hostile> hostile = new ArrayList<>(HostileRecords.generate(SEED, NOW));
    Random random = new Random(SEED);
    Collections.shuffle(hostile, random);
    List<Verdict> verdicts = hostile.stream().map(h -> ApiOracle.judge(h.value(), NOW)).toList();

    // The valid records' slots in the shuffled order get the valid records sorted by event time:
    // each partition then sees its valid events in event-time order, so none can be late.
    List<Integer> validSlots = new ArrayList<>();
    for (int i = 0; i < hostile.size(); i++) {
      if (verdicts.get(i).valid()) {
        validSlots.add(i);
      }
    }
    List<Integer> validByTime = new ArrayList<>(validSlots);
    validByTime.sort(Comparator.comparingLong(i -> verdicts.get(i).event().eventTimeMs()));
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < hostile.size(); i++) {
      order.add(i);
    }
    for (int k = 0; k < validSlots.size(); k++) {
      order.set(validSlots.get(k), validByTime.get(k));
    }

    List<Future<RecordMetadata>> acks = new ArrayList<>();
    List<Integer> sentIndex = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i : order) {
        Verdict v = verdicts.get(i);
        // A valid record's partition follows its identity, so a duplicate follows its original.
        int partition =
            v.valid() ? Math.floorMod(v.event().dedupKey().hashCode(), 2) : random.nextInt(2);
        byte[] key = ("hostile-" + i).getBytes(StandardCharsets.UTF_8);
        acks.add(
            producer.send(new ProducerRecord<>(topic, partition, key, hostile.get(i).value())));
        sentIndex.add(i);
      }
      producer.flush();
    }
    sent = new ArrayList<>();
    byOrigin = new HashMap<>();
    for (int k = 0; k < acks.size(); k++) {
      RecordMetadata m = acks.get(k).get(30, TimeUnit.SECONDS);
      int i = sentIndex.get(k);
      Sent s = new Sent(hostile.get(i), m.partition(), m.offset(), verdicts.get(i));
      sent.add(s);
      byOrigin.put(s.origin(), s);
    }
    oracle = ApiOracle.of(sent.stream().map(Sent::verdict).toList());

    long started = System.nanoTime();
    JobID id =
        BoundedJobRun.run(
            cluster, kafka, ch, topic, deadLetterTopic, Clock.fixed(NOW, ZoneOffset.UTC));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    finished = cluster.getArchivedExecutionGraph(id).get(10, TimeUnit.SECONDS);

    Map<String, int[]> perKind = new TreeMap<>();
    for (Sent s : sent) {
      int[] c = perKind.computeIfAbsent(s.hostile().kind(), k -> new int[2]);
      c[s.verdict().valid() ? 0 : 1]++;
    }
    StringBuilder kinds = new StringBuilder();
    perKind.forEach((k, c) -> kinds.append(String.format(" %s %d/%d", k, c[0], c[1])));
    System.out.printf(
        "[fuzz-it] seed %d: %d records (valid/invalid per kind:%s); oracle: %d invalid, %d"
            + " counted, %d duplicates; job ran %d ms%n",
        SEED,
        sent.size(),
        kinds,
        oracle.invalidIgnored(),
        oracle.counted(),
        oracle.duplicatesIgnored(),
        tookMs);
  }

  @Test
  void theInputIsOverTenThousandRecordsOfEveryKindWithValidAndInvalidAmongTheMutations() {
    assertThat(sent).hasSizeGreaterThanOrEqualTo(10_000);
    Map<String, Long> valid = new HashMap<>();
    Map<String, Long> invalid = new HashMap<>();
    for (Sent s : sent) {
      (s.verdict().valid() ? valid : invalid).merge(s.hostile().kind(), 1L, Long::sum);
    }
    assertThat(invalid.keySet())
        .contains(
            "random-bytes",
            "random-body",
            "truncation",
            "bit-flip",
            "surrogate-pair",
            "lone-surrogate",
            "nul",
            "64KiB-string",
            "64KiB-record",
            "extreme-number",
            "unknown-enum",
            "timestamp",
            "string-bound",
            "uuid-form",
            "null-value");
    // Some mutations stay valid (a flipped bit in a latency, a NUL in a region, a surrogate pair
    // within 128 units): the expectation comes from the oracle, never from the kind.
    assertThat(valid.keySet())
        .contains("valid", "duplicate", "bit-flip", "surrogate-pair", "nul", "timestamp");
    Set<Violation> seen = EnumSet.noneOf(Violation.class);
    sent.forEach(s -> seen.addAll(s.verdict().violations()));
    assertThat(seen).containsExactlyInAnyOrder(Violation.values());
  }

  @Test
  void theJobFinishedWithoutARestart() {
    assertThat(finished.getState()).isEqualTo(JobStatus.FINISHED);
    assertThat(finished.getStatusTimestamp(JobStatus.RESTARTING)).as("ever restarting").isZero();
    assertThat(finished.getFailureInfo()).isNull();
  }

  @Test
  void everyInvalidRecordIsExactlyOneDeadLetterRowWithItsOriginAndAReasonItBreaks() {
    List<JsonNode> rows =
        db.query(
            "SELECT partition, offset, reason, message, value_base64 FROM dead_letters FINAL"
                + " WHERE source_topic = '"
                + topic
                + "'");
    long stored =
        Long.parseLong(
            db.queryText(
                    "SELECT count(DISTINCT partition, offset) FROM dead_letters WHERE source_topic"
                        + " = '"
                        + topic
                        + "'")
                .trim());
    Set<String> expected = new HashSet<>();
    for (Sent s : sent) {
      if (!s.verdict().valid()) {
        expected.add(s.origin());
      }
    }
    Set<String> origins = new HashSet<>();
    List<String> wrong = new ArrayList<>();
    for (JsonNode r : rows) {
      String origin = r.get("partition").asText() + "@" + r.get("offset").asText();
      assertThat(origins.add(origin)).as("one row for %s", origin).isTrue();
      Sent s = byOrigin.get(origin);
      assertThat(s).as("dead letter %s was sent", origin).isNotNull();
      String reason = r.get("reason").asText();
      String message = r.get("message").asText();
      assertThat(message).as("message of %s", origin).isNotBlank();
      assertThat(Utf16.unpairedSurrogateAt(message)).as("message of %s", origin).isEqualTo(-1);
      if (!s.verdict().valid() && !reasonFits(reason, s.verdict())) {
        wrong.add(
            origin
                + " "
                + s.hostile().kind()
                + ": "
                + reason
                + " ("
                + message
                + "), oracle "
                + s.verdict().violations());
      }
    }
    assertThat(origins).isEqualTo(expected);
    assertThat((long) rows.size()).isEqualTo(stored).isEqualTo(oracle.invalidIgnored());
    assertThat(wrong).as("dead letters whose reason is no rule the record breaks").isEmpty();
  }

  @Test
  void theDeadLetterTopicHasOneRecordPerInvalidRecordWithItsOrigin() {
    List<ConsumerRecord<byte[], byte[]>> letters =
        SimulatedApiTopic.readAll(kafka, deadLetterTopic);
    Set<String> origins = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : letters) {
      assertThat(header(r, DeadLetterSerializationSchema.ORIGIN_TOPIC)).isEqualTo(topic);
      origins.add(
          header(r, DeadLetterSerializationSchema.ORIGIN_PARTITION)
              + "@"
              + header(r, DeadLetterSerializationSchema.ORIGIN_OFFSET));
    }
    Set<String> expected = new HashSet<>();
    sent.stream().filter(s -> !s.verdict().valid()).forEach(s -> expected.add(s.origin()));
    assertThat((long) letters.size()).isEqualTo(oracle.invalidIgnored());
    assertThat(origins).isEqualTo(expected);
  }

  /** Once each, its id in the canonical (lower-case) form whatever case the record had. */
  @Test
  void everyValidRecordIsInTheRawTableOnce() {
    List<JsonNode> rows = db.query("SELECT event_id, tenant_id FROM api_requests_raw FINAL");
    List<String> stored = rows.stream().map(r -> r.get("event_id").asText()).toList();
    List<String> expected =
        oracle.countedEvents().stream().map(ApiEvent::canonicalEventId).toList();
    assertThat(stored).doesNotHaveDuplicates();
    assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void noValidRecordIsLateAndEveryMinuteHourAndDayEqualsTheOracleOverTheValidRecords() {
    assertThat(db.queryText("SELECT count() FROM api_requests_late").trim())
        .as("late events (valid records were sent in event-time order)")
        .isEqualTo("0");
    List<Long> thresholds = ApiMetricsConfig.defaults().semantics().latencyThresholdsUs();
    long total =
        ApiFactTables.assertEqualsOracle(
            ApiFactTables.minutes(db), oracle, Grain.MINUTE, thresholds);
    assertThat(total).isEqualTo(oracle.counted());
    ApiFactTables.assertEqualsOracle(ApiFactTables.hours(db), oracle, Grain.HOUR, thresholds);
    ApiFactTables.assertEqualsOracle(ApiFactTables.days(db), oracle, Grain.DAY, thresholds);
  }

  /**
   * Whether a dead letter's reason is a rule the record breaks. Where the oracle found the body
   * unreadable, TRUNCATED and MALFORMED are interchangeable: which one a reader reports depends on
   * which of two problems it meets first (a cut after an invalid UTF-8 string is either).
   */
  private static boolean reasonFits(String reason, Verdict verdict) {
    Set<Violation> v = verdict.violations();
    if (verdict.event() == null
        && (v.contains(Violation.TRUNCATED) || v.contains(Violation.MALFORMED))) {
      return reason.equals("TRUNCATED") || reason.equals("MALFORMED");
    }
    return v.stream().anyMatch(x -> x.name().equals(reason));
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
