package dev.pulse.oracle;

import java.util.Arrays;

/**
 * The exact request metrics of one {@link ApiKey}: counts by status class and every latency, so any
 * percentile or latency SLI can be answered exactly.
 */
public final class ApiStats {

  private final long requests;
  private final long status5xx;
  private final long status4xx;
  private final long[] sortedLatenciesUs;

  ApiStats(long requests, long status5xx, long status4xx, long[] latenciesUs) {
    this.requests = requests;
    this.status5xx = status5xx;
    this.status4xx = status4xx;
    this.sortedLatenciesUs = latenciesUs.clone();
    Arrays.sort(this.sortedLatenciesUs);
  }

  /** Requests counted (each event_id once). */
  public long requests() {
    return requests;
  }

  /** Requests with status 500..599: the availability SLI's bad events. */
  public long status5xx() {
    return status5xx;
  }

  /** Requests with status 400..499 (client errors: good for availability). */
  public long status4xx() {
    return status4xx;
  }

  /** Requests with status below 500: the availability SLI's good events. */
  public long goodForAvailability() {
    return requests - status5xx;
  }

  /** Every latency, ascending, in microseconds. */
  public long[] latenciesUs() {
    return sortedLatenciesUs.clone();
  }

  /** The exact nearest-rank quantile of latency (see {@link Quantiles}). */
  public long latencyQuantileUs(double q) {
    return Quantiles.nearestRank(sortedLatenciesUs, q);
  }

  public long p50() {
    return latencyQuantileUs(0.50);
  }

  public long p95() {
    return latencyQuantileUs(0.95);
  }

  public long p99() {
    return latencyQuantileUs(0.99);
  }

  /**
   * Requests with latency at or below {@code thresholdUs}: the latency SLI's good events. The
   * boundary is inclusive, so a request of exactly the threshold is good.
   */
  public long countAtOrUnder(long thresholdUs) {
    // Index of the first value > threshold in the sorted array.
    int lo = 0;
    int hi = sortedLatenciesUs.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sortedLatenciesUs[mid] <= thresholdUs) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Whether a sketch's answer for quantile {@code q} is acceptable (see {@link Quantiles}): within
   * {@code alpha} of the exact nearest-rank latency, a latency under 1 us counting as 1 us.
   */
  public boolean sketchAgrees(double q, double sketchAnswerUs, double alpha) {
    return Quantiles.withinRelativeError(
        Math.max(Quantiles.RESOLUTION_US, latencyQuantileUs(q)), sketchAnswerUs, alpha);
  }

  /** The union of {@code this} and {@code other}'s populations. */
  ApiStats merge(ApiStats other) {
    long[] all =
        Arrays.copyOf(sortedLatenciesUs, sortedLatenciesUs.length + other.sortedLatenciesUs.length);
    System.arraycopy(
        other.sortedLatenciesUs, 0, all, sortedLatenciesUs.length, other.sortedLatenciesUs.length);
    return new ApiStats(
        requests + other.requests, status5xx + other.status5xx, status4xx + other.status4xx, all);
  }

  @Override
  public String toString() {
    return "requests="
        + requests
        + " 5xx="
        + status5xx
        + " 4xx="
        + status4xx
        + (requests > 0 ? " p50=" + p50() + " p95=" + p95() + " p99=" + p99() : "");
  }
}
