package dev.pulse.api.qoe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.metrics.LatencyBuckets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The additive columns of the QoE tables (migrations 0021-0023), summed over some of their rows:
 * every QoE number is a ratio of these sums (docs/qoe.md, "Per minute"). {@link #SQL_COLUMNS} is
 * their order in {@link #values}.
 */
final class QoeSums {

  static final List<String> SQL_COLUMNS =
      List.of(
          "views_started",
          "views_ended",
          "start_failures",
          "exits_before_start",
          "playback_failures",
          "successes",
          "errors",
          "startups",
          "startup_ms_sum",
          "rebuffers",
          "rebuffer_ms",
          "view_ms",
          "playing_ms",
          "bitrate_kbps_ms",
          "bitrate_ms",
          "startup_score_sum",
          "startup_scores",
          "smoothness_score_sum",
          "smoothness_scores",
          "playback_score_sum",
          "playback_scores",
          "experience_score_sum",
          "experience_scores",
          "active_ms");

  private static final int VIEWS_STARTED = 0;
  private static final int VIEWS_ENDED = 1;
  private static final int START_FAILURES = 2;
  private static final int EXITS_BEFORE_START = 3;
  private static final int PLAYBACK_FAILURES = 4;
  private static final int SUCCESSES = 5;
  private static final int ERRORS = 6;
  private static final int STARTUPS = 7;
  private static final int STARTUP_MS_SUM = 8;
  private static final int REBUFFERS = 9;
  private static final int REBUFFER_MS = 10;
  private static final int VIEW_MS = 11;
  private static final int PLAYING_MS = 12;
  private static final int BITRATE_KBPS_MS = 13;
  private static final int BITRATE_MS = 14;
  private static final int STARTUP_SCORE_SUM = 15;
  private static final int SMOOTHNESS_SCORE_SUM = 17;
  private static final int PLAYBACK_SCORE_SUM = 19;
  private static final int EXPERIENCE_SCORE_SUM = 21;
  private static final int EXPERIENCE_SCORES = 22;
  private static final int ACTIVE_MS = 23;

  private final long[] values = new long[SQL_COLUMNS.size()];

  /** Startup time histogram: LatencyBuckets bucket of milliseconds -> views. */
  private final TreeMap<Integer, Long> startup = new TreeMap<>();

  /**
   * The aggregates of a SELECT over the minute table ({@code rollup} false: sum and sumMap) or a
   * rollup (-Merge of the states), each named as its column, the histogram as {@code buckets} and
   * {@code counts}.
   */
  static String selectList(boolean rollup) {
    List<String> out = new ArrayList<>();
    for (String c : SQL_COLUMNS) {
      out.add((rollup ? "sumMerge(" : "sum(") + c + ") AS " + c);
    }
    out.add(
        rollup
            ? "sumMapMerge(startup_hist) AS hist"
            : "sumMap(startup_buckets, startup_counts) AS hist");
    out.add("hist.1 AS buckets");
    out.add("hist.2 AS counts");
    return String.join(", ", out);
  }

  /** The sums of one result row of a {@link #selectList} query. */
  static QoeSums of(JsonNode row) {
    QoeSums s = new QoeSums();
    for (int i = 0; i < SQL_COLUMNS.size(); i++) {
      s.values[i] = row.get(SQL_COLUMNS.get(i)).asLong();
    }
    JsonNode b = row.get("buckets");
    JsonNode c = row.get("counts");
    for (int i = 0; i < b.size(); i++) {
      s.startup.merge(b.get(i).asInt(), c.get(i).asLong(), Long::sum);
    }
    return s;
  }

  /** These sums plus {@code other}'s. */
  QoeSums add(QoeSums other) {
    for (int i = 0; i < values.length; i++) {
      values[i] += other.values[i];
    }
    other.startup.forEach((b, c) -> startup.merge(b, c, Long::sum));
    return this;
  }

  /** The mean experience score of the scored views, or null without any. */
  Double experienceScore() {
    return mean(EXPERIENCE_SCORE_SUM);
  }

  /** Views with an experience score. */
  long scoredViews() {
    return values[EXPERIENCE_SCORES];
  }

  /**
   * The numbers a user sees, for rows covering {@code spanMs} of time (concurrent viewers are the
   * active time over it).
   */
  QoeMetrics metrics(long spanMs) {
    long ended = values[VIEWS_ENDED];
    long viewMs = values[VIEW_MS];
    Double[] startupMs = startupQuantiles();
    return new QoeMetrics(
        values[VIEWS_STARTED],
        ended,
        values[START_FAILURES],
        values[EXITS_BEFORE_START],
        values[PLAYBACK_FAILURES],
        values[SUCCESSES],
        ratio(values[START_FAILURES], ended),
        ratio(values[EXITS_BEFORE_START], ended),
        ratio(values[PLAYBACK_FAILURES], ended),
        ratio(values[START_FAILURES] + values[PLAYBACK_FAILURES], ended),
        values[STARTUPS],
        ratio(values[STARTUP_MS_SUM], values[STARTUPS]),
        startupMs[0],
        startupMs[1],
        startupMs[2],
        values[REBUFFERS],
        values[REBUFFER_MS],
        viewMs == 0 ? null : 100.0 * values[REBUFFER_MS] / viewMs,
        viewMs == 0 ? null : values[REBUFFERS] / (viewMs / 60_000.0),
        viewMs,
        values[PLAYING_MS],
        ratio(values[BITRATE_KBPS_MS], values[BITRATE_MS]),
        values[ERRORS],
        mean(STARTUP_SCORE_SUM),
        mean(SMOOTHNESS_SCORE_SUM),
        mean(PLAYBACK_SCORE_SUM),
        mean(EXPERIENCE_SCORE_SUM),
        values[EXPERIENCE_SCORES],
        (double) values[ACTIVE_MS] / spanMs);
  }

  /** A score's mean over the views that have it (sums in thousandths; the count follows it). */
  private Double mean(int scoreSum) {
    long n = values[scoreSum + 1];
    return n == 0 ? null : values[scoreSum] / 1000.0 / n;
  }

  private static Double ratio(long numerator, long denominator) {
    return denominator == 0 ? null : (double) numerator / denominator;
  }

  /** Startup time's p50, p95 and p99 (null without startups), the buckets walked once. */
  private Double[] startupQuantiles() {
    // Corrections subtract a view's old bucket where they add its new one, so a bucket's net
    // count is never negative; a zero one (a moved startup) is left out.
    int n = 0;
    int[] buckets = new int[startup.size()];
    long[] counts = new long[startup.size()];
    for (Map.Entry<Integer, Long> e : startup.entrySet()) {
      if (e.getValue() > 0) {
        buckets[n] = e.getKey();
        counts[n++] = e.getValue();
      }
    }
    double[] v =
        LatencyBuckets.quantiles(
            Arrays.copyOf(buckets, n), Arrays.copyOf(counts, n), 0.50, 0.95, 0.99);
    Double[] out = new Double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Double.isNaN(v[i]) ? null : v[i];
    }
    return out;
  }
}
