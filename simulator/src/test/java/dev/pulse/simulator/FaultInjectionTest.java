package dev.pulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pulse.events.codec.DecodeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.codec.EventValidator;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.Grain;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stream damage must be what was asked for, and the report must tell the truth about it. */
class FaultInjectionTest {

  private static final FaultConfig FAULTS = new FaultConfig(0.05, 0.04, 0.01, 0.02);
  private static final int EVENTS = 100_000;
  // Low rates so 100,000 events span over an hour of event time: late events (10-30 min) land
  // inside it.
  private static final SimulationConfig CONFIG =
      SimulationConfig.defaults()
          .withRates(600, 10)
          .withMaxEvents(EVENTS)
          .withDuration(null)
          .withFaults(FAULTS);

  private static List<SimulatedRecord> records;
  private static FaultReport report;

  @BeforeAll
  static void run() {
    Simulator.RecordStream stream = new Simulator(CONFIG).records();
    records = new ArrayList<>();
    stream.forEachRemaining(records::add);
    report = stream.report();
  }

  private static long count(SimulatedRecord.Kind kind) {
    return records.stream().filter(r -> r.kind() == kind).count();
  }

  @Test
  void everyOriginalEventIsDeliveredExactlyOnceAsAValidNonDuplicateRecord() {
    long valid =
        count(SimulatedRecord.Kind.ORIGINAL)
            + count(SimulatedRecord.Kind.OUT_OF_ORDER)
            + count(SimulatedRecord.Kind.LATE);
    assertThat(valid).isEqualTo(EVENTS);
    assertThat(
            records.stream()
                .filter(r -> r.isValid() && r.kind() != SimulatedRecord.Kind.DUPLICATE)
                .map(r -> eventId(r.event()))
                .distinct()
                .count())
        .isEqualTo(EVENTS);
  }

  @Test
  void faultCountsMatchTheRequestedFractions() {
    // Binomial with n = 100,000: the standard deviation of a 5 % share is 0.07 points.
    assertThat(count(SimulatedRecord.Kind.DUPLICATE) / (double) EVENTS)
        .isCloseTo(0.05, within(0.004));
    assertThat(count(SimulatedRecord.Kind.OUT_OF_ORDER) / (double) EVENTS)
        .isCloseTo(0.04, within(0.004));
    assertThat(count(SimulatedRecord.Kind.LATE) / (double) EVENTS).isCloseTo(0.01, within(0.002));
    assertThat(count(SimulatedRecord.Kind.MALFORMED) / (double) EVENTS)
        .isCloseTo(0.02, within(0.003));
    for (SimulatedRecord.MalformedKind k : SimulatedRecord.MalformedKind.values()) {
      assertThat(records.stream().filter(r -> r.malformedKind() == k).count())
          .as(k.name())
          .isBetween(300L, 700L);
    }
  }

  @Test
  void reportEqualsARecountOfTheDeliveredRecords() {
    Map<String, Map<SimulatedRecord.Kind, Long>> byTopic = new TreeMap<>();
    Map<SimulatedRecord.MalformedKind, Long> byMalformed =
        new EnumMap<>(SimulatedRecord.MalformedKind.class);
    for (SimulatedRecord r : records) {
      byTopic
          .computeIfAbsent(r.topic().name(), t -> new EnumMap<>(SimulatedRecord.Kind.class))
          .merge(r.kind(), 1L, Long::sum);
      if (r.malformedKind() != null) {
        byMalformed.merge(r.malformedKind(), 1L, Long::sum);
      }
    }
    assertThat(report.emitted()).isEqualTo(records.size());
    assertThat(report.uniqueValid()).isEqualTo(EVENTS);
    assertThat(report.duplicates()).isEqualTo(count(SimulatedRecord.Kind.DUPLICATE));
    assertThat(report.outOfOrder()).isEqualTo(count(SimulatedRecord.Kind.OUT_OF_ORDER));
    assertThat(report.late()).isEqualTo(count(SimulatedRecord.Kind.LATE));
    assertThat(report.malformed()).isEqualTo(count(SimulatedRecord.Kind.MALFORMED));
    byTopic.forEach(
        (topic, kinds) ->
            kinds.forEach(
                (kind, n) ->
                    assertThat(report.count(topic, kind)).as(topic + " " + kind).isEqualTo(n)));
    for (SimulatedRecord.MalformedKind k : SimulatedRecord.MalformedKind.values()) {
      assertThat(report.malformed(k)).as(k.name()).isEqualTo(byMalformed.getOrDefault(k, 0L));
    }
    assertThat(byTopic.keySet())
        .containsExactlyInAnyOrder(
            Topics.API_REQUESTS.name(),
            Topics.CLASSROOM.name(),
            Topics.PLAYBACK.name(),
            Topics.PROBES.name());
  }

