package dev.pulse.flink.slo.functions;

import dev.pulse.slo.AlertWindow;
import dev.pulse.slo.BurnWindows;
import dev.pulse.slo.Slo;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arithmetic of one SLO (docs/slo.md, "Evaluation"), a pure function of its per-minute counts:
 * at the end of a minute, the budget over the SLO window, the burn rate over each reported window,
 * and whether each alert row fires.
 *
 * <p>Every window ends at the evaluated minute's end E and holds the minutes that start in [E - w,
 * E). With Timeslices, minutes make slices of {@code timeSlice} (aligned to the epoch); a slice is
 * good when good / total of its events reaches {@code timeSliceTarget}, and a window holds the
 * slices that both start and end in it; a slice without events counts neither way.
 */
public final class SloEvaluator implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final long MINUTE_MS = 60_000;

  /** The longest window an alert or a reported burn rate reads. */
  static final Duration LONGEST_BURN_WINDOW = Duration.ofDays(3);

  private final Slo slo;
  private final boolean slices;
  private final long sliceMinutes;
  private final List<AlertWindow> alerts;

  public SloEvaluator(Slo slo) {
    this.slo = slo;
    this.slices = slo.method() == Slo.BudgetingMethod.TIMESLICES;
    this.sliceMinutes = slices ? slo.timeSlice().toMinutes() : 1;
    this.alerts = slo.alertWindows();
  }

  public Slo slo() {
    return slo;
  }

  public List<AlertWindow> alerts() {
    return alerts;
  }

  /** How far back counts are read: the SLO window or the longest burn window, and one slice. */
  public long retentionMinutes() {
    long longest = Math.max(slo.window().longest().toMinutes(), LONGEST_BURN_WINDOW.toMinutes());
    return longest + sliceMinutes;
  }

  /**
   * The evaluation at {@code endMs} (a minute's end) of {@code counts}: minute (epoch minutes) to
   * {good, total}; minutes outside every window are ignored.
   */
  public Evaluation evaluate(Iterable<Map.Entry<Long, long[]>> counts, long endMs) {
    long end = Math.floorDiv(endMs, MINUTE_MS);
    long windowStart = Math.floorDiv(slo.window().startMs(endMs), MINUTE_MS);
    List<Duration> reported = BurnWindows.ALL;
    int n = reported.size() + 2 * alerts.size();
    long[] spans = new long[n];
    for (int i = 0; i < reported.size(); i++) {
      spans[i] = reported.get(i).toMinutes();
    }
    for (int i = 0; i < alerts.size(); i++) {
      spans[reported.size() + 2 * i] = alerts.get(i).longWindow().toMinutes();
      spans[reported.size() + 2 * i + 1] = alerts.get(i).shortWindow().toMinutes();
    }
    long[] totals = new long[n];
    long[] bads = new long[n];
    long eligible = 0;
    long bad = 0;
    for (Map.Entry<Long, long[]> unit : units(counts)) {
      long start = unit.getKey();
      long[] gt = unit.getValue();
      long unitEnd = start + sliceMinutes;
      if (gt[1] <= 0 || unitEnd > end) {
        continue;
      }
      long unitBad = slices ? (isGoodSlice(gt) ? 0 : 1) : gt[1] - gt[0];
      long unitTotal = slices ? 1 : gt[1];
      if (start >= windowStart) {
        eligible += unitTotal;
        bad += unitBad;
      }
      for (int i = 0; i < n; i++) {
        if (start >= end - spans[i]) {
          totals[i] += unitTotal;
          bads[i] += unitBad;
        }
      }
    }
    double allowed = (1 - slo.target());
    double[] burn = new double[n];
    for (int i = 0; i < n; i++) {
      burn[i] = totals[i] == 0 ? 0 : (bads[i] / (double) totals[i]) / allowed;
    }
    double[] rates = new double[reported.size()];
    System.arraycopy(burn, 0, rates, 0, rates.length);
    double[] longBurn = new double[alerts.size()];
    double[] shortBurn = new double[alerts.size()];
    boolean[] firing = new boolean[alerts.size()];
    for (int i = 0; i < alerts.size(); i++) {
      longBurn[i] = burn[reported.size() + 2 * i];
      shortBurn[i] = burn[reported.size() + 2 * i + 1];
      double threshold = alerts.get(i).burnRate();
      firing[i] = longBurn[i] > threshold && shortBurn[i] > threshold;
    }
    double budget = allowed * eligible;
    double remaining = eligible == 0 ? 1 : 1 - bad / budget;
    return new Evaluation(
        endMs,
        windowStart * MINUTE_MS,
        eligible,
        bad,
        remaining,
        rates,
        longBurn,
        shortBurn,
        firing,
        recent(counts, end));
  }

  private boolean isGoodSlice(long[] gt) {
    return gt[0] >= slo.timeSliceTarget() * gt[1];
  }

  /** The counts by unit: minutes as they are (Occurrences), or summed into slices. */
  private Iterable<Map.Entry<Long, long[]>> units(Iterable<Map.Entry<Long, long[]>> counts) {
    if (!slices) {
      return counts;
    }
    Map<Long, long[]> bySlice = new HashMap<>();
    for (Map.Entry<Long, long[]> minute : counts) {
      long slice = Math.floorDiv(minute.getKey(), sliceMinutes) * sliceMinutes;
      long[] sum = bySlice.computeIfAbsent(slice, s -> new long[2]);
      sum[0] += minute.getValue()[0];
      sum[1] += minute.getValue()[1];
    }
    return bySlice.entrySet();
  }

  /** Whether any minute in the longest burn window ending at {@code end} has counts. */
  private static boolean recent(Iterable<Map.Entry<Long, long[]>> counts, long end) {
    long from = end - LONGEST_BURN_WINDOW.toMinutes();
    for (Map.Entry<Long, long[]> minute : counts) {
      if (minute.getKey() >= from && minute.getKey() < end && minute.getValue()[1] != 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * One evaluation.
   *
   * @param burnRates per window of {@link BurnWindows#ALL}
   * @param longBurn per alert row of {@link #alerts()}, over its long window
   * @param shortBurn per alert row, over its short window
   * @param firing per alert row: both burn rates above its threshold
   * @param recent whether any event fell in the last 3 days (otherwise evaluation can pause)
   */
  public record Evaluation(
      long endMs,
      long windowStartMs,
      long eligible,
      long bad,
      double remaining,
      double[] burnRates,
      double[] longBurn,
      double[] shortBurn,
      boolean[] firing,
      boolean recent) {}
}
