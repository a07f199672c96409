package dev.pulse.api.qoe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.api.qoe.Qoe.Breakdown;
import dev.pulse.api.qoe.Qoe.BreakdownRow;
import dev.pulse.api.series.Granularity;
import dev.pulse.api.series.SeriesWindow;
import dev.pulse.clickhouse.metrics.LatencyBuckets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Breakdown ranking over hand-made sums (docs/qoe.md, Breakdowns): impact, each sort worst first,
 * combinations without a metric last, and the limit.
 */
class QoeBreakdownsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SeriesWindow TWO_MINUTES =
      new SeriesWindow(
          Instant.parse("2026-03-02T10:00:00Z"),
          Instant.parse("2026-03-02T10:02:00Z"),
          Granularity.MINUTE,
          2);

  /**
   * One combination's sums: views ended, failures, experience points (whole) over scored views,
   * rebuffer and view ms, one startup time (ms, or 0 for none).
   */
  private static QoeSums sums(
      int ended,
      int failures,
      int experience,
      int scored,
      long rebufferMs,
      long viewMs,
      long startupMs) {
    ObjectNode row = JSON.createObjectNode();
    QoeSums.SQL_COLUMNS.forEach(c -> row.put(c, 0));
    row.put("views_started", ended)
        .put("views_ended", ended)
        .put("start_failures", failures)
        .put("experience_score_sum", experience * 1000L)
        .put("experience_scores", scored)
        .put("rebuffer_ms", rebufferMs)
        .put("view_ms", viewMs)
        .put("startups", startupMs > 0 ? 1 : 0);
    row.putArray("buckets");
    row.putArray("counts");
    if (startupMs > 0) {
      row.withArray("buckets").add(LatencyBuckets.bucketOf(startupMs));
      row.withArray("counts").add(1);
    }
    return QoeSums.of(row);
  }

  private static Map<List<String>, QoeSums> combinations() {
    Map<List<String>, QoeSums> c = new LinkedHashMap<>();
    // a: busy and average (mean 80 over 10); b: small and bad (mean 40 over 2, half failed,
    // 10 % rebuffering, slow start); c: only exits before start that scored nothing.
    c.put(List.of("a"), sums(10, 0, 800, 10, 1_000, 100_000, 1_000));
    c.put(List.of("b"), sums(2, 1, 80, 2, 2_000, 20_000, 9_000));
    c.put(List.of("c"), sums(1, 0, 0, 0, 0, 0, 0));
    return c;
  }

  private static List<String> order(QoeSort sort) {
    return QoeBreakdowns.rank(
            List.of(QoeDimension.CDN), QoeFilter.NONE, TWO_MINUTES, combinations(), sort, 10)
        .rows()
        .stream()
        .map(BreakdownRow::cdn)
        .toList();
  }

  @Test
  void impactIsTheScorePointsACombinationTakesFromTheOverallMean() {
    Breakdown b =
        QoeBreakdowns.rank(
            List.of(QoeDimension.CDN),
            QoeFilter.NONE,
            TWO_MINUTES,
            combinations(),
            QoeSort.IMPACT,
            10);
    // Overall mean: 880 points over 12 scored views = 73.33.
    double overall = 880.0 / 12;
    assertThat(b.total().experienceScore()).isCloseTo(overall, within(1e-9));
    assertThat(b.rows()).extracting(BreakdownRow::cdn).containsExactly("b", "c", "a");
    assertThat(b.rows().get(0).impact()).isCloseTo((overall - 40) * 2, within(1e-9));
    assertThat(b.rows().get(2).impact()).isCloseTo((overall - 80) * 10, within(1e-9));
    // Without scored views a combination takes nothing; over all, impacts add up to zero.
    assertThat(b.rows().get(1).impact()).isZero();
    assertThat(b.rows().stream().mapToDouble(BreakdownRow::impact).sum())
        .isCloseTo(0, within(1e-9));
    assertThat(b.combinations()).isEqualTo(3);
  }

  @Test
  void eachSortPutsTheWorstFirstAndCombinationsWithoutTheMetricLast() {
    assertThat(order(QoeSort.EXPERIENCE_SCORE)).containsExactly("b", "a", "c");
    assertThat(order(QoeSort.FAILURE_RATE)).containsExactly("b", "a", "c");
    assertThat(order(QoeSort.REBUFFER_PERCENTAGE)).containsExactly("b", "a", "c");
    assertThat(order(QoeSort.STARTUP_TIME_P95)).containsExactly("b", "a", "c");
    assertThat(order(QoeSort.VIEWS)).containsExactly("a", "b", "c");
  }

  @Test
  void theLimitKeepsTheWorstRowsAndTheCountOfAll() {
    Breakdown b =
        QoeBreakdowns.rank(
            List.of(QoeDimension.CDN),
            QoeFilter.NONE,
            TWO_MINUTES,
            combinations(),
            QoeSort.IMPACT,
            1);
    assertThat(b.rows()).extracting(BreakdownRow::cdn).containsExactly("b");
    assertThat(b.combinations()).isEqualTo(3);
    // Concurrent viewers and rates are over the whole range.
    assertThat(b.total().viewsEnded()).isEqualTo(13);
  }
}
