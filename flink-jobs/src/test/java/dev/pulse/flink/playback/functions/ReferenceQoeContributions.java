package dev.pulse.flink.playback.functions;

import dev.pulse.clickhouse.metrics.LatencyBuckets;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewDimensions;
import dev.pulse.flink.playback.records.ViewFact;
import dev.pulse.flink.playback.records.ViewKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link QoeContributions} as it was before its fast path and cheaper key comparison (a copy of
 * that version): the reference of {@link ReferencePlaybackViewFunction}.
 */
final class ReferenceQoeContributions {

  private static final int STARTED = 0;
  private static final int ENDED = 1;
  private static final int START_FAILURES = 2;
  private static final int EXITS = 3;
  private static final int PLAYBACK_FAILURES = 4;
  private static final int SUCCESSES = 5;
  private static final int ERRORS = 6;
  private static final int STARTUPS = 7;
  private static final int STARTUP_MS = 8;
  private static final int REBUFFERS = 9;
  private static final int REBUFFER_MS = 10;
  private static final int VIEW_MS = 11;
  private static final int PLAYING_MS = 12;
  private static final int BITRATE_KBPS_MS = 13;
  private static final int BITRATE_MS = 14;
  private static final int STARTUP_SCORE = 15;
  private static final int STARTUP_SCORES = 16;
  private static final int SMOOTHNESS_SCORE = 17;
  private static final int SMOOTHNESS_SCORES = 18;
  private static final int PLAYBACK_SCORE = 19;
  private static final int PLAYBACK_SCORES = 20;
  private static final int EXPERIENCE_SCORE = 21;
  private static final int EXPERIENCE_SCORES = 22;
  private static final int ACTIVE_MS = 23;
  private static final int FIELDS = 24;

  private static final long MINUTE = 60_000;

  private record Key(long minuteMs, ViewDimensions dimensions) {}

  /** One key's numbers and startup histogram (bucket -> count). */
  private static final class Numbers {
    final long[] values = new long[FIELDS];
    final TreeMap<Integer, Long> startup = new TreeMap<>();
  }

  private final Map<Key, Numbers> byKey = new TreeMap<>(ReferenceQoeContributions::compare);

  private ReferenceQoeContributions() {}

  /** The contributions of a view as {@link ViewComputation} has it; none for null. */
  static ReferenceQoeContributions of(ViewComputation.Result view) {
    ReferenceQoeContributions c = new ReferenceQoeContributions();
    if (view == null) {
      return c;
    }
    view.minutes()
        .forEach(
            (minute, time) -> {
              long[] v = c.at(minute, view.dimensions()).values;
              v[STARTED] += time.started() ? 1 : 0;
              v[ACTIVE_MS] += time.activeMs();
            });
    ViewFact f = view.fact();
    if (f != null) {
      Numbers n = c.at(Math.floorDiv(f.endMs(), MINUTE) * MINUTE, f.dimensions());
      long[] v = n.values;
      v[ENDED]++;
      switch (f.outcome()) {
        case "start-failure" -> v[START_FAILURES]++;
        case "exit-before-start" -> v[EXITS]++;
        case "playback-failure" -> v[PLAYBACK_FAILURES]++;
        default -> v[SUCCESSES]++;
      }
      v[ERRORS] += f.errors();
      if (f.startupMs() >= 0) {
        v[STARTUPS]++;
        v[STARTUP_MS] += f.startupMs();
        n.startup.merge(LatencyBuckets.bucketOf(f.startupMs()), 1L, Long::sum);
      }
      v[REBUFFERS] += f.rebufferCount();
      v[REBUFFER_MS] += f.rebufferMs();
      v[VIEW_MS] += f.viewMs();
      v[PLAYING_MS] += f.playingMs();
      v[BITRATE_KBPS_MS] += f.bitrateKbpsMs();
      v[BITRATE_MS] += f.bitrateMs();
      score(v, STARTUP_SCORE, f.startupScore());
      score(v, SMOOTHNESS_SCORE, f.smoothnessScore());
      score(v, PLAYBACK_SCORE, f.playbackScore());
      score(v, EXPERIENCE_SCORE, f.experienceScore());
    }
    return c;
  }

