package dev.pulse.simulator;

import dev.pulse.events.topics.Topics;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a run delivered, counted by kind, by topic and by malformed kind: the numbers a pipeline
 * test compares with its dead-letter, late and dedup counters. The unique valid events are the
 * ORIGINAL, OUT_OF_ORDER and LATE records; DUPLICATE and MALFORMED come on top.
 */
public final class FaultReport {

  private final Map<String, EnumMap<SimulatedRecord.Kind, Long>> byTopic;
  private final EnumMap<SimulatedRecord.MalformedKind, Long> malformedByKind;

  private FaultReport(
      Map<String, EnumMap<SimulatedRecord.Kind, Long>> byTopic,
      EnumMap<SimulatedRecord.MalformedKind, Long> malformedByKind) {
    this.byTopic = byTopic;
    this.malformedByKind = malformedByKind;
  }

  /** All records delivered, every kind included. */
  public long emitted() {
    long n = 0;
    for (SimulatedRecord.Kind k : SimulatedRecord.Kind.values()) {
      n += count(k);
    }
    return n;
  }

  /** Distinct valid events: ORIGINAL + OUT_OF_ORDER + LATE. */
  public long uniqueValid() {
    return count(SimulatedRecord.Kind.ORIGINAL)
        + count(SimulatedRecord.Kind.OUT_OF_ORDER)
        + count(SimulatedRecord.Kind.LATE);
  }

  public long duplicates() {
    return count(SimulatedRecord.Kind.DUPLICATE);
  }

  public long outOfOrder() {
    return count(SimulatedRecord.Kind.OUT_OF_ORDER);
  }

  public long late() {
    return count(SimulatedRecord.Kind.LATE);
  }

  public long malformed() {
    return count(SimulatedRecord.Kind.MALFORMED);
  }

  /** Records of {@code kind} over all topics. */
  public long count(SimulatedRecord.Kind kind) {
    long n = 0;
    for (EnumMap<SimulatedRecord.Kind, Long> m : byTopic.values()) {
      n += m.getOrDefault(kind, 0L);
    }
    return n;
  }

  /** Records of {@code kind} sent to {@code topic} (a topic name). */
  public long count(String topic, SimulatedRecord.Kind kind) {
    EnumMap<SimulatedRecord.Kind, Long> m = byTopic.get(topic);
    return m == null ? 0 : m.getOrDefault(kind, 0L);
  }

  /** All records sent to {@code topic}. */
  public long emitted(String topic) {
    EnumMap<SimulatedRecord.Kind, Long> m = byTopic.get(topic);
    return m == null ? 0 : m.values().stream().mapToLong(Long::longValue).sum();
  }

  public long malformed(SimulatedRecord.MalformedKind kind) {
    return malformedByKind.getOrDefault(kind, 0L);
  }

  /** Counts by topic name (in {@link Topics#ALL} order) and kind. */
  public Map<String, Map<SimulatedRecord.Kind, Long>> byTopic() {
    Map<String, Map<SimulatedRecord.Kind, Long>> copy = new LinkedHashMap<>();
    byTopic.forEach((t, m) -> copy.put(t, Collections.unmodifiableMap(new EnumMap<>(m))));
    return Collections.unmodifiableMap(copy);
  }

  /**
   * One line: "emitted 1,204 (valid 1,180) dup=12 out-of-order=9 late=1 malformed=3 [truncated=1
   * ...]".
   */
  public String summary() {
    StringBuilder b =
        new StringBuilder(
            String.format(
                "emitted %,d (unique valid %,d) faults: dup=%,d out-of-order=%,d late=%,d malformed=%,d",
                emitted(), uniqueValid(), duplicates(), outOfOrder(), late(), malformed()));
    if (malformed() > 0) {
      b.append(" [");
      String sep = "";
      for (SimulatedRecord.MalformedKind k : SimulatedRecord.MalformedKind.values()) {
        b.append(sep).append(k.name().toLowerCase(Locale.ROOT)).append('=').append(malformed(k));
        sep = " ";
      }
      b.append(']');
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return summary();
  }

  /** A running count, snapshotted into reports. */
  static final class Tally {
    private final Map<String, EnumMap<SimulatedRecord.Kind, Long>> byTopic = new LinkedHashMap<>();
    private final EnumMap<SimulatedRecord.MalformedKind, Long> malformed =
        new EnumMap<>(SimulatedRecord.MalformedKind.class);

    Tally() {
      for (var t : Topics.ALL) {
        byTopic.put(t.name(), new EnumMap<>(SimulatedRecord.Kind.class));
      }
    }

    void add(SimulatedRecord r) {
      byTopic
          .computeIfAbsent(r.topic().name(), k -> new EnumMap<>(SimulatedRecord.Kind.class))
          .merge(r.kind(), 1L, Long::sum);
      if (r.malformedKind() != null) {
        malformed.merge(r.malformedKind(), 1L, Long::sum);
      }
    }

    FaultReport snapshot() {
      Map<String, EnumMap<SimulatedRecord.Kind, Long>> copy = new LinkedHashMap<>();
      byTopic.forEach((t, m) -> copy.put(t, new EnumMap<>(m)));
      EnumMap<SimulatedRecord.MalformedKind, Long> mk =
          new EnumMap<>(SimulatedRecord.MalformedKind.class);
      mk.putAll(malformed);
      return new FaultReport(copy, mk);
    }
  }
}
