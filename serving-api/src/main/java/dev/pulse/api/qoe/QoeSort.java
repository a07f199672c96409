package dev.pulse.api.qoe;

import dev.pulse.api.qoe.Qoe.BreakdownRow;
import java.util.Comparator;
import java.util.function.Function;

/**
 * The order of a breakdown's rows, worst first; rows without the metric (no views it applies to)
 * come last, ties in dimension order.
 */
public enum QoeSort {
  IMPACT(r -> r.impact(), true),
  EXPERIENCE_SCORE(r -> r.metrics().experienceScore(), false),
  FAILURE_RATE(r -> r.metrics().failureRate(), true),
  REBUFFER_PERCENTAGE(r -> r.metrics().rebufferPercentage(), true),
  STARTUP_TIME_P95(r -> r.metrics().startupTimeP95Ms(), true),
  VIEWS(r -> (double) r.metrics().viewsStarted(), true);

  private final Function<BreakdownRow, Double> metric;
  private final boolean highIsWorse;

  QoeSort(Function<BreakdownRow, Double> metric, boolean highIsWorse) {
    this.metric = metric;
    this.highIsWorse = highIsWorse;
  }

  Comparator<BreakdownRow> worstFirst() {
    Comparator<Double> worst =
        highIsWorse ? Comparator.<Double>reverseOrder() : Comparator.<Double>naturalOrder();
    return Comparator.comparing(metric, Comparator.nullsLast(worst)).thenComparing(r -> key(r));
  }

  private static String key(BreakdownRow r) {
    return String.join(
        "\u0000",
        String.valueOf(r.video()),
        String.valueOf(r.course()),
        String.valueOf(r.cdn()),
        String.valueOf(r.region()),
        String.valueOf(r.device()),
        String.valueOf(r.player()));
  }
}