  private static void score(long[] v, int sumIndex, int score) {
    if (score >= 0) {
      v[sumIndex] += score;
      v[sumIndex + 1]++;
    }
  }

  private Numbers at(long minute, ViewDimensions dims) {
    return byKey.computeIfAbsent(new Key(minute, dims), k -> new Numbers());
  }

  /** The rows that turn {@code before} into {@code after}: one per key whose numbers changed. */
  static List<QoeMinuteDelta> difference(
      ViewKey view, ReferenceQoeContributions before, ReferenceQoeContributions after) {
    Set<Key> keys = new HashSet<>(before.byKey.keySet());
    keys.addAll(after.byKey.keySet());
    List<Key> ordered = new ArrayList<>(keys);
    ordered.sort(ReferenceQoeContributions::compare);
    List<QoeMinuteDelta> out = new ArrayList<>();
    Numbers none = new Numbers();
    for (Key k : ordered) {
      Numbers b = before.byKey.getOrDefault(k, none);
      Numbers a = after.byKey.getOrDefault(k, none);
      long[] d = new long[FIELDS];
      boolean changed = false;
      for (int i = 0; i < FIELDS; i++) {
        d[i] = a.values[i] - b.values[i];
        changed |= d[i] != 0;
      }
      TreeMap<Integer, Long> startup = new TreeMap<>(a.startup);
      b.startup.forEach((bucket, count) -> startup.merge(bucket, -count, Long::sum));
      startup.values().removeIf(count -> count == 0);
      changed |= !startup.isEmpty();
      if (changed) {
        out.add(row(view, k, d, startup));
      }
    }
    return out;
  }

  private static QoeMinuteDelta row(ViewKey view, Key k, long[] d, TreeMap<Integer, Long> startup) {
    ViewDimensions x = k.dimensions();
    return new QoeMinuteDelta(
        view.tenantId(),
        k.minuteMs(),
        x.videoId(),
        x.courseId(),
        x.cdn(),
        x.region(),
        x.device(),
        x.player(),
        d[STARTED],
        d[ENDED],
        d[START_FAILURES],
        d[EXITS],
        d[PLAYBACK_FAILURES],
        d[SUCCESSES],
        d[ERRORS],
        d[STARTUPS],
        d[STARTUP_MS],
        startup.keySet().stream().mapToInt(Integer::intValue).toArray(),
        startup.values().stream().mapToLong(Long::longValue).toArray(),
        d[REBUFFERS],
        d[REBUFFER_MS],
        d[VIEW_MS],
        d[PLAYING_MS],
        d[BITRATE_KBPS_MS],
        d[BITRATE_MS],
        d[STARTUP_SCORE],
        d[STARTUP_SCORES],
        d[SMOOTHNESS_SCORE],
        d[SMOOTHNESS_SCORES],
        d[PLAYBACK_SCORE],
        d[PLAYBACK_SCORES],
        d[EXPERIENCE_SCORE],
        d[EXPERIENCE_SCORES],
        d[ACTIVE_MS]);
  }

  private static int compare(Key a, Key b) {
    int c = Long.compare(a.minuteMs(), b.minuteMs());
    if (c != 0) {
      return c;
    }
    return Arrays.compare(fields(a.dimensions()), fields(b.dimensions()));
  }

  private static String[] fields(ViewDimensions d) {
    return new String[] {
      Objects.toString(d.videoId()),
      Objects.toString(d.courseId()),
      Objects.toString(d.cdn()),
      Objects.toString(d.region()),
      Objects.toString(d.device()),
      Objects.toString(d.player()),
      Objects.toString(d.userId())
    };
  }
}
