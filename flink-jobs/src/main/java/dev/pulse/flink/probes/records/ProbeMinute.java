package dev.pulse.flink.probes.records;

/**
 * One additive row of {@code probe_minutes}: what a window firing added to a minute of a target
 * from a region. The on-time firing carries the whole minute; a firing for results within the
 * allowed lateness carries only those, so the rows of a minute add up.
 *
 * @param minuteMs UTC start of the event-time minute, epoch milliseconds
 * @param checks probe results
 * @param successes of them, passed
 * @param latencyMsSum their latencies summed, milliseconds
 */
public record ProbeMinute(
    String tenantId,
    String target,
    String region,
    long minuteMs,
    long checks,
    long successes,
    long latencyMsSum) {}
