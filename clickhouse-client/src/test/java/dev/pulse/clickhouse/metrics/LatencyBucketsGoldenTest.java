package dev.pulse.clickhouse.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Pins the bucket indexes that {@code api_minute_facts} stores for latencies, and the values read
 * back for them. The failure this prevents: a sketches-java upgrade (or a change of the accuracy)
 * that moves indexes, after which old and new rows merged by {@code sumMap} mean different
 * latencies and every stored percentile is silently off. If this test fails after an upgrade, the
 * upgrade needs a migration of the stored histograms (or a pinned copy of the old mapping), not new
 * numbers here.
 *
 * <p>The numbers were derived apart from the library, from the formula its 0.8.3 bytecode computes
 * ({@code LogLikeIndexMapping.index}: {@code (int) floor(ln(v) * multiplier + 0)} with {@code
 * multiplier = 1 / log1p(gamma - 1) = 1 / ln(gamma)}; {@code value(i) = exp(i / multiplier) * (1 +
 * a)}), evaluated with 60-digit arithmetic: {@code gamma = 1.01 / 0.99 = 1.0202020202...}, {@code
 * ln(gamma) = 0.0200006667067...}. Bucket edges {@code gamma^k} are irrational, so an "edge" below
 * is the pair of integers around one. The integer latency up to 60 s nearest to an edge is
 * 14,954,917 us ({@code gamma^826 = 14954916.99494}), 1.7e-8 from the edge in index units, far more
 * than double rounding (~1e-13), so the library's doubles agree with exact arithmetic on every
 * value here.
 *
 * <p>By hand, two of them:
 *
 * <ul>
 *   <li>1,000 us: ln(1000) = 6.907755; ln(gamma) = ln(1.01) - ln(0.99) = 0.0099503 + 0.0100503 =
 *       0.0200007; 6.907755 / 0.0200007 = 345.376, floor 345. Bucket 345 starts at gamma^345 =
 *       e^(345 * 0.0200007) = e^6.900230 = 1000 * e^-0.007525 = 992.503, so 992 us is in 344 and
 *       993 us in 345; its value is 992.503 * 1.01 = 1002.428.
 *   <li>2 us: ln(2) / ln(gamma) = 0.693147 / 0.0200007 = 34.656, floor 34; value(34) = gamma^34 *
 *       1.01 = e^0.680023 * 1.01 = 2 * e^-0.013124 * 1.01 = 1.973922 * 1.01 = 1.993662.
 * </ul>
 */
class LatencyBucketsGoldenTest {

  /** Latency in microseconds, its bucket. */
  private static final long[][] BUCKETS = {
    {0, 0}, // counts as 1 us
    {1, 0}, // ln(1) = 0
    {2, 34},
    {3, 54},
    {9, 109},
    {10, 115}, // gamma^115 = 9.97495
    {11, 119},
    {100, 230},
    {992, 344}, // gamma^345 = 992.50298
    {993, 345},
    {999, 345},
    {1_000, 345}, // 1 ms
    {1_001, 345},
    {1_012, 345}, // gamma^346 = 1012.55354
    {1_013, 346},
    {9_900, 459}, // gamma^460 = 9900.16483
    {9_901, 460},
    {10_000, 460}, // 10 ms
    {100_000, 575}, // 100 ms
    {985_062, 689}, // gamma^690 = 985062.16280
    {985_063, 690},
    {1_000_000, 690}, // 1 s
    {10_000_000, 805}, // 10 s
    {14_954_916, 825}, // gamma^826 = 14954916.99494: the integer edge nearest to an integer
    {14_954_917, 826},
    {59_447_058, 894}, // gamma^895 = 59447058.56811
    {59_447_059, 895},
    {60_000_000, 895}, // 60 s
    {Long.MAX_VALUE, 2183},
  };

  /** Bucket, its representative latency in microseconds: gamma^i * 1.01. */
  private static final double[][] VALUES = {
    {0, 1.01},
    {34, 1.9936617014173507},
    {345, 1002.4280085221611},
    {346, 1022.6790794013967},
    {690, 994912.78442545135},
    {895, 60041529.153787736},
  };

  @Test
  void latenciesFallInTheBucketsStoredSoFar() {
    for (long[] row : BUCKETS) {
      assertThat(LatencyBuckets.bucketOf(row[0])).as("bucket of %d us", row[0]).isEqualTo(row[1]);
    }
  }

  @Test
  void bucketsReadBackAsTheValuesStoredSoFar() {
    for (double[] row : VALUES) {
      // Relative 1e-12: the doubles of exp and log, not a change of the mapping (that is >= 1e-4).
      assertThat(LatencyBuckets.bucketValue((int) row[0]))
          .as("value of bucket %d", (int) row[0])
          .isCloseTo(row[1], within(row[1] * 1e-12));
    }
  }
}
