package dev.pulse.flink.testing;

import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.oracle.ApiKey;
import dev.pulse.oracle.Grain;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a reader of {@code api_request_minutes} computes from the job's additive delta rows: per key
 * and minute, {@code sum} of the counts, {@code sumMap} of the histogram and {@code max} of the
 * maximum, keyed like the oracle so tests compare minute by minute.
 */
public final class MinuteFactSums {

  public long requests;
  public long errors5xx;
  public long errors4xx;
  public long latencySumUs;
  public long latencyMaxUs;
  public final long[] underThreshold;
  public final TreeMap<Integer, Long> histogram = new TreeMap<>();

  private MinuteFactSums(int thresholds) {
    underThreshold = new long[thresholds];
  }

  /** The histogram's bucket indexes, ascending. */
  public int[] buckets() {
    return histogram.keySet().stream().mapToInt(Integer::intValue).toArray();
  }

  /** The histogram's counts, in bucket order. */
  public long[] counts() {
    return histogram.values().stream().mapToLong(Long::longValue).toArray();
  }

  /** Sums the delta rows of each key and minute. */
  public static Map<ApiKey, MinuteFactSums> of(List<ApiMinuteFact> facts, int thresholds) {
    Map<ApiKey, MinuteFactSums> out = new HashMap<>();
    for (ApiMinuteFact f : facts) {
      ApiKey key =
          new ApiKey(
              f.tenantId(),
              f.service(),
              f.endpoint(),
              f.method(),
              f.region(),
              Grain.MINUTE,
              f.minute());
      MinuteFactSums s = out.computeIfAbsent(key, k -> new MinuteFactSums(thresholds));
      s.requests += f.requests();
      s.errors5xx += f.errors5xx();
      s.errors4xx += f.errors4xx();
      s.latencySumUs += f.latencySumUs();
      s.latencyMaxUs = Math.max(s.latencyMaxUs, f.latencyMaxUs());
      for (int i = 0; i < thresholds; i++) {
        s.underThreshold[i] += f.underThreshold()[i];
      }
      for (int i = 0; i < f.latencyBuckets().length; i++) {
        s.histogram.merge(f.latencyBuckets()[i], f.latencyCounts()[i], Long::sum);
      }
    }
    return out;
  }
}
