package dev.pulse.api.series;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The epoch-aligned buckets over [from, to) of a series read from minute rows (SLO burn-down,
 * uptime): {@code minutes} wide, {@code points} of them at most (those that overlap the range); the
 * finest of 1, 2, 5, 10, 15, 30 minutes, 1, 2, 3, 6, 12 hours, then whole days, that keeps the
 * points within the limit.
 */
public record MinuteBuckets(Instant from, Instant to, int minutes, long points) {

  private static final int[] STEPS = {1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440};

  /** The finest width whose buckets over [from, to) are at most {@code maxPoints}. */
  public static MinuteBuckets over(Instant from, Instant to, int maxPoints) {
    for (int step : STEPS) {
      MinuteBuckets b = of(from, to, step);
      if (b.points() <= maxPoints) {
        return b;
      }
    }
    long minutes = Duration.between(from, to).toMinutes();
    int days = (int) Math.max(1, (minutes + 1440L * maxPoints - 1) / (1440L * maxPoints));
    MinuteBuckets b = of(from, to, 1440 * days);
    while (b.points() > maxPoints) {
      days++;
      b = of(from, to, 1440 * days);
    }
    return b;
  }

  /** {@code t} rounded up to a whole second (DateTime columns hold seconds). */
  public static Instant ceilSecond(Instant t) {
    Instant s = t.truncatedTo(ChronoUnit.SECONDS);
    return s.equals(t) ? s : s.plusSeconds(1);
  }

  private static MinuteBuckets of(Instant from, Instant to, int minutes) {
    long w = minutes * 60L;
    long first = Math.floorDiv(from.getEpochSecond(), w);
    long end = Math.floorDiv(ceilSecond(to).getEpochSecond() - 1, w) + 1;
    return new MinuteBuckets(from, to, minutes, end - first);
  }
}
