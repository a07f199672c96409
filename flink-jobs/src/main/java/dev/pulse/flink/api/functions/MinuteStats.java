package dev.pulse.flink.api.functions;

import dev.pulse.clickhouse.metrics.LatencyBuckets;
import java.util.Arrays;

/**
 * The running statistics of one key's requests in one minute: counts, latency sum and maximum, a
 * sparse LatencyBuckets histogram and counts under each latency threshold. Mutable, a Flink POJO
 * (public fields, no-arg constructor) so window state serializes it without Kryo.
 *
 * <p>The histogram is two sorted parallel arrays holding only the buckets in use: a minute of one
 * endpoint touches tens of buckets, not the whole range, and this is also the stored form.
 */
public class MinuteStats {

  public long requests;
  public long errors5xx;
  public long errors4xx;
  public long latencySumUs;
  public long latencyMaxUs;

  /** Bucket indexes in use, ascending. */
  public int[] buckets = new int[0];

  /** Count per bucket, parallel to {@link #buckets}. */
  public long[] counts = new long[0];

  /** Per configured threshold, requests with latency at or under it. */
  public long[] underThreshold = new long[0];

  public MinuteStats() {}

  /** Empty statistics for {@code thresholdCount} thresholds. */
  public static MinuteStats empty(int thresholdCount) {
    MinuteStats s = new MinuteStats();
    s.underThreshold = new long[thresholdCount];
    return s;
  }

  /** Adds one request. */
  public void add(int statusCode, long latencyUs, long[] thresholdsUs) {
    requests++;
    if (statusCode >= 500 && statusCode <= 599) {
      errors5xx++;
    } else if (statusCode >= 400 && statusCode <= 499) {
      errors4xx++;
    }
    latencySumUs += latencyUs;
    latencyMaxUs = Math.max(latencyMaxUs, latencyUs);
    addToBucket(LatencyBuckets.bucketOf(latencyUs), 1);
    for (int i = 0; i < thresholdsUs.length; i++) {
      if (latencyUs <= thresholdsUs[i]) {
        underThreshold[i]++;
      }
    }
  }

  /** Adds all of {@code other} (same thresholds) into this. */
  public void addAll(MinuteStats other) {
    requests += other.requests;
    errors5xx += other.errors5xx;
    errors4xx += other.errors4xx;
    latencySumUs += other.latencySumUs;
    latencyMaxUs = Math.max(latencyMaxUs, other.latencyMaxUs);
    for (int i = 0; i < other.buckets.length; i++) {
      addToBucket(other.buckets[i], other.counts[i]);
    }
    for (int i = 0; i < underThreshold.length; i++) {
      underThreshold[i] += other.underThreshold[i];
    }
  }

  /**
   * What was added since {@code earlier}, a previous copy of these statistics: every additive field
   * subtracted, buckets that did not change left out. The maximum is not subtractable; the result
   * carries this one's maximum (the maximum so far), which is harmless because readers take {@code
   * max} over rows.
   */
  public MinuteStats since(MinuteStats earlier) {
    MinuteStats d = new MinuteStats();
    d.requests = requests - earlier.requests;
    d.errors5xx = errors5xx - earlier.errors5xx;
    d.errors4xx = errors4xx - earlier.errors4xx;
    d.latencySumUs = latencySumUs - earlier.latencySumUs;
    d.latencyMaxUs = latencyMaxUs;
    int[] b = new int[buckets.length];
    long[] c = new long[buckets.length];
    int n = 0;
    for (int i = 0; i < buckets.length; i++) {
      long delta = counts[i] - earlier.countOf(buckets[i]);
      if (delta != 0) {
        b[n] = buckets[i];
        c[n] = delta;
        n++;
      }
    }
    d.buckets = Arrays.copyOf(b, n);
    d.counts = Arrays.copyOf(c, n);
    d.underThreshold = new long[underThreshold.length];
    for (int i = 0; i < underThreshold.length; i++) {
      d.underThreshold[i] = underThreshold[i] - earlier.underThreshold[i];
    }
    return d;
  }

  /** A deep copy. */
  public MinuteStats copy() {
    MinuteStats s = new MinuteStats();
    s.requests = requests;
    s.errors5xx = errors5xx;
    s.errors4xx = errors4xx;
    s.latencySumUs = latencySumUs;
    s.latencyMaxUs = latencyMaxUs;
    s.buckets = buckets.clone();
    s.counts = counts.clone();
    s.underThreshold = underThreshold.clone();
    return s;
  }

  /** The count in bucket {@code bucket}, 0 when unused. */
  public long countOf(int bucket) {
    int i = Arrays.binarySearch(buckets, bucket);
    return i >= 0 ? counts[i] : 0;
  }

  private void addToBucket(int bucket, long count) {
    int i = Arrays.binarySearch(buckets, bucket);
    if (i >= 0) {
      counts[i] += count;
      return;
    }
    int at = -i - 1;
    int n = buckets.length;
    int[] b = new int[n + 1];
    long[] c = new long[n + 1];
    System.arraycopy(buckets, 0, b, 0, at);
    System.arraycopy(counts, 0, c, 0, at);
    b[at] = bucket;
    c[at] = count;
    System.arraycopy(buckets, at, b, at + 1, n - at);
    System.arraycopy(counts, at, c, at + 1, n - at);
    buckets = b;
    counts = c;
  }

  @Override
  public String toString() {
    return "MinuteStats{requests="
        + requests
        + ", 5xx="
        + errors5xx
        + ", 4xx="
        + errors4xx
        + ", sumUs="
        + latencySumUs
        + ", maxUs="
        + latencyMaxUs
        + ", buckets="
        + Arrays.toString(buckets)
        + ", counts="
        + Arrays.toString(counts)
        + ", under="
        + Arrays.toString(underThreshold)
        + "}";
  }
}
