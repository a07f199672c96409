package dev.pulse.api.series;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The width of one point of a series: each domain serves MINUTE from its minute facts, HOUR and DAY
 * from its hourly and daily rollups.
 */
public enum Granularity {
  /** One point per minute. */
  MINUTE(Duration.ofMinutes(1)),
  /** One point per hour. */
  HOUR(Duration.ofHours(1)),
  /** One point per UTC day. */
  DAY(Duration.ofDays(1));

  private final Duration width;

  Granularity(Duration width) {
    this.width = width;
  }

  public Duration width() {
    return width;
  }

  /** The start of the point that contains {@code t} (UTC). */
  public Instant floor(Instant t) {
    long w = width.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), w) * w);
  }

  /** {@code t} (whole seconds) rounded up to a point boundary: the end of the point it closes. */
  public Instant ceil(Instant t) {
    Instant start = floor(t);
    return start.equals(t) ? t : start.plus(width);
  }

  /**
   * The finest granularity whose default range covers {@code range}: up to 6 h by minute, up to 14
   * d by hour, else by day.
   */
  public static Granularity forRange(Duration range) {
    if (range.compareTo(Duration.ofHours(6)) <= 0) {
      return MINUTE;
    }
    if (range.compareTo(Duration.ofDays(14)) <= 0) {
      return HOUR;
    }
    return DAY;
  }

  static Instant ceilToSecond(Instant t) {
    Instant s = t.truncatedTo(ChronoUnit.SECONDS);
    return s.equals(t) ? s : s.plusSeconds(1);
  }
}
