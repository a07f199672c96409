package dev.pulse.bench;

import java.util.List;
import java.util.Map;

/**
 * What one benchmark phase did and used: how many events it moved, how long it took, its rates and
 * the resources it used.
 *
 * @param name the phase: {@code preload}, {@code consumer}, {@code loader}, {@code pulse}
 * @param events events counted at the end (records consumed, or rows in ClickHouse)
 * @param startupSeconds from the phase's start to its first record or row
 * @param elapsedSeconds from the phase's start until it was done
 * @param steadyRate events per second from the first observed record/row to the end, the start-up
 *     (group join, job deployment) left out: the rate the ratios compare
 * @param overallRate events per second over the whole phase, start-up included
 * @param usage memory and CPU used during the phase
 * @param details phase-specific figures (bytes read, minute-fact rows, batches ...)
 */
record PhaseResult(
    String name,
    long events,
    double startupSeconds,
    double elapsedSeconds,
    double steadyRate,
    double overallRate,
    ResourceMeter.Usage usage,
    Map<String, Object> details) {

  /** Nearest-rank percentile {@code p} (0..100) of sorted, non-empty {@code values}. */
  static double percentile(List<Double> values, double p) {
    int rank = (int) Math.ceil(p / 100.0 * values.size());
    return values.get(Math.max(0, Math.min(values.size() - 1, rank - 1)));
  }
}
