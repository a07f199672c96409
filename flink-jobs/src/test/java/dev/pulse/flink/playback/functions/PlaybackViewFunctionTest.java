package dev.pulse.flink.playback.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.metrics.LatencyBuckets;
import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.playback.records.ViewRow;
import dev.pulse.flink.testing.PlaybackOracleEvents;
import dev.pulse.oracle.PlayEvent;
import dev.pulse.oracle.QoeOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The playback step in Flink's operator harness, with explicit watermarks: a view's minutes come
 * out as they become final and its quality when it ends; a late event changes an ended view by the
 * difference only; events of a forgotten view are late; after a day nothing of a view is left, not
 * even a timer. And thousands of random views, their events delivered out of order and some of them
 * late, add up to the QoE oracle's numbers in every minute and every view.
 */
class PlaybackViewFunctionTest {

  private static final long T0 = 1_772_445_600_000L; // 2026-03-02T10:00:00Z
  private static final long LATENESS = 30_000;
  private static final ViewKey KEY = new ViewKey("t", "v1");

  private int ids;

  private PlaybackActivity event(long ms, String type, int kbps) {
    return event("v1", ms, type, kbps, false);
  }

  private PlaybackActivity event(String view, long ms, String type, int kbps, boolean fatal) {
    return new PlaybackActivity(
        String.format("%08x-0000-4000-8000-000000000000", ids++),
        "t",
        view,
        "video-1",
        "c-1",
        "u-1",
        type,
        T0 + ms,
        kbps,
        ms,
        fatal,
        null,
        "akamai",
        "eu-west",
        "laptop",
        "pulse-web 2.8.0");
  }

