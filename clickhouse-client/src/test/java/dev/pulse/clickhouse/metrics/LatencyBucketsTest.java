package dev.pulse.clickhouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {

  private static final double A = LatencyBuckets.RELATIVE_ACCURACY;

  /** The stated bound, plus floating-point rounding of the log mapping (1e-9 of it). */
  private static double bound(double exact) {
    return A * exact * (1 + 1e-9);
  }

  @Test
  void everyLatencyIsWithinOnePercentOfItsBucketValue() {
    for (long us : new long[] {1, 2, 3, 10, 99, 100, 101, 1_000, 12_345, 999_999, 3_600_000_000L}) {
      double value = LatencyBuckets.bucketValue(LatencyBuckets.bucketOf(us));
      assertThat(Math.abs(value - us)).isLessThanOrEqualTo(bound(us));
    }
  }

  @Test
  void zeroLatencyCountsAsOneMicrosecond() {
    assertThat(LatencyBuckets.bucketOf(0)).isEqualTo(LatencyBuckets.bucketOf(1));
  }

  @Test
  void negativeLatencyIsRejected() {
    assertThatThrownBy(() -> LatencyBuckets.bucketOf(-1)).hasMessageContaining("negative");
  }

  @Test
  void quantileUsesNearestRank() {
    // 100, 200, 300, 400 us: p50 is rank ceil(0.5*4) = 2 -> 200; p95 is rank ceil(3.8) = 4 -> 400;
    // p0 is rank 1 -> 100.
    int[] buckets = {
      LatencyBuckets.bucketOf(400), LatencyBuckets.bucketOf(100),
      LatencyBuckets.bucketOf(300), LatencyBuckets.bucketOf(200)
    };
    long[] counts = {1, 1, 1, 1};
    assertThat(LatencyBuckets.quantile(buckets, counts, 0.5)).isCloseTo(200, within(2.0));
    assertThat(LatencyBuckets.quantile(buckets, counts, 0.95)).isCloseTo(400, within(4.0));
    assertThat(LatencyBuckets.quantile(buckets, counts, 0.0)).isCloseTo(100, within(1.0));
  }

  @Test
  void repeatedBucketsAreSummedAsSumMapWouldBeforeMerging() {
    int b100 = LatencyBuckets.bucketOf(100);
    int b900 = LatencyBuckets.bucketOf(900);
    // 3 x 100 us and 1 x 900 us, split over two "minutes": p75 is rank 3 -> 100, p76 is rank 4 ->
    // 900.
    int[] buckets = {b100, b900, b100};
    long[] counts = {2, 1, 1};
    assertThat(LatencyBuckets.quantile(buckets, counts, 0.75)).isCloseTo(100, within(1.0));
    assertThat(LatencyBuckets.quantile(buckets, counts, 0.76)).isCloseTo(900, within(9.0));
  }

  @Test
  void quantilesOfRandomLatenciesAreWithinTheStatedErrorOfTheExactNearestRankValue() {
    SplittableRandom random = new SplittableRandom(7);
    long[] latencies = new long[10_001];
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = (long) Math.exp(random.nextDouble(2, 15)); // 7 us .. 3.3 s, log-uniform
    }
    int[] buckets = Arrays.stream(latencies).mapToInt(LatencyBuckets::bucketOf).toArray();
    long[] ones = new long[latencies.length];
    Arrays.fill(ones, 1);
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    for (double q : new double[] {0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
      long exact = sorted[(int) Math.max(1, Math.ceil(q * sorted.length)) - 1];
      assertThat(LatencyBuckets.quantile(buckets, ones, q))
          .as("q=%s", q)
          .isCloseTo(exact, within(bound(exact)));
    }
  }

  @Test
  void nearestRankIsNotPushedUpByFloatingPointProducts() {
    // 0.07 * 100 = 7.000000000000001 in doubles; the rank is 7, not 8.
    assertThat(LatencyBuckets.nearestRank(0.07, 100)).isEqualTo(7);
    assertThat(LatencyBuckets.nearestRank(0.95, 20)).isEqualTo(19);
    assertThat(LatencyBuckets.nearestRank(0.951, 20)).isEqualTo(20);
    assertThat(LatencyBuckets.nearestRank(0.0, 20)).isEqualTo(1);
  }

  @Test
  void quantilesInOnePassAreEachTheBucketOfItsNearestRankAmongTheSortedValues() {
    Random random = new Random(7);
    double[] qs = {0.875, 0.0, 0.5, 1.0, 0.25, 0.5};
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + random.nextInt(20);
      int[] buckets = new int[n];
      long[] counts = new long[n];
      List<Integer> values = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        buckets[i] = random.nextInt(60); // repeats allowed, in any order
        counts[i] = random.nextInt(4); // zero counts allowed
        for (int k = 0; k < counts[i]; k++) {
          values.add(buckets[i]);
        }
      }
      double[] got = LatencyBuckets.quantiles(buckets, counts, qs);
      Collections.sort(values);
      for (int j = 0; j < qs.length; j++) {
        if (values.isEmpty()) {
          assertThat(got[j]).isNaN();
          continue;
        }
        int rank = Math.max(1, (int) Math.ceil(qs[j] * values.size()));
        assertThat(got[j])
            .as("trial %d, q %s", trial, qs[j])
            .isEqualTo(LatencyBuckets.bucketValue(values.get(rank - 1)));
      }
    }
  }

  @Test
  void emptyHistogramHasNoQuantile() {
    assertThat(LatencyBuckets.quantile(new int[0], new long[0], 0.5)).isNaN();
  }

  @Test
  void malformedHistogramsAreRejected() {
    assertThatThrownBy(() -> LatencyBuckets.quantile(new int[] {1}, new long[0], 0.5))
        .hasMessageContaining("differ in length");
    assertThatThrownBy(() -> LatencyBuckets.quantile(new int[] {1}, new long[] {-1}, 0.5))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> LatencyBuckets.quantile(new int[] {1}, new long[] {1}, 1.5))
        .hasMessageContaining("within [0, 1]");
    assertThatThrownBy(() -> LatencyBuckets.quantile(new int[] {1}, new long[] {1}, Double.NaN))
        .hasMessageContaining("within [0, 1]");
  }
}
