package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.metrics.LatencyBuckets;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.testing.CollectingSink;
import dev.pulse.flink.testing.MinuteFactSums;
import dev.pulse.flink.testing.PartitionedRecordSource;
import dev.pulse.flink.testing.RawRecord;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.ApiKey;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.ApiStats;
import dev.pulse.oracle.Grain;
import dev.pulse.oracle.Quantiles;
import dev.pulse.oracle.Verdict;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.FaultReport;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole API metrics job ({@link ApiMetricsJob#build}) on a MiniCluster at parallelism 2, over
 * simulator output with duplicates, out-of-order, late and malformed records, compared with the
 * oracle's independent recount. The records go through the job's own source-side behaviour ({@link
 * #fromRecords}: decoding in the source, one watermark per partition) in two partitions, each
 * record in the partition Kafka's default partitioner gives its key (so a duplicate is in its
 * original's partition), one partition per source subtask.
 *
 * <p><b>Which events are late.</b> The oracle counts all valid events; which of them the job drops
 * as late depends on the watermark, so the test derives it from each partition's delivered order:
 * when a first delivery r arrives in partition p, the highest event time delivered before it in p
 * is M(r), so p's watermark, and with it the window's (the minimum over partitions), is at most
 * W(r) = M(r) - outOfOrderness - 1 ms; r's minute is closed for good once the watermark reaches the
 * minute's last millisecond + allowed lateness, C(r). If C(r) &gt; W(r), r is certainly on time and
 * must be in the facts: in particular every event the simulator delayed only 1-20 s (OUT_OF_ORDER).
 * Otherwise r may be late: the window's watermark is the minimum over partitions, and how far the
 * other partition trails depends on the two subtasks' relative speed. So this test requires: no
 * certainly on-time event reported late; only events the simulator delayed beyond the allowed
 * lateness reported late; and every event counted exactly once, in the facts or in the late output,
 * with the facts equal to the oracle over the events not reported late. The exact late boundary is
 * proven with explicit watermarks in MinuteFactWindowTest.
 */
class ApiMetricsJobIT {

  private static final ApiMetricsConfig CONFIG = ApiMetricsConfig.defaults();
  private static final int PARTITIONS = 2;

  /**
   * "Now" for validation: after the simulated hour, fixed (events more than a day ahead are
   * absurd).
   */
  private static final Clock VALIDATION_CLOCK =
      Clock.fixed(Instant.parse("2026-03-02T10:00:00Z"), ZoneOffset.UTC);

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static List<SimulatedRecord> delivered;
  private static FaultReport report;
  private static List<ApiMinuteFact> facts;
  private static List<DeadLetter> deadLetters;
  private static List<LateApiRequest> late;
  private static List<ApiRequest> raw;

  @BeforeAll
  static void runTheJobOverSimulatedTraffic(@InjectMiniCluster MiniCluster cluster)
      throws Exception {
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20260302)
            .withDomains(EnumSet.of(Domain.API))
            .withStart(Instant.parse("2026-03-02T09:00:00Z"))
            .withDuration(Duration.ofMinutes(40))
            .withRates(400, 40)
            .withFaults(new FaultConfig(0.03, 0.05, 0.01, 0.01));
    Simulator.RecordStream stream = new Simulator(sim).records();
    delivered = new ArrayList<>();
    stream.forEachRemaining(delivered::add);
    report = stream.report();

    List<RawRecord> records = new ArrayList<>();
    for (int i = 0; i < delivered.size(); i++) {
      SimulatedRecord r = delivered.get(i);
      // The offset is the delivery index (unique, ascending in each partition), so a dead letter
      // can be traced back to its record.
      records.add(
          new RawRecord(
              r.topic().name(), partitionOf(r), i, r.eventTime().toEpochMilli(), null, r.value()));
    }

    // The extension's cluster (small network buffers): in @BeforeAll, getExecutionEnvironment()
    // would give a local environment with a default MiniCluster of its own (the extension sets the
    // context only per test).
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, new Configuration(), 2, List.of(), List.of());
    env.setParallelism(2);
    // Every type the job moves between operators has a Flink serializer: no Kryo fallback.
    ((SerializerConfigImpl) env.getConfig().getSerializerConfig()).setGenericTypes(false);
    ApiMetricsStreams out =
        ApiMetricsJob.build(
            fromRecords(env, records, CONFIG, VALIDATION_CLOCK), CONFIG.semantics());
    out.minuteFacts().sinkTo(new CollectingSink<>("facts"));
    out.deadLetters().sinkTo(new CollectingSink<>("dead"));
    out.lateEvents().sinkTo(new CollectingSink<>("late"));
    out.rawEvents().sinkTo(new CollectingSink<>("raw"));
    env.execute("api-metrics-it");

    facts = CollectingSink.results("facts");
    deadLetters = CollectingSink.results("dead");
    late = CollectingSink.results("late");
    raw = CollectingSink.results("raw");
  }

  @Test
  @Timeout(5)
  void inputHasEveryKindOfFault() {
    assertThat(report.uniqueValid()).isBetween(8_000L, 24_000L);
    assertThat(report.duplicates()).isPositive();
    assertThat(report.outOfOrder()).isPositive();
    assertThat(report.late()).isPositive();
    assertThat(report.malformed()).isPositive();
  }

  @Test
  @Timeout(5)
  void everyMalformedRecordIsDeadLetteredWithItsOriginAndNothingElseIs() {
    Set<Long> malformedOffsets = new HashSet<>();
    for (int i = 0; i < delivered.size(); i++) {
      if (delivered.get(i).kind() == SimulatedRecord.Kind.MALFORMED) {
        malformedOffsets.add((long) i);
      }
    }
    assertThat(deadLetters).hasSize((int) report.malformed());
    assertThat(deadLetters.stream().map(DeadLetter::offset).collect(Collectors.toSet()))
        .isEqualTo(malformedOffsets);
    for (DeadLetter d : deadLetters) {
      SimulatedRecord origin = delivered.get((int) d.offset());
      assertThat(d.originTopic()).isEqualTo("pulse.api.requests");
      assertThat(d.value()).isEqualTo(origin.value());
      assertThat(d.reason()).isIn(expectedReasons(origin.malformedKind()));
    }
  }

  @Test
  @Timeout(5)
  void rawEventsAreEveryValidEventExactlyOnce() {
    ApiOracle all = ApiOracle.ofRecords(valuesExcept(Set.of()), VALIDATION_CLOCK.instant());
    assertThat(raw).hasSize((int) all.counted());
    assertThat(raw.stream().map(ApiRequest::eventId).distinct().count()).isEqualTo(all.counted());
    assertThat(all.counted()).isEqualTo(report.uniqueValid());
  }

  @Test
  @Timeout(5)
  void onlyEventsDelayedBeyondAllowedLatenessAreReportedLateAndNoOnTimeEventIs() {
    Set<String> certainlyOnTime = certainlyOnTime();
    Map<String, SimulatedRecord.Kind> firstKind = new HashMap<>();
    for (SimulatedRecord r : delivered) {
      if (r.isValid()) {
        firstKind.putIfAbsent(((ApiRequestEvent) r.event()).getEventId(), r.kind());
      }
    }
    Set<String> reportedLate =
        late.stream().map(l -> l.request().eventId()).collect(Collectors.toSet());

    assertThat(late).hasSize(reportedLate.size()); // each late event reported once
    assertThat(reportedLate).isNotEmpty();
    assertThat(reportedLate).doesNotContainAnyElementsOf(certainlyOnTime);
    assertThat(reportedLate.stream().map(firstKind::get).collect(Collectors.toSet()))
        .containsOnly(SimulatedRecord.Kind.LATE);
    for (LateApiRequest l : late) {
      assertThat(l.latenessMs()).isPositive();
      assertThat(l.watermark()).isAfter(l.request().eventTime());
    }
  }

  @Test
  @Timeout(5)
  void noEventTheSimulatorDelayedOnlyOneToTwentySecondsIsReportedLate() {
    Set<String> outOfOrder = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (SimulatedRecord r : delivered) {
      if (r.isValid()
          && seen.add(((ApiRequestEvent) r.event()).getEventId())
          && r.kind() == SimulatedRecord.Kind.OUT_OF_ORDER) {
        outOfOrder.add(((ApiRequestEvent) r.event()).getEventId());
      }
    }
    Set<String> reportedLate =
        late.stream().map(l -> l.request().eventId()).collect(Collectors.toSet());

    assertThat(outOfOrder).hasSize((int) report.outOfOrder());
    assertThat(outOfOrder).isNotEmpty().doesNotContainAnyElementsOf(reportedLate);
    // Within the allowed lateness in its own partition, whatever the other partition does.
    assertThat(certainlyOnTime()).containsAll(outOfOrder);
    assertThat(raw.stream().map(ApiRequest::eventId).collect(Collectors.toSet()))
        .containsAll(outOfOrder);
  }

  @Test
  @Timeout(30)
  void everyMinuteFactEqualsTheOraclesRecountOfTheEventsNotReportedLate() {
    Set<String> reportedLate =
        late.stream().map(l -> l.request().eventId()).collect(Collectors.toSet());
    ApiOracle oracle = ApiOracle.ofRecords(valuesExcept(reportedLate), VALIDATION_CLOCK.instant());
    Map<ApiKey, MinuteFactSums> actual = sumDeltaRows();

    assertThat(actual.keySet()).isEqualTo(oracle.stats(Grain.MINUTE).keySet());
    long total = 0;
    for (var entry : oracle.stats(Grain.MINUTE).entrySet()) {
      ApiKey key = entry.getKey();
      ApiStats want = entry.getValue();
      MinuteFactSums got = actual.get(key);
      String at = key.toString();
      assertThat(got.requests).as("requests " + at).isEqualTo(want.requests());
      assertThat(got.errors5xx).as("5xx " + at).isEqualTo(want.status5xx());
      assertThat(got.errors4xx).as("4xx " + at).isEqualTo(want.status4xx());
      long[] latencies = want.latenciesUs();
      assertThat(got.latencySumUs).as("latency sum " + at).isEqualTo(sum(latencies));
      assertThat(got.latencyMaxUs)
          .as("latency max " + at)
          .isEqualTo(latencies[latencies.length - 1]);
      for (int i = 0; i < CONFIG.semantics().latencyThresholdsUs().size(); i++) {
        long threshold = CONFIG.semantics().latencyThresholdsUs().get(i);
        assertThat(got.underThreshold[i])
            .as("under " + threshold + " " + at)
            .isEqualTo(want.countAtOrUnder(threshold));
      }
      for (double q : new double[] {0.5, 0.95, 0.99}) {
        double p = LatencyBuckets.quantile(got.buckets(), got.counts(), q);
        assertThat(want.sketchAgrees(q, p, Quantiles.SKETCH_ALPHA))
            .as("p%s %s: sketch %s vs exact %s", q * 100, at, p, want.latencyQuantileUs(q))
            .isTrue();
      }
      total += got.requests;
    }
    // Duplicates counted once: every unique valid event is in the facts or in the late output.
    assertThat(total + reportedLate.size()).isEqualTo(report.uniqueValid());
  }

  /**
   * Every delivered value in delivery order but those the oracle reads as an event with one of
   * {@code ids}: the oracle judges validity and duplicates itself.
   */
  private static List<byte[]> valuesExcept(Set<String> ids) {
    List<byte[]> values = new ArrayList<>();
    for (SimulatedRecord r : delivered) {
      Verdict v = ApiOracle.judge(r.value(), VALIDATION_CLOCK.instant());
      if (v.event() == null || !ids.contains(v.event().eventId())) {
        values.add(r.value());
      }
    }
    return values;
  }

  /**
   * First deliveries whose minute cannot have been closed when they arrived, judged by their own
   * partition's delivered order (class comment).
   */
  private static Set<String> certainlyOnTime() {
    Set<String> seen = new HashSet<>();
    Set<String> onTime = new HashSet<>();
    long[] maxEventTime = new long[PARTITIONS];
    Arrays.fill(maxEventTime, Long.MIN_VALUE);
    long lateness = CONFIG.semantics().stream().allowedLateness().toMillis();
    long bound = CONFIG.semantics().stream().outOfOrderness().toMillis();
    for (SimulatedRecord r : delivered) {
      if (!r.isValid()) {
        continue;
      }
      int p = partitionOf(r);
      ApiRequestEvent e = (ApiRequestEvent) r.event();
      long t = e.getEventTime().toEpochMilli();
      long watermarkAtMost =
          maxEventTime[p] == Long.MIN_VALUE ? Long.MIN_VALUE : maxEventTime[p] - bound - 1;
      long closedAt = Math.floorDiv(t, 60_000) * 60_000 + 60_000 - 1 + lateness;
      if (seen.add(e.getEventId()) && closedAt > watermarkAtMost) {
        onTime.add(e.getEventId());
      }
      maxEventTime[p] = Math.max(maxEventTime[p], t);
    }
    return onTime;
  }

  /**
   * The partition Kafka's default partitioner picks for the record's key (murmur2, as a producer
   * does).
   */
  private static int partitionOf(SimulatedRecord r) {
    return Utils.toPositive(Utils.murmur2(r.key().getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
  }

  private static Map<ApiKey, MinuteFactSums> sumDeltaRows() {
    return MinuteFactSums.of(facts, CONFIG.semantics().latencyThresholdsUs().size());
  }

  private static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      s += v;
    }
    return s;
  }

  private static Set<String> expectedReasons(SimulatedRecord.MalformedKind kind) {
    return switch (kind) {
      // A cut can end inside the header, inside a value, or leave a body that reads as malformed.
      case TRUNCATED -> Set.of("TRUNCATED", "MALFORMED", "NOT_SINGLE_OBJECT");
      case RANDOM_BYTES -> Set.of("NOT_SINGLE_OBJECT", "TRUNCATED");
      case UNKNOWN_FINGERPRINT -> Set.of("UNKNOWN_FINGERPRINT");
      case INVALID_VALUES -> Set.of("INVALID_VALUE", "ABSURD_TIMESTAMP");
    };
  }

  /**
   * The production source-side behaviour over a fixed list of records: decoded by the job's
   * deserializer in the source, one split and watermark per partition ({@link
   * PartitionedRecordSource}), with the job's watermarks.
   *
   * @param clock "now" for the validator's future bound
   */
  static DataStream<Decoded<ApiRequest>> fromRecords(
      StreamExecutionEnvironment env,
      List<RawRecord> records,
      ApiMetricsConfig config,
      Clock clock) {
    return env.fromSource(
            new PartitionedRecordSource<>(
                records,
                ApiMetricsJob.deserializer(clock, config.semantics().stream().maxFuture())),
            ApiMetricsJob.watermarks(config.semantics().stream()),
            "api-request-records",
            ApiMetricsJob.DECODED_TYPE)
        .uid("api-request-records");
  }
}
