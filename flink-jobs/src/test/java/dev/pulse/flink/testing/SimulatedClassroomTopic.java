package dev.pulse.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.oracle.ClassEvent;
import dev.pulse.oracle.EngagementOracle;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.SentEvents;
import dev.pulse.testing.TestKafka;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * A simulated classroom day written to a one-partition Kafka topic, and the engagement oracle of
 * what a job reading it must count: the valid events sent, but the late ones.
 *
 * <p>What the simulator releases at the end of its stream (events it still held back, not yet
 * delayed as long as their label says) is left out, but for its malformed records: every {@code
 * LATE} record left is then 10-30 minutes of event time behind a dense day's stream, far beyond the
 * watermark less the 30 s allowed lateness, so late; {@code OUT_OF_ORDER} ones (1-20 s) are within
 * it and count.
 *
 * @param oracle the expected facts, with the watermark at the end of time (a bounded read)
 * @param late the lower-case ids of the late events
 * @param uniqueValid distinct valid events sent (late ones included)
 * @param malformed malformed records sent
 * @param outOfOrder records sent out of order
 * @param records records sent
 */
public record SimulatedClassroomTopic(
    EngagementOracle oracle,
    Set<String> late,
    long uniqueValid,
    long malformed,
    long outOfOrder,
    long records) {

  /** Writes the simulation of {@code sim} to {@code topic} (one partition) and works it out. */
  public static SimulatedClassroomTopic write(TestKafka kafka, String topic, SimulationConfig sim) {
    List<SimulatedRecord> all = new ArrayList<>();
    new Simulator(sim).records().forEachRemaining(all::add);
    int lastOriginal = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).kind() == SimulatedRecord.Kind.ORIGINAL) {
        lastOriginal = i;
      }
    }
    List<SimulatedRecord> records = new ArrayList<>(all.subList(0, lastOriginal + 1));
    all.subList(lastOriginal + 1, all.size()).stream()
        .filter(r -> r.kind() == SimulatedRecord.Kind.MALFORMED)
        .forEach(records::add);
    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            kafka.bootstrapServers(),
            new Properties(),
            name -> name.equals(Topics.CLASSROOM.name()) ? topic : name)) {
      records.forEach(writer::send);
      writer.flush();
      assertThat(writer.failedSends()).isZero();
    }
    List<ClassEvent> valid = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> late = new HashSet<>();
    long malformed = 0;
    long outOfOrder = 0;
    for (SimulatedRecord r : records) {
      if (!r.isValid()) {
        malformed++;
        continue;
      }
      ClassroomEvent e = (ClassroomEvent) r.event();
      String eventId = e.getEventId().toLowerCase(Locale.ROOT);
      String id = e.getTenantId() + "/" + eventId;
      if (!ids.contains(id) && r.kind() == SimulatedRecord.Kind.LATE) {
        late.add(eventId);
      }
      if (r.kind() == SimulatedRecord.Kind.OUT_OF_ORDER) {
        outOfOrder++;
      }
      ids.add(id);
      if (late.contains(eventId)) {
        continue; // late: in the raw and late tables only
      }
      valid.add(SentEvents.classEvent(e));
    }
    return new SimulatedClassroomTopic(
        EngagementOracle.of(valid, Long.MAX_VALUE),
        Set.copyOf(late),
        ids.size(),
        malformed,
        outOfOrder,
        records.size());
  }
}
