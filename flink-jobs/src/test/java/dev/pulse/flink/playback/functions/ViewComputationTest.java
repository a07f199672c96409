package dev.pulse.flink.playback.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.ViewFact;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.testing.PlaybackOracleEvents;
import dev.pulse.oracle.PlayEvent;
import dev.pulse.oracle.QoeOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The job's walk through a view against the QoE oracle, which works the same definitions out with
 * intervals: thousands of random views (lost VIEW_STARTs, events before it, second FIRST_FRAMEs,
 * stray RESUMEs and REBUFFER_ENDs, rebuffers while paused or longer than five minutes, fatal and
 * other errors, bitrates unknown or changing before the first frame, silences just under and over
 * the idle timeout, views past six hours, same-millisecond ties), each at a random watermark: every
 * ended view's facts and every final minute must be equal.
 */
class ViewComputationTest {

  private static final long BASE = 1_772_445_600_000L; // 2026-03-02T10:00:00Z
  private static final String[] TYPES = {
    "VIEW_START",
    "FIRST_FRAME",
    "REBUFFER_START",
    "REBUFFER_END",
    "BITRATE_CHANGE",
    "PAUSE",
    "RESUME",
    "SEEK",
    "ERROR",
    "HEARTBEAT",
    "HEARTBEAT",
    "HEARTBEAT",
    "HEARTBEAT",
    "VIEW_END"
  };

  @Test
  void everyRandomViewAtARandomWatermarkEqualsTheOracle() {
    SplittableRandom r = new SplittableRandom(20261203);
    int ended = 0;
    int open = 0;
    int minutes = 0;
    for (int v = 0; v < 4_000; v++) {
      ViewKey key = new ViewKey("t", "v" + v);
      List<PlaybackActivity> events = randomView(r, key, v);
      events.sort(PlaybackActivity.APPLY_ORDER);
      long last = events.get(events.size() - 1).timeMs();
      long asOf =
          r.nextInt(3) == 0
              ? Long.MAX_VALUE
              : events.get(0).timeMs()
                  + r.nextLong(Math.max(1, last - events.get(0).timeMs() + 120_000));
      ViewComputation.Result result = ViewComputation.compute(key, events, asOf);
      QoeOracle oracle = QoeOracle.of(oracleEvents(events), asOf);
      PlayEvent.ViewKey okey = new PlayEvent.ViewKey("t", key.viewId());
      if (result == null) {
        assertThat(oracle.views()).isEmpty();
        assertThat(oracle.openViews()).isEmpty();
        continue;
      }
      String at = key.viewId() + " at " + (asOf == Long.MAX_VALUE ? "end" : asOf - BASE);
      SortedMap<Long, Long> expectedActive = new TreeMap<>(oracle.activeMs(okey));
      if (result.ended()) {
        ended++;
        assertThat(oracle.views()).as(at).hasSize(1);
        assertThat(row(result.fact())).as(at).isEqualTo(row(oracle.views().get(0)));
      } else {
        open++;
        assertThat(oracle.openViews()).as(at).containsExactly(okey);
        long lastIn =
            events.stream()
                .mapToLong(PlaybackActivity::timeMs)
                .filter(t -> t <= asOf)
                .max()
                .getAsLong();
        expectedActive =
            new TreeMap<>(expectedActive.headMap(Math.floorDiv(lastIn, 60_000) * 60_000));
      }
      Map<Long, Long> active = new TreeMap<>();
      result
          .minutes()
          .forEach(
              (m, time) -> {
                if (time.activeMs() > 0) {
                  active.put(m, time.activeMs());
                }
              });
      assertThat(active).as(at).isEqualTo(expectedActive);
      long startMinute = Math.floorDiv(result.startMs(), 60_000) * 60_000;
      result.minutes().forEach((m, time) -> assertThat(time.started()).isEqualTo(m == startMinute));
      minutes += active.size();
    }
    assertThat(ended).isGreaterThan(1_500);
    assertThat(open).isGreaterThan(500);
    assertThat(minutes).isGreaterThan(5_000);
  }

