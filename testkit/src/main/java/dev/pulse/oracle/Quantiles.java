package dev.pulse.oracle;

/**
 * The quantile definition the oracle uses, and the comparison pipeline tests use between the
 * oracle's exact answer and a sketch's approximate one.
 *
 * <p><b>Nearest rank:</b> over n sorted values, the q-quantile (0 &lt;= q &lt;= 1) is the value at
 * 1-based rank max(1, ceil(q * n)). For 100, 200, 300, 400: p50 is rank 2 = 200, p95 is rank 4 =
 * 400. This is the definition the stored latency histogram uses too ({@code
 * dev.pulse.clickhouse.metrics.LatencyBuckets}).
 *
 * <p><b>Sketch tolerance:</b> Pulse stores latency in a DDSketch-style log-bucket histogram with
 * relative accuracy alpha = 0.01: every value it returns is within alpha relative error of some
 * value actually in the data, and it answers with the bucket holding the nearest-rank value. So a
 * sketch answer for q is accepted when it is within alpha of the exact nearest-rank value: |actual
 * - exact| &lt;= alpha * exact. The contract stores a latency under 1 us as 1 us (sub-microsecond
 * times are not measured: docs/sql-cookbook.md, "0 counts as 1"), so an exact 0 is compared as 1.
 */
public final class Quantiles {

  /** The relative accuracy of the latency sketch the pipeline uses. */
  public static final double SKETCH_ALPHA = 0.01;

  /** The smallest latency the contract resolves: below it, a latency counts as 1 us. */
  public static final long RESOLUTION_US = 1;

  private Quantiles() {}

  /** The 1-based nearest rank of quantile {@code q} among {@code n} values: max(1, ceil(q * n)). */
  public static int nearestRank(double q, int n) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
    }
    if (n <= 0) {
      throw new IllegalArgumentException("no values: the quantile of an empty set is undefined");
    }
    // Guard against q * n landing a hair above an integer through floating-point error (0.95 * 20).
    double x = q * n;
    long r = Math.round(x);
    int rank = Math.abs(x - r) < 1e-9 ? (int) r : (int) Math.ceil(x);
    return Math.max(1, Math.min(n, rank));
  }

  /** The nearest-rank q-quantile of {@code sorted} (ascending). */
  public static long nearestRank(long[] sorted, double q) {
    return sorted[nearestRank(q, sorted.length) - 1];
  }

  /** Whether {@code actual} is within {@code alpha} relative error of {@code exact}. */
  public static boolean withinRelativeError(double exact, double actual, double alpha) {
    if (!(alpha >= 0)) {
      throw new IllegalArgumentException("alpha must be >= 0, got " + alpha);
    }
    // A hair of slack for floating point: a bucket's value is (1 + alpha) times its lower bound,
    // exactly alpha off a latency on that bound, and 1.01 - 1 is 0.010000000000000009 in doubles.
    return Math.abs(actual - exact) <= alpha * Math.abs(exact) * (1 + 1e-9);
  }
}
