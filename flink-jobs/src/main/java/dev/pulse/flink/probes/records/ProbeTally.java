package dev.pulse.flink.probes.records;

/**
 * A minute's checks of one target from one region, summed: the minute window's accumulator and what
 * it last emitted.
 *
 * @param checks probe results
 * @param successes of them, passed
 * @param latencyMsSum their latencies summed, milliseconds
 */
public record ProbeTally(long checks, long successes, long latencyMsSum) {

  public static final ProbeTally EMPTY = new ProbeTally(0, 0, 0);

  /** This plus one result. */
  public ProbeTally plus(ProbeCheck p) {
    return new ProbeTally(
        checks + 1, successes + (p.success() ? 1 : 0), latencyMsSum + p.latencyMs());
  }

  /** This plus {@code other}. */
  public ProbeTally plus(ProbeTally other) {
    return new ProbeTally(
        checks + other.checks, successes + other.successes, latencyMsSum + other.latencyMsSum);
  }

  /** What this has beyond {@code earlier} (a tally this one grew from). */
  public ProbeTally minus(ProbeTally earlier) {
    return new ProbeTally(
        checks - earlier.checks,
        successes - earlier.successes,
        latencyMsSum - earlier.latencyMsSum);
  }
}