  private static KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta>
      harness() throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PlaybackViewFunction(LATENESS)),
            PlaybackActivity::key,
            ViewKey.TYPE);
    h.open();
    return h;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta> h,
      PlaybackActivity e)
      throws Exception {
    h.processElement(new StreamRecord<>(e, e.timeMs()));
  }

  private static List<QoeMinuteDelta> rows(
      KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta> h) {
    List<QoeMinuteDelta> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r && r.getValue() instanceof QoeMinuteDelta m) {
        out.add(m);
      }
    }
    h.getOutput().clear();
    return out;
  }

  @Test
  void minutesComeOutAsTheyBecomeFinalAndTheQualityWhenTheViewEnds() throws Exception {
    var h = harness();
    send(h, event(0, "VIEW_START", -1));
    send(h, event(2_000, "FIRST_FRAME", 1_600));
    for (long t = 10_000; t <= 130_000; t += 10_000) {
      send(h, event(t, "HEARTBEAT", -1));
    }
    // Event time (watermark - 30 s) at 65 s: the heartbeat at 60 s makes minute 0 final.
    h.processWatermark(new Watermark(T0 + 65_000 + LATENESS));
    assertThat(rows(h))
        .extracting(r -> (r.minuteMs() - T0) + ":" + r.viewsStarted() + ":" + r.activeMs())
        .containsExactly("0:1:60000");
    h.processWatermark(new Watermark(T0 + 125_000 + LATENESS));
    assertThat(rows(h)).extracting(QoeMinuteDelta::activeMs).containsExactly(60_000L);
    send(h, event(135_000, "VIEW_END", -1));
    h.processWatermark(new Watermark(T0 + 135_000 + LATENESS));
    List<QoeMinuteDelta> end = rows(h);
    // Minute 2 (15 s active) and its quality: one ended, successful view of 135 s.
    assertThat(end).hasSize(1);
    QoeMinuteDelta last = end.get(0);
    assertThat(last.minuteMs()).isEqualTo(T0 + 120_000);
    assertThat(last.activeMs()).isEqualTo(15_000);
    assertThat(last.viewsEnded()).isEqualTo(1);
    assertThat(last.successes()).isEqualTo(1);
    assertThat(last.startups()).isEqualTo(1);
    assertThat(last.startupMsSum()).isEqualTo(2_000);
    assertThat(last.startupBuckets()).containsExactly(LatencyBuckets.bucketOf(2_000));
    assertThat(last.viewMs()).isEqualTo(135_000);
    assertThat(last.playingMs()).isEqualTo(133_000);
    assertThat(last.bitrateKbpsMs()).isEqualTo(1_600L * 133_000);
    // 8 / (8 + 2) = 80; 100; 100; mean 93.333.
    assertThat(last.startupScoreSum()).isEqualTo(80_000);
    assertThat(last.experienceScoreSum()).isEqualTo(93_333);
    assertThat(views(h)).hasSize(1);
  }

  @Test
  void aLateEventChangesAnEndedViewByTheDifferenceOnly() throws Exception {
    var h = harness();
    send(h, event(0, "VIEW_START", -1));
    send(h, event(1_000, "FIRST_FRAME", 800));
    send(h, event(30_000, "VIEW_END", -1));
    h.processWatermark(new Watermark(T0 + 40_000 + LATENESS));
    List<QoeMinuteDelta> first = rows(h);
    assertThat(first).hasSize(1);
    assertThat(first.get(0).rebuffers()).isZero();
    List<ViewRow> v1 = views(h);
    assertThat(v1).hasSize(1);
    // A rebuffer that happened at 10-15 s arrives now, far behind event time.
    send(h, event(10_000, "REBUFFER_START", -1));
    send(h, event(15_000, "REBUFFER_END", -1));
    // Each late event is a correction of its own: the REBUFFER_START alone leaves the rebuffer open
    // to the end (20 s), the REBUFFER_END then shortens it to 5 s.
    List<QoeMinuteDelta> fix = rows(h);
    assertThat(fix).extracting(QoeMinuteDelta::rebufferMs).containsExactly(20_000L, -15_000L);
    assertThat(fix).extracting(QoeMinuteDelta::rebuffers).containsExactly(1L, 0L);
    assertThat(fix)
        .allMatch(r -> r.viewsEnded() == 0 && r.activeMs() == 0 && r.viewsStarted() == 0);
    // Smoothness falls from 100 to (100 / sqrt(1.25) + 100 e^(-10 * 5 / 30)) / 2 = 54.165.
    long smoothness = first.get(0).smoothnessScoreSum();
    for (QoeMinuteDelta r : fix) {
      smoothness += r.smoothnessScoreSum();
    }
    assertThat(smoothness).isEqualTo(54_165);
    List<ViewRow> v2 = views(h);
    assertThat(v2).hasSize(2);
    assertThat(v2.get(1).fact().rebufferMs()).isEqualTo(5_000);
    assertThat(v1.get(0).version()).isEqualTo(1);
    assertThat(v2).extracting(ViewRow::version).containsExactly(2L, 3L);
  }

  @Test
  void eventsOfAForgottenViewAreLateAndADayLaterNothingIsLeft() throws Exception {
    var h = harness();
    send(h, event(0, "VIEW_START", -1));
    send(h, event(30_000, "VIEW_END", -1));
    h.processWatermark(new Watermark(T0 + 30_000 + PlaybackViewFunction.REMEMBER_MS + LATENESS));
    rows(h);
    send(h, event(20_000, "HEARTBEAT", -1));
    assertThat(late(h)).hasSize(1);
    send(h, event("v2", 1_000, "VIEW_START", -1, false)); // a view never seen, already behind
    assertThat(late(h)).hasSize(1);
    h.processWatermark(
        new Watermark(T0 + 30_000 + PlaybackViewFunction.ENDED_MEMORY_MS + LATENESS));
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void aViewFloodedWithEventsKeepsItsFirstOnesAndSendsTheRestToLate() throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PlaybackViewFunction(LATENESS, 5)),
            PlaybackActivity::key,
            ViewKey.TYPE);
    h.open();
    send(h, event(0, "VIEW_START", -1));
    for (long t = 1_000; t <= 10_000; t += 1_000) {
      send(h, event(t, "HEARTBEAT", -1));
    }
    assertThat(late(h))
        .extracting(e -> e.timeMs() - T0)
        .containsExactly(5_000L, 6_000L, 7_000L, 8_000L, 9_000L, 10_000L);
    h.processWatermark(new Watermark(Long.MAX_VALUE));
    List<ViewRow> ended = views(h);
    assertThat(ended).hasSize(1);
    assertThat(ended.get(0).fact().endMs()).as("its last kept event").isEqualTo(T0 + 4_000);
  }

  @Test
  void randomViewsDeliveredOutOfOrderAndLateAddUpToTheOracle() throws Exception {
    SplittableRandom r = new SplittableRandom(20261203);
    List<PlaybackActivity> all = new ArrayList<>();
    for (int v = 0; v < 600; v++) {
      all.addAll(randomView(r, "v" + v));
    }
    // Delivery: in event time, but a tenth of the events 1-40 s late and a few 1-30 minutes late.
    List<long[]> order = new ArrayList<>(); // {delivery time, index}
    for (int i = 0; i < all.size(); i++) {
      long t = all.get(i).timeMs();
      long delay =
          switch (r.nextInt(40)) {
            case 0 -> 60_000 + r.nextLong(1_740_000);
            case 1, 2, 3, 4 -> 1_000 + r.nextLong(39_000);
            default -> 0;
          };
      order.add(new long[] {t + delay, i});
    }
    order.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    var h = harness();
    long highest = Long.MIN_VALUE;
    List<QoeMinuteDelta> rows = new ArrayList<>();
    List<ViewRow> views = new ArrayList<>();
    List<PlaybackActivity> late = new ArrayList<>();
    for (long[] o : order) {
      PlaybackActivity e = all.get((int) o[1]);
      send(h, e);
      if (e.timeMs() - 2_000 > highest) {
        highest = e.timeMs() - 2_000;
        h.processWatermark(new Watermark(highest));
      }
      rows.addAll(rows(h));
      views.addAll(views(h));
      late.addAll(late(h));
    }
    h.processWatermark(new Watermark(Long.MAX_VALUE));
    rows.addAll(rows(h));
    views.addAll(views(h));

    List<PlayEvent> counted = new ArrayList<>();
    for (PlaybackActivity e : all) {
      if (!late.contains(e)) {
        counted.add(PlaybackOracleEvents.of(e));
      }
    }
    QoeOracle oracle = QoeOracle.of(counted, Long.MAX_VALUE);

    // Every view's last version equals the oracle's view.
    Map<String, ViewRow> lastVersion = new TreeMap<>();
    for (ViewRow v : views) {
      lastVersion.merge(v.fact().key().viewId(), v, (a, b) -> b.version() >= a.version() ? b : a);
    }
    assertThat(lastVersion).hasSize(oracle.views().size());
    int corrected = 0;
    for (QoeOracle.View o : oracle.views()) {
      ViewRow v = lastVersion.get(o.key().viewId());
      assertThat(v).as(o.key().viewId()).isNotNull();
      assertThat(v.fact().endMs()).as(o.key().viewId()).isEqualTo(o.endMs());
      assertThat(v.fact().outcome()).isEqualTo(o.outcome());
      assertThat(v.fact().rebufferMs()).isEqualTo(o.rebufferMs());
      assertThat(v.fact().viewMs()).isEqualTo(o.viewMs());
      assertThat(v.fact().experienceScore())
          .isEqualTo(o.experienceScore() == null ? -1 : o.experienceScore());
    }
    for (ViewRow v : views) {
      corrected += lastVersion.get(v.fact().key().viewId()) != v ? 1 : 0;
    }
    assertThat(corrected).as("views corrected by late events").isPositive();

    // Every minute's sums equal the oracle's.
    Map<Long, long[]> got = new TreeMap<>();
    for (QoeMinuteDelta m : rows) {
      long[] s = got.computeIfAbsent(m.minuteMs(), k -> new long[8]);
      s[0] += m.viewsStarted();
      s[1] += m.viewsEnded();
      s[2] += m.successes();
      s[3] += m.rebufferMs();
      s[4] += m.viewMs();
      s[5] += m.experienceScoreSum();
      s[6] += m.startupMsSum();
      s[7] += m.activeMs();
    }
    Map<Long, long[]> want = new TreeMap<>();
    for (QoeOracle.View o : oracle.views()) {
      want.computeIfAbsent(minute(o.startMs()), k -> new long[8])[0]++;
      long[] s = want.computeIfAbsent(minute(o.endMs()), k -> new long[8]);
      s[1]++;
      s[2] += o.outcome().equals("success") ? 1 : 0;
      s[3] += o.rebufferMs();
      s[4] += o.viewMs();
      s[5] += o.experienceScore() == null ? 0 : o.experienceScore();
      s[6] += o.startupMs() == null ? 0 : o.startupMs();
      oracle
          .activeMs(o.key())
          .forEach((m, ms) -> want.computeIfAbsent(m, k -> new long[8])[7] += ms);
    }
    Map<Long, List<Long>> gotRows = new TreeMap<>();
    got.forEach((m, s) -> gotRows.put(m, toList(s)));
    Map<Long, List<Long>> wantRows = new TreeMap<>();
    want.forEach((m, s) -> wantRows.put(m, toList(s)));
    gotRows.values().removeIf(l -> l.stream().allMatch(x -> x == 0));
    wantRows.values().removeIf(l -> l.stream().allMatch(x -> x == 0));
    assertThat(gotRows).hasSizeGreaterThan(100).isEqualTo(wantRows);
    assertThat(h.numKeyedStateEntries()).isZero();
  }

  private static List<Long> toList(long[] s) {
    List<Long> l = new ArrayList<>();
    for (long x : s) {
      l.add(x);
    }
    return l;
  }

  private static long minute(long ms) {
    return Math.floorDiv(ms, 60_000) * 60_000;
  }

  private List<PlaybackActivity> randomView(SplittableRandom r, String view) {
    List<PlaybackActivity> out = new ArrayList<>();
    long t = r.nextLong(4 * 3_600_000L);
    out.add(event(view, t, "VIEW_START", -1, false));
    t += 200 + r.nextInt(6_000);
    if (r.nextInt(10) == 0) {
      out.add(event(view, t, "VIEW_END", -1, false));
      return out;
    }
    out.add(event(view, t, "FIRST_FRAME", 400 * (1 + r.nextInt(10)), false));
    int n = 2 + r.nextInt(80);
    for (int i = 0; i < n; i++) {
      t += r.nextInt(20) == 0 ? 61_000 + r.nextInt(60_000) : 1 + r.nextInt(10_000);
      String type =
          switch (r.nextInt(12)) {
            case 0 -> "REBUFFER_START";
            case 1 -> "REBUFFER_END";
            case 2 -> "PAUSE";
            case 3 -> "RESUME";
            case 4 -> "BITRATE_CHANGE";
            case 5 -> r.nextInt(30) == 0 ? "ERROR" : "HEARTBEAT";
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

  private static List<ViewRow> views(
      KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta> h) {
    List<ViewRow> out = new ArrayList<>();
    var q = h.getSideOutput(PlaybackViewFunction.VIEWS);
    if (q != null) {
      q.forEach(r -> out.add(r.getValue()));
      q.clear();
    }
    return out;
  }

  private static List<PlaybackActivity> late(
      KeyedOneInputStreamOperatorTestHarness<ViewKey, PlaybackActivity, QoeMinuteDelta> h) {
    List<PlaybackActivity> out = new ArrayList<>();
    var q = h.getSideOutput(PlaybackViewFunction.LATE);
    if (q != null) {
      q.forEach(r -> out.add(r.getValue()));
      q.clear();
    }
    return out;
  }
}
