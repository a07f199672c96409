package dev.pulse.flink.classroom.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ClassroomEvent;
import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.flink.testing.SkewedDelivery;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engagement step with its held events indexed by time gives exactly what the step that scanned
 * them all did ({@link ReferenceSessionEngagementFunction}, the previous version): a simulated
 * school day with out-of-order, late and duplicate events, delivered as a catch-up read of two
 * partitions one ahead of the other, yields the same minutes, learners, sessions and late events,
 * with the same timestamps and in the same order, after every element and watermark. And a snapshot
 * taken mid-day, of the new step or of the previous version (its held events in the one list),
 * restores into the new step and carries on as the previous version restored there does.
 */
class SessionEngagementHeldIndexTest {

  private static final long LATENESS = 30_000;

  private static List<ClassroomActivity> events;
  private static List<String> keys;

  private static synchronized void simulate() {
    if (events != null) {
      return;
    }
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20260302)
            .withDomains(EnumSet.of(Domain.CLASSROOM))
            .withStart(Instant.parse("2026-03-02T08:00:00Z"))
            .withDuration(Duration.ofHours(6))
            .withPlatform(2, 4, 25, 1)
            .withFaults(new FaultConfig(0.03, 0.05, 0.02, 0.01));
    events = new ArrayList<>();
    keys = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Iterator<SimulatedRecord> it = new Simulator(sim).records(); it.hasNext(); ) {
      SimulatedRecord r = it.next();
      if (!r.isValid()) {
        continue;
      }
      ClassroomActivity e = ClassroomActivity.of((ClassroomEvent) r.event());
      if (seen.add(e.tenantId() + "/" + e.eventId())) { // the dedup before the step
        events.add(e);
        keys.add(r.key());
      }
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<
          SessionKey, ClassroomActivity, SessionMinuteFact>
      harness(KeyedProcessFunction<SessionKey, ClassroomActivity, SessionMinuteFact> f)
          throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(f), ClassroomActivity::key, SessionKey.TYPE);
  }

  private static void step(
      KeyedOneInputStreamOperatorTestHarness<SessionKey, ClassroomActivity, SessionMinuteFact> h,
      SkewedDelivery.Step<ClassroomActivity> s)
      throws Exception {
    if (s.isWatermark()) {
      h.processWatermark(new Watermark(s.watermark()));
    } else {
      h.processElement(new StreamRecord<>(s.event(), s.timestamp()));
    }
  }

  /** Everything the harness emitted since the last call, main output first, then by side output. */
  private static List<Object> drain(
      KeyedOneInputStreamOperatorTestHarness<SessionKey, ClassroomActivity, SessionMinuteFact> h) {
    List<Object> out = new ArrayList<>(h.getOutput());
    h.getOutput().clear();
    for (var tag :
        List.of(
            SessionEngagementFunction.LEARNERS,
            SessionEngagementFunction.SESSIONS,
            SessionEngagementFunction.LATE)) {
      var q = h.getSideOutput(tag);
      if (q != null && !q.isEmpty()) {
        out.add(tag.getId());
        out.addAll(q);
        q.clear();
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 45_000, 300_000})
  void theIndexedStepEmitsExactlyWhatTheScanningOneDid(long skewMs) throws Exception {
    simulate();
    var delivery =
        new SkewedDelivery<>(events, keys, ClassroomActivity::timeMs, skewMs, 2_000, 1_000);
    long emitted = 0;
    try (var reference = harness(new ReferenceSessionEngagementFunction(LATENESS));
        var indexed = harness(new SessionEngagementFunction(LATENESS))) {
      reference.open();
      indexed.open();
      int i = 0;
      for (var s : delivery.steps()) {
        step(reference, s);
        step(indexed, s);
        List<Object> want = drain(reference);
        assertThat(drain(indexed)).as("after step %d", i++).isEqualTo(want);
        emitted += want.size();
      }
      assertThat(indexed.numKeyedStateEntries()).isZero();
      assertThat(indexed.numEventTimeTimers()).isZero();
    }
    assertThat(emitted).isGreaterThan(1_000);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aSnapshotOfEitherVersionMidDayRestoresIntoTheIndexedStep(boolean fromReference)
      throws Exception {
    simulate();
    var delivery =
        new SkewedDelivery<>(events, keys, ClassroomActivity::timeMs, 120_000, 2_000, 1_000);
    List<SkewedDelivery.Step<ClassroomActivity>> steps = delivery.steps();
    // Three restores, at a third, a half and two thirds of the day.
    List<Integer> cuts = List.of(steps.size() / 3, steps.size() / 2, 2 * steps.size() / 3);
    var reference = harness(new ReferenceSessionEngagementFunction(LATENESS));
    var indexed =
        harness(
            fromReference
                ? new ReferenceSessionEngagementFunction(LATENESS)
                : new SessionEngagementFunction(LATENESS));
    reference.open();
    indexed.open();
    long lastWatermark = Long.MIN_VALUE;
    int held = 0;
    for (int i = 0; i < steps.size(); i++) {
      if (cuts.contains(i)) {
        held += reference.numKeyedStateEntries();
        reference = restore(reference, new ReferenceSessionEngagementFunction(LATENESS), i);
        indexed = restore(indexed, new SessionEngagementFunction(LATENESS), i);
        if (lastWatermark != Long.MIN_VALUE) {
          // As a source does after a restore, event time comes back to where it was.
          reference.processWatermark(new Watermark(lastWatermark));
          indexed.processWatermark(new Watermark(lastWatermark));
        }
      }
      var s = steps.get(i);
      if (s.isWatermark()) {
        lastWatermark = s.watermark();
      }
      step(reference, s);
      step(indexed, s);
      assertThat(drain(indexed)).as("after step %d", i).isEqualTo(drain(reference));
    }
    assertThat(held).as("state at the snapshots").isPositive();
    assertThat(indexed.numKeyedStateEntries()).isZero();
    assertThat(indexed.numEventTimeTimers()).isZero();
    reference.close();
    indexed.close();
  }

  private static KeyedOneInputStreamOperatorTestHarness<
          SessionKey, ClassroomActivity, SessionMinuteFact>
      restore(
          KeyedOneInputStreamOperatorTestHarness<SessionKey, ClassroomActivity, SessionMinuteFact>
              h,
          KeyedProcessFunction<SessionKey, ClassroomActivity, SessionMinuteFact> into,
          long checkpoint)
          throws Exception {
    OperatorSubtaskState snapshot = h.snapshot(checkpoint, checkpoint);
    assertThat(drain(h)).isEmpty();
    h.close();
    var restored = harness(into);
    restored.initializeState(snapshot);
    restored.open();
    return restored;
  }
}
