package dev.pulse.flink.playback.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.PlaybackEvent;
import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.testing.SkewedDelivery;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The playback step that keeps each open view's walk between steps gives exactly what the step that
 * walked all of a view's events twice at every step did ({@link ReferencePlaybackViewFunction}, the
 * previous version): the same minute rows, view rows and late events, with the same timestamps and
 * in the same order, after every element and watermark, for random views delivered out of order
 * with late corrections (some filling an idle gap, some a VIEW_START after the view's first event),
 * for the simulated evening delivered as a catch-up read of two partitions, with the kept walks
 * evicted all the time, and across snapshots and restores (the walks are not state: a restored step
 * builds them again from the kept events).
 */
class PlaybackViewWalkKeptTest {

  private static final long T0 = 1_772_445_600_000L; // 2026-03-02T10:00:00Z
  private static final long LATENESS = 30_000;

  private int ids;

  private PlaybackActivity event(String view, long ms, String type, int kbps, boolean fatal) {
    return new PlaybackActivity(
        String.format("%08x-0000-4000-8000-000000000000", ids++),
        "t",
        view,
        "video-" + (view.hashCode() & 3),
        "c-1",
        "u-1",
        type,
        T0 + ms,
        kbps,
        ms,
        fatal,
        null,
        // A view reported by its VIEW_START: its dimensions change when one comes after its first
        // event; some with a region null before and "null" after (equal as text, not as values).
        type.equals("VIEW_START") ? "fastly" : "akamai",
        view.hashCode() % 3 != 0 ? "eu-west" : type.equals("VIEW_START") ? "null" : null,
        "laptop",
        "pulse-web 2.8.0");
  }

  /** A random view: heartbeats, rebuffers, pauses, bitrate changes, idle gaps, errors, an end. */
  private List<PlaybackActivity> randomView(SplittableRandom r, String view) {
    List<PlaybackActivity> out = new ArrayList<>();
    long t = r.nextLong(3 * 3_600_000L);
    if (r.nextInt(8) == 0) {
      out.add(event(view, t, "HEARTBEAT", -1, false)); // its VIEW_START comes after
      t += 1 + r.nextInt(3_000);
    }
    out.add(event(view, t, "VIEW_START", -1, false));
    t += 200 + r.nextInt(6_000);
    if (r.nextInt(10) == 0) {
      out.add(event(view, t, "VIEW_END", -1, false));
      return out;
    }
    out.add(event(view, t, "FIRST_FRAME", 400 * (1 + r.nextInt(10)), false));
    int n = 2 + r.nextInt(120);
    for (int i = 0; i < n; i++) {
      t += r.nextInt(25) == 0 ? 61_000 + r.nextInt(60_000) : 1 + r.nextInt(12_000);
      String type =
          switch (r.nextInt(12)) {
            case 0 -> "REBUFFER_START";
            case 1 -> "REBUFFER_END";
            case 2 -> "PAUSE";
            case 3 -> "RESUME";
            case 4 -> "BITRATE_CHANGE";
            case 5 -> r.nextInt(30) == 0 ? "ERROR" : "HEARTBEAT";
            case 6 -> r.nextInt(40) == 0 ? "VIEW_START" : "HEARTBEAT";
            default -> "HEARTBEAT";
          };
      boolean fatal = type.equals("ERROR") && r.nextBoolean();
      out.add(
          event(
              view,
              t,
              type,
              type.equals("BITRATE_CHANGE") ? 400 * (1 + r.nextInt(10)) : -1,
              fatal));
    }
    if (r.nextInt(4) != 0) {
      out.add(event(view, t + r.nextInt(2_000), "VIEW_END", -1, false));
    }
    return out;
  }

  /** Random views in event time, a tenth of the events 1-40 s late and some 1-30 minutes late. */
  private List<SkewedDelivery.Step<PlaybackActivity>> randomDelivery(long seed, int views) {
    SplittableRandom r = new SplittableRandom(seed);
    List<PlaybackActivity> all = new ArrayList<>();
    for (int v = 0; v < views; v++) {
      all.addAll(randomView(r, "v" + v));
    }
    List<long[]> order = new ArrayList<>(); // {delivery time, index}
    for (int i = 0; i < all.size(); i++) {
      long delay =
          switch (r.nextInt(40)) {
            case 0 -> 60_000 + r.nextLong(1_740_000);
            case 1, 2, 3, 4 -> 1_000 + r.nextLong(39_000);
            default -> 0;
          };
      order.add(new long[] {all.get(i).timeMs() + delay, i});
    }
    order.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    List<SkewedDelivery.Step<PlaybackActivity>> steps = new ArrayList<>();
    long highest = Long.MIN_VALUE;
    for (long[] o : order) {
      PlaybackActivity e = all.get((int) o[1]);
      steps.add(new SkewedDelivery.Step<>(e, e.timeMs(), Long.MIN_VALUE));
      if (e.timeMs() - 2_000 > highest) {
        highest = e.timeMs() - 2_000;
        steps.add(new SkewedDelivery.Step<>(null, Long.MIN_VALUE, highest));
      }
    }
    steps.add(new SkewedDelivery.Step<>(null, Long.MIN_VALUE, Long.MAX_VALUE));
    return steps;
  }

  private static KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta>
      harness(KeyedProcessFunction<ViewKey, PlaybackActivity, QoeMinuteDelta> f) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(f), PlaybackActivity::key, ViewKey.TYPE);
  }

  private static void step(
      KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta> h,
      SkewedDelivery.Step<PlaybackActivity> s)
      throws Exception {
    if (s.isWatermark()) {
      h.processWatermark(new Watermark(s.watermark()));
    } else {
      h.processElement(new StreamRecord<>(s.event(), s.timestamp()));
    }
  }

  /** What the harness emitted since the last call, as text (rows hold arrays). */
  private static List<String> drain(
      KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta> h) {
    List<String> out = new ArrayList<>();
    h.getOutput().forEach(o -> out.add(text(o)));
    h.getOutput().clear();
    for (var tag : List.of(PlaybackViewFunction.VIEWS, PlaybackViewFunction.LATE)) {
      var q = h.getSideOutput(tag);
      if (q != null) {
        q.forEach(o -> out.add(tag.getId() + " " + text(o)));
        q.clear();
      }
    }
    return out;
  }

  private static String text(Object o) {
    if (o instanceof StreamRecord<?> r) {
      return (r.hasTimestamp() ? r.getTimestamp() : "-") + " " + text(r.getValue());
    }
    if (o != null && o.getClass().isRecord()) {
      StringBuilder b = new StringBuilder(o.getClass().getSimpleName()).append('[');
      for (RecordComponent c : o.getClass().getRecordComponents()) {
        try {
          Object v = c.getAccessor().invoke(o);
          b.append(c.getName()).append('=');
          if (v instanceof int[] a) {
            b.append(Arrays.toString(a));
          } else if (v instanceof long[] a) {
            b.append(Arrays.toString(a));
          } else {
            b.append(text(v));
          }
          b.append(", ");
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return b.append(']').toString();
    }
    return String.valueOf(o);
  }

  /** Runs both steps side by side, restoring both at {@code restores}; returns what was emitted. */
  private static List<String> sideBySide(
      List<SkewedDelivery.Step<PlaybackActivity>> steps,
      PlaybackViewFunction kept,
      ReferencePlaybackViewFunction reference,
      Set<Integer> restores,
      int maxEvents,
      int walksKept)
      throws Exception {
    var want = harness(reference);
    var got = harness(kept);
    want.open();
    got.open();
    List<String> emitted = new ArrayList<>();
    long corrections = 0;
    long lastWatermark = Long.MIN_VALUE;
    for (int i = 0; i < steps.size(); i++) {
      if (restores.contains(i)) {
        want = restore(want, new ReferencePlaybackViewFunction(LATENESS, maxEvents), i);
        got = restore(got, new PlaybackViewFunction(LATENESS, maxEvents, walksKept), i);
        if (lastWatermark != Long.MIN_VALUE) {
          want.processWatermark(new Watermark(lastWatermark));
          got.processWatermark(new Watermark(lastWatermark));
        }
      }
      var s = steps.get(i);
      if (s.isWatermark()) {
        lastWatermark = s.watermark();
      }
      step(want, s);
      step(got, s);
      List<String> expected = drain(want);
      assertThat(drain(got)).as("after step %d", i).isEqualTo(expected);
      emitted.addAll(expected);
      corrections += expected.stream().filter(x -> x.contains("version=2")).count();
    }
    assertThat(corrections).as("views corrected").isPositive();
    assertThat(got.numKeyedStateEntries()).isZero();
    assertThat(got.numEventTimeTimers()).isZero();
    want.close();
    got.close();
    return emitted;
  }

  private static KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta>
      restore(
          KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta> h,
          KeyedProcessFunction<ViewKey, PlaybackActivity, QoeMinuteDelta> into,
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

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void randomViewsOutOfOrderAndLateGiveExactlyWhatWalkingThemAgainDid(long seed) throws Exception {
    var steps = randomDelivery(seed, 400);
    List<String> emitted =
        sideBySide(
            steps,
            new PlaybackViewFunction(LATENESS),
            new ReferencePlaybackViewFunction(LATENESS),
            Set.of(),
            PlaybackViewFunction.MAX_EVENTS_PER_VIEW,
            PlaybackViewFunction.MAX_WALKS_KEPT);
    assertThat(emitted).hasSizeGreaterThan(5_000);
    // Views whose VIEW_START came after their first event: their minutes moved to its dimensions.
    assertThat(emitted).anyMatch(r -> r.contains("cdn=akamai") && r.contains("viewsStarted=-1"));
  }

  @Test
  void withTheWalksEvictedAllTheTimeAndAFewEventsPerViewTheStepsStillAgree() throws Exception {
    var steps = randomDelivery(4, 300);
    sideBySide(
        steps,
        new PlaybackViewFunction(LATENESS, 40, 3),
        new ReferencePlaybackViewFunction(LATENESS, 40),
        Set.of(),
        40,
        3);
  }

  @Test
  void acrossSnapshotsAndRestoresTheWalksAreBuiltAgainFromTheKeptEvents() throws Exception {
    var steps = randomDelivery(5, 300);
    Set<Integer> restores = new HashSet<>();
    for (int i = 1; i <= 7; i++) {
      restores.add(i * steps.size() / 8);
    }
    sideBySide(
        steps,
        new PlaybackViewFunction(LATENESS),
        new ReferencePlaybackViewFunction(LATENESS),
        restores,
        PlaybackViewFunction.MAX_EVENTS_PER_VIEW,
        PlaybackViewFunction.MAX_WALKS_KEPT);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 120_000})
  void theSimulatedEveningAsACatchUpReadGivesExactlyWhatWalkingItAgainDid(long skewMs)
      throws Exception {
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20261203)
            .withDomains(EnumSet.of(Domain.PLAYBACK))
            .withStart(Instant.parse("2026-03-02T18:00:00Z"))
            .withDuration(Duration.ofMinutes(60))
            .withRates(1, 20)
            .withFaults(new FaultConfig(0.03, 0.05, 0.02, 0.01));
    List<PlaybackActivity> events = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Iterator<SimulatedRecord> it = new Simulator(sim).records(); it.hasNext(); ) {
      SimulatedRecord r = it.next();
      if (r.isValid()) {
        PlaybackActivity e = PlaybackActivity.of((PlaybackEvent) r.event());
        if (seen.add(e.tenantId() + "/" + e.eventId())) { // the dedup before the step
          events.add(e);
          keys.add(r.key());
        }
      }
    }
    var steps =
        new SkewedDelivery<>(events, keys, PlaybackActivity::timeMs, skewMs, 2_000, 1_000).steps();
    sideBySide(
        steps,
        new PlaybackViewFunction(LATENESS),
        new ReferencePlaybackViewFunction(LATENESS),
        Set.of(steps.size() / 12), // (the memory-backed snapshot of the harness holds 5 MiB)
        PlaybackViewFunction.MAX_EVENTS_PER_VIEW,
        PlaybackViewFunction.MAX_WALKS_KEPT);
  }
}
