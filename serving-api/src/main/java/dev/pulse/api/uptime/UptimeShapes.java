package dev.pulse.api.uptime;

import java.time.Instant;
import java.util.List;

/**
 * The shapes of the uptime schema (uptime.graphqls), field for field. Every ratio is of sums over
 * the range's minutes (docs/slo.md, "Uptime and incidents"): uptime = successes / checks, mean
 * latency = summed latency / checks. Nothing without a check is listed, so checks is never 0.
 */
final class UptimeShapes {

  private UptimeShapes() {}

  /**
   * The uptime of the tenant's targets over the minutes that start in [from, to).
   *
   * @param bucketMinutes the width of each target's series points
   */
  record Uptime(Instant from, Instant to, int bucketMinutes, List<TargetUptime> targets) {

    Uptime {
      targets = List.copyOf(targets);
    }
  }

  /** One target over the range: over all regions, per region, and as a series. */
  record TargetUptime(
      String target,
      long checks,
      long successes,
      double uptime,
      double meanLatencyMs,
      List<RegionUptime> regions,
      List<UptimePoint> series) {

    TargetUptime {
      regions = List.copyOf(regions);
      series = List.copyOf(series);
    }
  }

  /** One region's checks of a target over the range. */
  record RegionUptime(
      String region, long checks, long successes, double uptime, double meanLatencyMs) {}

  /**
   * One bucket of a target's series, over all regions.
   *
   * @param time the bucket's start (epoch-aligned; the first may start before the range)
   */
  record UptimePoint(
      Instant time, long checks, long successes, double uptime, double meanLatencyMs) {}

  /**
   * One incident of a target: a maximal run of consecutive down minutes.
   *
   * @param start the start of its first down minute
   * @param end the end of its last down minute
   * @param regions the regions with a failed check in one of its minutes, sorted
   * @param ongoing whether its last down minute is the target's latest minute with checks
   */
  record Incident(
      String target,
      Instant start,
      Instant end,
      long durationSeconds,
      long downMinutes,
      List<String> regions,
      boolean ongoing) {

    Incident {
      regions = List.copyOf(regions);
    }
  }

  /** uptime = successes / checks, mean latency = latency / checks, of a non-empty sum. */
  static double ratio(long part, long checks) {
    return (double) part / checks;
  }
}
