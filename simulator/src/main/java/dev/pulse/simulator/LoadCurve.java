package dev.pulse.simulator;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Relative activity (0..1) by hour of the day (UTC), interpolated between hourly values: the school
 * curve drives API traffic (quiet at night, peaks in class hours), the evening curve drives
 * lecture-video views (some in the day, most after school).
 */
final class LoadCurve {

  private static final double[] SCHOOL = {
    0.05, 0.04, 0.03, 0.03, 0.04, 0.07, 0.15, 0.40, 0.85, 1.00, 0.95, 0.90,
    0.70, 0.90, 1.00, 0.85, 0.60, 0.45, 0.40, 0.45, 0.40, 0.30, 0.18, 0.10
  };

  private static final double[] EVENING = {
    0.10, 0.05, 0.03, 0.02, 0.02, 0.03, 0.08, 0.20, 0.35, 0.40, 0.40, 0.45,
    0.55, 0.45, 0.45, 0.55, 0.70, 0.85, 1.00, 1.00, 0.90, 0.70, 0.45, 0.25
  };

  /** Weekends are quieter: no classes, some homework. */
  private static final double WEEKEND = 0.35;

  private LoadCurve() {}

  static double school(long epochMillis) {
    return at(SCHOOL, epochMillis);
  }

  static double evening(long epochMillis) {
    return at(EVENING, epochMillis);
  }

  private static double at(double[] hourly, long epochMillis) {
    long msOfDay = Math.floorMod(epochMillis, 86_400_000L);
    // Each hourly value sits at the middle of its hour; interpolate linearly between neighbours.
    double h = msOfDay / 3_600_000.0 - 0.5;
    int lo = (int) Math.floor(h);
    double f = h - lo;
    double v = hourly[Math.floorMod(lo, 24)] * (1 - f) + hourly[Math.floorMod(lo + 1, 24)] * f;
    DayOfWeek day = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).getDayOfWeek();
    return day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY ? v * WEEKEND : v;
  }
}
