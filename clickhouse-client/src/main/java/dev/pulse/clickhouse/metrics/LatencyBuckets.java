package dev.pulse.clickhouse.metrics;

import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import java.util.Arrays;

/**
 * How latencies are stored in ClickHouse: a mergeable log-bucket histogram (the DDSketch mapping)
 * whose quantiles are within {@link #RELATIVE_ACCURACY} of the exact value.
 *
 * <p>A latency of {@code v} microseconds falls in bucket {@code i = floor(ln(v) / ln(gamma))} with
 * {@code gamma = (1 + a) / (1 - a)}, i.e. {@code gamma^i <= v < gamma^(i+1)} (sketches-java 0.8's
 * {@code LogarithmicMapping}: index offset 0, floor; older releases used ceil); its value is {@code
 * gamma^i * (1 + a)}, within relative error {@code a} of every value in the bucket. The indexes are
 * stored in ClickHouse, so this mapping is a stored format: {@code LatencyBucketsGoldenTest} pins
 * it, and a library upgrade that moves an index must not ship without a migration of the stored
 * histograms. Histograms are stored as two parallel arrays (bucket indexes, counts) so that
 * ClickHouse's {@code sumMap} merges minutes into hours and days exactly: merging never loses
 * accuracy.
 *
 * <p>Quantiles use the nearest-rank definition: the q-quantile of n values is the value of rank
 * {@code max(1, ceil(q * n))} in ascending order. The bucket holding that rank is the answer, so
 * the reported value is within {@code a} (relative) of the exact nearest-rank value.
 */
public final class LatencyBuckets {

  /** Relative accuracy of every latency quantile Pulse reports: 1 %. */
  public static final double RELATIVE_ACCURACY = 0.01;

  private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);

  private LatencyBuckets() {}

  /**
   * The bucket of a latency in microseconds. Latencies below 1 µs (0, as some services log cached
   * hits) count as 1 µs; negative latencies are invalid input and rejected upstream.
   */
  public static int bucketOf(long latencyUs) {
    if (latencyUs < 0) {
      throw new IllegalArgumentException("latency must not be negative: " + latencyUs);
    }
    return MAPPING.index(Math.max(1L, latencyUs));
  }

  /**
   * The representative latency (microseconds) of a bucket: within the accuracy of all its values.
   */
  public static double bucketValue(int bucket) {
    return MAPPING.value(bucket);
  }

  /**
   * The nearest-rank q-quantile of a histogram given as parallel arrays, in microseconds; NaN for
   * an empty histogram. Buckets may come in any order and may repeat (they are summed).
   */
  public static double quantile(int[] buckets, long[] counts, double q) {
    return quantiles(buckets, counts, q)[0];
  }

  /**
   * The quantiles {@code qs} of the histogram, each as {@link #quantile} gives it, in one pass over
   * the buckets (a page's p50, p95 and p99 sort the buckets once, not three times); all NaN for an
   * empty histogram.
   */
  public static double[] quantiles(int[] buckets, long[] counts, double... qs) {
    if (buckets.length != counts.length) {
      throw new IllegalArgumentException(
          "buckets and counts differ in length: " + buckets.length + " vs " + counts.length);
    }
    for (double q : qs) {
      if (!(q >= 0.0 && q <= 1.0)) {
        throw new IllegalArgumentException("quantile must be within [0, 1]: " + q);
      }
    }
    long total = 0;
    for (long c : counts) {
      if (c < 0) {
        throw new IllegalArgumentException("bucket counts must not be negative: " + c);
      }
      total += c;
    }
    double[] values = new double[qs.length];
    Arrays.fill(values, Double.NaN);
    if (total == 0) {
      return values;
    }
    long[] ranks = new long[qs.length];
    for (int j = 0; j < qs.length; j++) {
      ranks[j] = nearestRank(qs[j], total);
    }
    int left = qs.length;
    long seen = 0;
    for (int i : sortedOrder(buckets)) {
      seen += counts[i];
      for (int j = 0; j < qs.length; j++) {
        if (Double.isNaN(values[j]) && seen >= ranks[j]) {
          values[j] = bucketValue(buckets[i]);
          left--;
        }
      }
      if (left == 0) {
        return values;
      }
    }
    throw new AssertionError("ranks " + Arrays.toString(ranks) + " beyond total " + total);
  }

  /**
   * max(1, ceil(q * n)), where a product within 1e-9 of an integer counts as that integer: in
   * floating point 0.07 * 100 is 7.000000000000001, whose ceiling would be rank 8.
   */
  static long nearestRank(double q, long n) {
    double x = q * n;
    long nearest = Math.round(x);
    long rank = Math.abs(x - nearest) < 1e-9 ? nearest : (long) Math.ceil(x);
    return Math.max(1L, Math.min(n, rank));
  }

  /**
   * The positions of {@code buckets} in ascending bucket order (ties by position): each position
   * packed under its bucket in one long, so one primitive sort orders them without boxing.
   */
  private static int[] sortedOrder(int[] buckets) {
    long[] packed = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      packed[i] = ((long) buckets[i] << 32) | i;
    }
    Arrays.sort(packed);
    int[] order = new int[packed.length];
    for (int i = 0; i < packed.length; i++) {
      order[i] = (int) packed[i];
    }
    return order;
  }
}