  private static List<PlaybackActivity> randomView(SplittableRandom r, ViewKey key, int v) {
    List<PlaybackActivity> out = new ArrayList<>();
    long t = BASE + r.nextLong(3_600_000);
    boolean marathon = v % 500 == 7; // heartbeats for seven hours
    int n = marathon ? 2_600 : 1 + r.nextInt(60);
    if (r.nextInt(10) != 0) {
      out.add(event(key, out.size(), "VIEW_START", t, r, false));
    }
    for (int i = 0; i < n; i++) {
      int gap =
          switch (r.nextInt(20)) {
            case 0 -> 0; // same millisecond
            case 1 -> 59_999 + r.nextInt(3); // just under, at and over the idle timeout
            case 2 -> 30_000 + r.nextInt(60_000);
            default -> r.nextInt(12_000);
          };
      t += marathon ? 10_000 : gap;
      String type = marathon ? "HEARTBEAT" : TYPES[r.nextInt(TYPES.length)];
      if (type.equals("VIEW_END") && r.nextInt(3) != 0) {
        type = "HEARTBEAT"; // most views run on for a while
      }
      boolean fatal = type.equals("ERROR") && r.nextInt(4) == 0;
      out.add(event(key, out.size(), type, t, r, fatal));
    }
    return out;
  }

  private static PlaybackActivity event(
      ViewKey key, int i, String type, long t, SplittableRandom r, boolean fatal) {
    int bitrate =
        (type.equals("FIRST_FRAME") || type.equals("BITRATE_CHANGE")) && r.nextInt(5) != 0
            ? 400 * (1 + r.nextInt(15))
            : -1;
    String cdn =
        r.nextInt(50) == 0 ? "fastly" : "akamai"; // a rare odd one: dimensions of VIEW_START
    return new PlaybackActivity(
        String.format("%08x-0000-4000-8000-%012x", i, key.viewId().hashCode() & 0xffffffffL),
        key.tenantId(),
        key.viewId(),
        "video-1",
        "c-1",
        "u-1",
        type,
        t,
        bitrate,
        r.nextLong(3_600_000),
        fatal,
        null,
        cdn,
        "eu-west",
        "laptop",
        "pulse-web 2.8.0");
  }

  private static List<PlayEvent> oracleEvents(List<PlaybackActivity> events) {
    return events.stream().map(PlaybackOracleEvents::of).toList();
  }

  private static List<Object> row(ViewFact f) {
    return List.of(
        f.dimensions().cdn(),
        f.startMs(),
        f.endMs(),
        f.endedBy(),
        f.outcome(),
        f.startupMs(),
        f.rebufferCount(),
        f.rebufferMs(),
        f.viewMs(),
        f.playingMs(),
        f.bitrateKbpsMs(),
        f.bitrateMs(),
        f.errors(),
        f.exitPlayheadMs(),
        f.startupScore(),
        f.smoothnessScore(),
        f.playbackScore(),
        f.experienceScore());
  }

  private static List<Object> row(QoeOracle.View v) {
    return List.of(
        v.dimensions().cdn(),
        v.startMs(),
        v.endMs(),
        v.endedBy(),
        v.outcome(),
        v.startupMs() == null ? -1L : v.startupMs(),
        v.rebufferCount(),
        v.rebufferMs(),
        v.viewMs(),
        v.playingMs(),
        v.bitrateKbpsMs(),
        v.bitrateMs(),
        v.errors(),
        v.exitPlayheadMs(),
        v.startupScore() == null ? -1 : v.startupScore(),
        v.smoothnessScore() == null ? -1 : v.smoothnessScore(),
        v.playbackScore() == null ? -1 : v.playbackScore(),
        v.experienceScore() == null ? -1 : v.experienceScore());
  }
}
