package dev.pulse.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.oracle.ApiKey;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.Grain;
import dev.pulse.oracle.Verdict;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Simulator traffic with every kind of fault (duplicates, out-of-order, late and malformed records)
 * in a one-partition topic, which of its events are late, known from the input's construction and
 * never from the job's late table, and the oracle's recount of it.
 *
 * <p>With one partition the job's event time is that partition's watermark (the second source
 * subtask has no split and finishes at once, the job reading bounded), which trails the highest
 * event time delivered so far by the out-of-orderness and reaches the window with a lag of at most
 * the records in flight. Reading the input in offset order, a first delivery whose minute closes
 * (last millisecond plus the allowed lateness) after the highest event time before it minus the
 * out-of-orderness is certainly on time; one whose minute closed more than {@link #LATE_MARGIN}
 * before that is certainly late; anything between is undecided (a check requires none). The
 * simulator holds a late event back until event time has moved 10-30 minutes past it, except at the
 * end of its stream, where it releases what it still holds; that release is left out (its malformed
 * records kept), so every late event sent is at least 10 minutes behind. (The rule of
 * ApiMetricsClickHouseIT.)
 */
public final class LateTraffic {

  /**
   * How far the window's watermark may trail the partition's bound: watermarks are emitted at least
   * every second of event time, and the records in flight between operators (a few 4 KiB network
   * buffers) span well under this much event time at this traffic's rate.
   */
  public static final Duration LATE_MARGIN = Duration.ofMinutes(5);

  private final SimulatedApiTopic topic;
  private final Set<String> onTime = new HashSet<>();
  private final Set<String> late = new HashSet<>();
  private final Set<String> undecided = new HashSet<>();
  private final ApiOracle all;
  private final ApiOracle onTimeOracle;

  /**
   * Sorts the first deliveries of {@code topic} and recounts it, at the oracle's ingest clock
   * {@code ingest} (the job uses the system clock, long after the simulated time, so only the past
   * matters).
   */
  private LateTraffic(SimulatedApiTopic topic, Instant ingest, StreamSemantics semantics) {
    this.topic = topic;
    classify(ingest, semantics);
    this.all = ApiOracle.ofRecords(topic.values(), ingest);
    List<byte[]> notLate = new ArrayList<>();
    for (byte[] v : topic.values()) {
      Verdict verdict = ApiOracle.judge(v, ingest);
      if (verdict.event() == null || !late.contains(verdict.event().eventId())) {
        notLate.add(v);
      }
    }
    this.onTimeOracle = ApiOracle.ofRecords(notLate, ingest);
  }

  /**
   * Writes {@code minutes} of API traffic (from 09:40, so with 21 minutes or more two hours roll
   * up; about 300 requests a minute; 3 % duplicates, 5 % out of order by 1-20 s, 2 % late by 10-30
   * min, 1 % malformed) of {@code seed} to the one-partition topic {@code base} of {@code kafka},
   * uncompressed (the topic's size on the broker is the records' own), and sorts its first
   * deliveries by the job's {@code semantics}.
   */
  public static LateTraffic write(
      TestKafka kafka, String base, long seed, int minutes, StreamSemantics semantics) {
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(seed)
            .withDomains(EnumSet.of(Domain.API))
            .withStart(Instant.parse("2026-03-02T09:40:00Z"))
            .withDuration(Duration.ofMinutes(minutes))
            .withRates(300, 1) // views are another domain, not generated here
            .withFaults(new FaultConfig(0.03, 0.05, 0.02, 0.01));
    Simulator.RecordStream stream = new Simulator(sim).records();
    List<SimulatedRecord> records = new ArrayList<>();
    stream.forEachRemaining(records::add);
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
    Properties uncompressed = new Properties();
    uncompressed.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    SimulatedApiTopic topic =
        SimulatedApiTopic.write(kafka, kafka.topic(base, 1), sent, stream.report(), uncompressed);
    return new LateTraffic(topic, Instant.now(), semantics);
  }

  private void classify(Instant ingest, StreamSemantics semantics) {
    long lateness = semantics.allowedLateness().toMillis();
    long bound = semantics.outOfOrderness().toMillis();
    Set<String> seen = new HashSet<>();
    long max = Long.MIN_VALUE;
    for (SimulatedRecord r : topic.delivered()) {
      Verdict v = ApiOracle.judge(r.value(), ingest);
      if (!v.valid()) {
        continue; // a dead letter: never moves event time
      }
      long t = v.event().eventTimeMs();
      if (seen.add(v.event().dedupKey())) {
        long watermarkAtMost = max == Long.MIN_VALUE ? Long.MIN_VALUE : max - bound - 1;
        long closedAt = Math.floorDiv(t, 60_000) * 60_000 + 60_000 - 1 + lateness;
        if (closedAt > watermarkAtMost) {
          onTime.add(v.event().eventId());
        } else if (closedAt <= watermarkAtMost - LATE_MARGIN.toMillis()) {
          late.add(v.event().eventId());
        } else {
          undecided.add(v.event().eventId());
        }
      }
      max = Math.max(max, t);
    }
  }

  /** What was written, in delivery order, with the simulator's report. */
  public SimulatedApiTopic topic() {
    return topic;
  }

  /** The event ids of the first deliveries that are certainly late. */
  public Set<String> late() {
    return Set.copyOf(late);
  }

  /**
   * The traffic has every kind of fault, late events among them, and each first delivery is
   * certainly on time or certainly late.
   */
  public void assertHasEveryKindOfFaultAndNoUndecidedEvent() {
    assertThat(topic.report().uniqueValid()).isGreaterThan(5_000L);
    assertThat(topic.report().duplicates()).isPositive();
    assertThat(topic.report().outOfOrder()).isPositive();
    assertThat(topic.report().malformed()).isPositive();
    assertThat(undecided).as("first deliveries neither certainly on time nor late").isEmpty();
    assertThat(late).as("certainly late events").hasSizeGreaterThanOrEqualTo(20);
    assertThat(onTime.size() + late.size()).isEqualTo(all.counted());
  }

  /** The oracle over every record sent: each unique valid event, late ones included. */
  public ApiOracle all() {
    return all;
  }

  /** The oracle over every record sent but the certainly late events: what the facts must hold. */
  public ApiOracle onTimeOracle() {
    return onTimeOracle;
  }

  /** The distinct minutes of the input's events. */
  public long minutes() {
    return all.stats(Grain.MINUTE).keySet().stream().map(ApiKey::bucket).distinct().count();
  }

  /** The records sent that the simulator made malformed. */
  public List<SimulatedRecord> malformed() {
    return topic.delivered().stream()
        .filter(r -> r.kind() == SimulatedRecord.Kind.MALFORMED)
        .toList();
  }
}
