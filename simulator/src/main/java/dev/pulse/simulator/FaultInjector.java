package dev.pulse.simulator;

import dev.pulse.events.ApiRequestEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns the ordered stream of original events into delivered records, damaging it as {@link
 * FaultConfig} asks: delays some events (out of order, or late), re-sends some (duplicates), and
 * slips malformed records in. Delays are in event time: a delayed event is released once the stream
 * has moved that far past it, so delivery order does not depend on how fast anything runs. Its
 * random stream is its own, so faults never change the events.
 */
final class FaultInjector implements Iterator<SimulatedRecord> {

  static final long OUT_OF_ORDER_MIN_MS = 1_000;
  static final long OUT_OF_ORDER_MAX_MS = 20_000;
  static final long LATE_MIN_MS = 10 * 60_000;
  static final long LATE_MAX_MS = 30 * 60_000;
  static final long DUPLICATE_MIN_MS = 200;
  static final long DUPLICATE_MAX_MS = 5_000;

  private record Pending(long releaseAt, long seq, SimulatedRecord record) {}

  private final Iterator<SimulatedEvent> originals;
  private final FaultConfig faults;
  private final SplittableRandom r;
  private final FaultReport.Tally tally = new FaultReport.Tally();
  private final PriorityQueue<Pending> delayed =
      new PriorityQueue<>(
          Comparator.comparingLong(Pending::releaseAt).thenComparingLong(Pending::seq));
  private final ArrayDeque<SimulatedRecord> ready = new ArrayDeque<>();
  private long seq;

  FaultInjector(Iterator<SimulatedEvent> originals, FaultConfig faults, long seed) {
    this.originals = originals;
    this.faults = faults;
    this.r = Seeds.random(seed, "faults");
  }

  FaultReport report() {
    return tally.snapshot();
  }

  @Override
  public boolean hasNext() {
    return !ready.isEmpty() || originals.hasNext() || !delayed.isEmpty();
  }

  @Override
  public SimulatedRecord next() {
    while (ready.isEmpty()) {
      if (originals.hasNext()) {
        accept(originals.next());
      } else if (!delayed.isEmpty()) {
        // End of stream: what is still held back is delivered now, in release order.
        ready.add(delayed.poll().record());
      } else {
        throw new NoSuchElementException();
      }
    }
    SimulatedRecord rec = ready.poll();
    tally.add(rec);
    return rec;
  }

  private void accept(SimulatedEvent e) {
    long now = e.epochMillis();
    while (!delayed.isEmpty() && delayed.peek().releaseAt() <= now) {
      ready.add(delayed.poll().record());
    }
    byte[] bytes = Encoding.encode(e.topic(), e.event());
    // Three draws per event, always, so one fault's rate does not shift the others' draws.
    double delayDraw = r.nextDouble();
    double dupDraw = r.nextDouble();
    double malformedDraw = r.nextDouble();

    long deliveredAt = now;
    if (delayDraw < faults.lateRate()) {
      deliveredAt = now + Seeds.between(r, LATE_MIN_MS, LATE_MAX_MS + 1);
      hold(deliveredAt, record(e, bytes, SimulatedRecord.Kind.LATE));
    } else if (delayDraw < faults.lateRate() + faults.outOfOrderRate()) {
      deliveredAt = now + Seeds.between(r, OUT_OF_ORDER_MIN_MS, OUT_OF_ORDER_MAX_MS + 1);
      hold(deliveredAt, record(e, bytes, SimulatedRecord.Kind.OUT_OF_ORDER));
    } else {
      ready.add(record(e, bytes, SimulatedRecord.Kind.ORIGINAL));
    }
    if (dupDraw < faults.duplicateRate()) {
      // A retried send: after the first delivery, with the very same bytes.
      hold(
          deliveredAt + Seeds.between(r, DUPLICATE_MIN_MS, DUPLICATE_MAX_MS + 1),
          record(e, bytes, SimulatedRecord.Kind.DUPLICATE));
    }
    if (malformedDraw < faults.malformedRate()) {
      ready.add(malformed(e, bytes));
    }
  }

  private void hold(long releaseAt, SimulatedRecord rec) {
    delayed.add(new Pending(releaseAt, seq++, rec));
  }

  private static SimulatedRecord record(SimulatedEvent e, byte[] bytes, SimulatedRecord.Kind kind) {
    return new SimulatedRecord(e.topic(), e.key(), bytes, e.eventTime(), kind, null, e.event());
  }

  private SimulatedRecord malformed(SimulatedEvent e, byte[] valid) {
    SimulatedRecord.MalformedKind kind =
        SimulatedRecord.MalformedKind.values()[
            r.nextInt(SimulatedRecord.MalformedKind.values().length)];
    byte[] bytes =
        switch (kind) {
          case TRUNCATED -> Arrays.copyOf(valid, 1 + r.nextInt(valid.length - 1));
          case RANDOM_BYTES -> {
            byte[] b = new byte[1 + r.nextInt(200)];
            for (int i = 0; i < b.length; i++) {
              b[i] = (byte) r.nextInt(256);
            }
            // Never the single-object marker's first byte: these bytes must not even look like
            // Avro.
            if (b[0] == (byte) 0xC3) {
              b[0] = 0x7B;
            }
            yield b;
          }
          case UNKNOWN_FINGERPRINT -> {
            byte[] b = valid.clone();
            // Bytes 2..9 are the writer schema's fingerprint: replace them with one nobody
            // released.
            for (int i = 2; i < 10; i++) {
              b[i] = (byte) r.nextInt(256);
            }
            yield b;
          }
          case INVALID_VALUES -> Encoding.encode(e.topic(), invalidCopy(e.event()));
        };
    return new SimulatedRecord(
        e.topic(), e.key(), bytes, e.eventTime(), SimulatedRecord.Kind.MALFORMED, kind, null);
  }

  /**
   * A copy of {@code event} that decodes but breaks a rule: bad UUID (some over-long, with an emoji
   * at character 63 or 64), absurd time or status 999.
   */
  private SpecificRecord invalidCopy(SpecificRecord event) {
    SpecificRecord copy = SpecificData.get().deepCopy(event.getSchema(), event);
    int eventId = event.getSchema().getField("event_id").pos();
    int eventTime = event.getSchema().getField("event_time").pos();
    int variants = event instanceof ApiRequestEvent ? 3 : 2;
    switch (r.nextInt(variants)) {
      case 0 -> {
        long v = r.nextLong();
        // Half are over-long ids with an emoji across the 64th character, where a cut by UTF-16
        // units would split its surrogate pair (the dead letter's message quotes the value).
        copy.put(
            eventId,
            (v & 1) == 0
                ? "not-a-uuid-" + Long.toHexString(v)
                : "y".repeat(63 + (int) ((v >>> 1) & 1)) + "\uD83D\uDE00" + Long.toHexString(v));
      }
      case 1 -> {
        copy.put(eventId, Seeds.uuid(r));
        // An unset device clock: the first seconds of 1970.
        copy.put(eventTime, Instant.ofEpochMilli(r.nextInt(86_400_000)));
      }
      default -> {
        copy.put(eventId, Seeds.uuid(r));
        ((ApiRequestEvent) copy).setStatusCode(999);
      }
    }
    return copy;
  }
}
