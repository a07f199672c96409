package dev.pulse.flink.playback.functions;

import dev.pulse.events.PlaybackEvent;
import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.testing.OperatorThroughput;
import dev.pulse.flink.testing.SkewedDelivery;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * Throughput of the playback step alone ({@link PlaybackViewFunction} in Flink's harness, heap
 * state), fed with the bench's evening views (benchmarks/, {@code --traffic playback}) as a
 * catch-up read of two partitions delivers them: prints events/s and CPU per event, asserts nothing
 * ({@code -Dbench.long-views-minutes=M}: synthetic views of {@code M} minutes instead); with {@code
 * -Dbench.compare=true} the previous version's rounds (kept in test scope as the reference of the
 * equivalence test) take turns with the current one's. Not part of the suite (no {@code Test}
 * suffix): {@code mvn -q test -pl flink-jobs -Dtest=PlaybackViewThroughputBench [-Dbench.events=N
 * -Dbench.skew-ms=S]}, or its {@link #main}.
 */
class PlaybackViewThroughputBench {

  static final long LATENESS = 30_000;

  @Test
  void printsTheRate() throws Exception {
    main(new String[0]);
  }

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.events", 300_000);
    int rounds = Integer.getInteger("bench.rounds", 3);
    List<PlaybackActivity> in = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(42)
            .withMaxEvents(events)
            .withDuration(null)
            .withFaults(FaultConfig.NONE)
            .withDomains(EnumSet.of(Domain.PLAYBACK))
            .withStart(Instant.parse("2026-03-02T18:00:00Z"))
            .withPlatform(40, 25, 30, 2)
            .withRates(1, 2_000);
    long longViewMinutes = Long.getLong("bench.long-views-minutes", 0);
    if (longViewMinutes > 0) {
      longViews(events, longViewMinutes, in, keys);
    } else {
      for (Iterator<SimulatedRecord> it = new Simulator(sim).records(); it.hasNext(); ) {
        SimulatedRecord r = it.next();
        if (r.isValid()) {
          in.add(PlaybackActivity.of((PlaybackEvent) r.event()));
          keys.add(r.key());
        }
      }
    }
    for (long skew : skews()) {
      SkewedDelivery<PlaybackActivity> delivery =
          new SkewedDelivery<>(in, keys, PlaybackActivity::timeMs, skew, 2_000, 1_000);
      List<OperatorThroughput.Contender<ViewKey, PlaybackActivity, QoeMinuteDelta>> contenders =
          new ArrayList<>();
      if (Boolean.getBoolean("bench.compare")) {
        contenders.add(
            new OperatorThroughput.Contender<>(
                "(previous version)",
                () ->
                    new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ReferencePlaybackViewFunction(LATENESS)),
                        PlaybackActivity::key,
                        ViewKey.TYPE)));
      }
      contenders.add(
          new OperatorThroughput.Contender<>(
              "",
              () ->
                  new KeyedOneInputStreamOperatorTestHarness<>(
                      new KeyedProcessOperator<>(new PlaybackViewFunction(LATENESS)),
                      PlaybackActivity::key,
                      ViewKey.TYPE)));
      OperatorThroughput.run(
          "playback-views skew " + skew / 1000 + " s",
          contenders,
          List.<OutputTag<?>>of(PlaybackViewFunction.VIEWS, PlaybackViewFunction.LATE),
          delivery,
          rounds);
    }
  }

  /**
   * Instead of the simulated evening ({@code -Dbench.long-views-minutes=M}): views that each play
   * {@code M} minutes with a heartbeat every 10 s (the long lectures the evening has few of),
   * starting over an hour, in event-time order, until {@code events}.
   */
  private static void longViews(
      long events, long minutes, List<PlaybackActivity> in, List<String> keys) {
    long t0 = Instant.parse("2026-03-02T18:00:00Z").toEpochMilli();
    long perView = minutes * 6 + 3;
    int views = (int) Math.max(1, events / perView);
    SplittableRandom r = new SplittableRandom(42);
    List<PlaybackActivity> all = new ArrayList<>();
    for (int v = 0; v < views; v++) {
      String view = String.format("00000000-0000-4000-8000-%012d", v);
      long start = t0 + r.nextLong(3_600_000L);
      all.add(longViewEvent(view, v, 0, start, "VIEW_START", -1));
      all.add(longViewEvent(view, v, 1, start + 1_500, "FIRST_FRAME", 2_400));
      for (int i = 1; i <= minutes * 6; i++) {
        all.add(longViewEvent(view, v, i + 1, start + 1_500 + i * 10_000L, "HEARTBEAT", -1));
      }
      all.add(
          longViewEvent(view, v, (int) perView, start + 1_600 + minutes * 60_000, "VIEW_END", -1));
    }
    all.sort(PlaybackActivity.APPLY_ORDER);
    for (PlaybackActivity e : all) {
      in.add(e);
      keys.add(e.viewId());
    }
  }

  private static PlaybackActivity longViewEvent(
      String view, int v, int i, long t, String type, int kbps) {
    return new PlaybackActivity(
        String.format("%08x-%04x-4000-8000-000000000000", v, i),
        "t-" + (v % 40),
        view,
        "video-" + (v % 100),
        "c-" + (v % 25),
        "u-" + v,
        type,
        t,
        kbps,
        t,
        false,
        null,
        "akamai",
        "eu-west",
        "laptop",
        "pulse-web 2.8.0");
  }

  static long[] skews() {
    String s = System.getProperty("bench.skew-ms", "0,120000,600000");
    return Arrays.stream(s.split(",")).mapToLong(Long::parseLong).toArray();
  }
}
