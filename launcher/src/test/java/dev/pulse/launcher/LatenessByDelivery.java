package dev.pulse.launcher;

import dev.pulse.simulator.SimulatedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * Which simulated records an end-to-end test sends, and the fate each meets in a job that reads
 * them from one partition at parallelism 1, by the lateness rule every Pulse job shares: the
 * watermark is the highest event time delivered so far less the out-of-orderness, and an event at
 * or before it less the allowed lateness is late. The job emits a watermark once it can move by its
 * step (1 s), so it trails that bound by under a second: a record whose fate falls in that second
 * is left out (not sent), so every fate here is certain.
 */
final class LatenessByDelivery {

  /** What a sent record is to the job. */
  enum Fate {
    /** Not a valid event: a dead letter. */
    MALFORMED,
    /** An event id delivered before: dropped by dedup. */
    DUPLICATE,
    ON_TIME,
    LATE
  }

  /** A record to send, in order, with its fate and its event's tenant/id (null if malformed). */
  record Delivery(SimulatedRecord record, Fate fate, String id) {}

  private LatenessByDelivery() {}

  static List<Delivery> of(
      List<SimulatedRecord> all, Duration outOfOrderness, Duration allowedLateness) {
    long certainlyOnTime = outOfOrderness.plus(allowedLateness).toMillis();
    long certainlyLate = certainlyOnTime + 1_000;
    List<Delivery> out = new ArrayList<>();
    Set<String> delivered = new HashSet<>();
    long highest = Long.MIN_VALUE;
    for (SimulatedRecord r : all) {
      if (!r.isValid()) {
        out.add(new Delivery(r, Fate.MALFORMED, null));
        continue;
      }
      GenericRecord e = (GenericRecord) r.event();
      String id = e.get("tenant_id") + "/" + e.get("event_id").toString().toLowerCase(Locale.ROOT);
      long time = r.eventTime().toEpochMilli();
      Fate fate = Fate.ON_TIME;
      if (delivered.contains(id)) {
        fate = Fate.DUPLICATE;
      } else if (highest != Long.MIN_VALUE) {
        long behind = highest - time;
        if (behind > certainlyOnTime && behind <= certainlyLate) {
          continue;
        }
        fate = behind > certainlyLate ? Fate.LATE : Fate.ON_TIME;
      }
      delivered.add(id);
      highest = Math.max(highest, time);
      out.add(new Delivery(r, fate, id));
    }
    return out;
  }
}