  @Test
  void aDuplicateHasTheSameBytesAndKeyAsItsEarlierFirstDelivery() {
    Map<String, SimulatedRecord> firstDelivery = new HashMap<>();
    int duplicates = 0;
    for (SimulatedRecord r : records) {
      if (!r.isValid()) {
        continue;
      }
      String id = eventId(r.event());
      if (r.kind() == SimulatedRecord.Kind.DUPLICATE) {
        SimulatedRecord first = firstDelivery.get(id);
        assertThat(first).as("the first delivery precedes its duplicate").isNotNull();
        assertThat(Arrays.equals(first.value(), r.value())).isTrue();
        assertThat(r.key()).isEqualTo(first.key());
        assertThat(r.topic()).isEqualTo(first.topic());
        duplicates++;
      } else {
        assertThat(firstDelivery.put(id, r)).isNull();
      }
    }
    assertThat(duplicates).isPositive();
  }

  @Test
  void outOfOrderEventsTrailTheStreamBySecondsAndLateOnesByMoreThanTenMinutes() {
    long maxSeen = Long.MIN_VALUE;
    long lastEventTime =
        records.stream().mapToLong(r -> r.eventTime().toEpochMilli()).max().orElseThrow();
    int lateChecked = 0;
    for (SimulatedRecord r : records) {
      long t = r.eventTime().toEpochMilli();
      if (r.kind() == SimulatedRecord.Kind.OUT_OF_ORDER && t + 25_000 < lastEventTime) {
        assertThat(maxSeen - t).isBetween(0L, 20_000L);
      }
      // Late events held back past the end of the stream are flushed at the end; skip those.
      if (r.kind() == SimulatedRecord.Kind.LATE && t + 31 * 60_000 < lastEventTime) {
        assertThat(maxSeen - t).isBetween(10 * 60_000L, 30 * 60_000L);
        lateChecked++;
      }
      if (r.kind() == SimulatedRecord.Kind.ORIGINAL) {
        maxSeen = Math.max(maxSeen, t);
      }
    }
    assertThat(lateChecked).isPositive();
  }

  @Test
  void malformedRecordsAreRejectedByTheCodecAndValidOnesDecodeToTheirEvent() {
    Instant now = CONFIG.start().plus(Duration.ofDays(1));
    Map<String, EventCodec<?>> codecs = new HashMap<>();
    for (Topic<?> t : Topics.ALL) {
      codecs.put(
          t.name(),
          EventCodec.forTopic(t, EventValidator.withClock(Clock.fixed(now, ZoneOffset.UTC))));
    }
    int malformed = 0;
    for (SimulatedRecord r : records) {
      DecodeResult<?> result = codecs.get(r.topic().name()).decode(r.value());
      if (r.isValid()) {
        assertThat(result.valueOrNull()).isEqualTo(r.event());
      } else {
        assertThat(result.isOk()).as(r.malformedKind() + " must not decode").isFalse();
        malformed++;
      }
    }
    assertThat(malformed).isEqualTo(report.malformed());
  }

  @Test
  void noFaultsConfiguredDeliversEveryEventOnceInOrder() {
    Simulator.RecordStream clean =
        new Simulator(CONFIG.withMaxEvents(5_000).withFaults(FaultConfig.NONE)).records();
    List<SimulatedRecord> out = new ArrayList<>();
    clean.forEachRemaining(out::add);
    assertThat(out)
        .hasSize(5_000)
        .allSatisfy(r -> assertThat(r.kind()).isEqualTo(SimulatedRecord.Kind.ORIGINAL));
    assertThat(clean.report().emitted()).isEqualTo(5_000);
  }

  @Test
  void oracleOverTheDamagedStreamEqualsOracleOverTheOriginalEvents() {
    // The oracle reads the bytes itself and judges them by its own rules, malformed ones included.
    Instant ingest = Instant.parse("2030-01-01T00:00:00Z"); // after every simulated event
    List<byte[]> delivered = new ArrayList<>();
    records.stream()
        .filter(r -> r.topic() == Topics.API_REQUESTS)
        .forEach(r -> delivered.add(r.value()));
    List<byte[]> originals = new ArrayList<>();
    new Simulator(CONFIG)
        .events()
        .forEachRemaining(
            e -> {
              if (e.topic() == Topics.API_REQUESTS) {
                originals.add(Encoding.encode(e.topic(), e.event()));
              }
            });
    ApiOracle fromDelivered = ApiOracle.ofRecords(delivered, ingest);
    ApiOracle fromOriginals = ApiOracle.ofRecords(originals, ingest);
    long apiOriginals = originals.size();
    assertThat(fromOriginals.counted()).isEqualTo(apiOriginals);
    assertThat(fromDelivered.counted()).isEqualTo(apiOriginals);
    assertThat(fromDelivered.duplicatesIgnored())
        .isEqualTo(report.count(Topics.API_REQUESTS.name(), SimulatedRecord.Kind.DUPLICATE));
    assertThat(fromDelivered.stats(Grain.MINUTE).keySet())
        .isEqualTo(fromOriginals.stats(Grain.MINUTE).keySet());
    fromOriginals
        .stats(Grain.MINUTE)
        .forEach(
            (k, s) ->
                assertThat(fromDelivered.get(k).latenciesUs())
                    .as(k.toString())
                    .isEqualTo(s.latenciesUs()));
  }

  private static String eventId(SpecificRecord e) {
    return e.get(e.getSchema().getField("event_id").pos()).toString();
  }
}
