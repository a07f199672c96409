package dev.pulse.flink.api.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.metrics.LatencyBuckets;
import org.junit.jupiter.api.Test;

class MinuteStatsTest {

  private static final long[] THRESHOLDS = {100_000, 300_000};

  @Test
  void sinceSubtractsEveryAdditiveFieldAndLeavesOutUnchangedBuckets() {
    MinuteStats s = MinuteStats.empty(2);
    s.add(200, 1_000, THRESHOLDS);
    s.add(200, 200_000, THRESHOLDS);
    MinuteStats earlier = s.copy();
    s.add(503, 200_100, THRESHOLDS); // same bucket as 200_000 (1 % buckets)
    s.add(429, 5_000_000, THRESHOLDS);

    MinuteStats d = s.since(earlier);

    assertThat(d.requests).isEqualTo(2);
    assertThat(d.errors5xx).isEqualTo(1);
    assertThat(d.errors4xx).isEqualTo(1);
    assertThat(d.latencySumUs).isEqualTo(5_200_100);
    assertThat(d.latencyMaxUs).isEqualTo(5_000_000);
    assertThat(d.buckets)
        .containsExactly(LatencyBuckets.bucketOf(200_100), LatencyBuckets.bucketOf(5_000_000));
    assertThat(d.counts).containsExactly(1, 1);
    assertThat(d.underThreshold).containsExactly(0, 1);
    assertThat(earlier.requests).isEqualTo(2); // the copy was not changed
  }

  @Test
  void mergingTwoPartialsEqualsAddingEverythingToOne() {
    MinuteStats a = MinuteStats.empty(2);
    MinuteStats b = MinuteStats.empty(2);
    MinuteStats all = MinuteStats.empty(2);
    long[][] requests = {{200, 90_000}, {500, 400_000}, {404, 90_500}, {200, 12}};
    for (int i = 0; i < requests.length; i++) {
      (i % 2 == 0 ? a : b).add((int) requests[i][0], requests[i][1], THRESHOLDS);
      all.add((int) requests[i][0], requests[i][1], THRESHOLDS);
    }

    a.addAll(b);

    assertThat(a).usingRecursiveComparison().isEqualTo(all);
    assertThat(a.buckets).isSorted();
  }

  @Test
  void statusesOutside400To599AreNotErrors() {
    MinuteStats s = MinuteStats.empty(0);
    s.add(399, 1, new long[0]);
    s.add(100, 1, new long[0]);
    s.add(400, 1, new long[0]);
    s.add(599, 1, new long[0]);

    assertThat(s.errors4xx).isEqualTo(1);
    assertThat(s.errors5xx).isEqualTo(1);
    assertThat(s.requests).isEqualTo(4);
  }
}
