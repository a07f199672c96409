package dev.pulse.flink.slo.records;

/**
 * One SLO of one tenant as evaluated at the end of a minute (docs/slo.md, "Evaluation"): the
 * minute's own counts, the budget over the SLO window ending with it, and the burn rate over each
 * window of {@code dev.pulse.slo.BurnWindows#ALL} ending with it.
 *
 * @param minuteMs UTC start of the minute; the windows end at {@code minuteMs + 60,000}
 * @param good good events (or good slices, for Timeslices) of the minute's counts
 * @param total eligible events of the minute
 * @param windowStartMs where the SLO window (rolling or calendar month) starts
 * @param eligible eligible events (or slices) in the SLO window
 * @param bad bad events (or slices) in the SLO window
 * @param remaining remaining budget: 1 - bad / ((1 - objective) x eligible); 1 with no eligible
 *     events, below 0 once the budget is spent
 * @param burnRates bad fraction / (1 - objective) per window, 0 for a window without events
 */
public record SloStatus(
    String tenantId,
    String slo,
    String service,
    long minuteMs,
    long good,
    long total,
    double objective,
    long windowStartMs,
    long eligible,
    long bad,
    double remaining,
    double[] burnRates) {}
