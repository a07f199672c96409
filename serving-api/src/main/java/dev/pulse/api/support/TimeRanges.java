package dev.pulse.api.support;

import java.time.Duration;
import java.time.Instant;

/** The checks of a [from, to) argument pair that is not a series (no buckets to plan). */
public final class TimeRanges {

  /** The store's DateTime range (ClickHouse 18.16: 1970 .. 2105). */
  private static final Instant FIRST = Instant.EPOCH;

  private static final Instant LAST = Instant.parse("2105-12-31T23:59:59Z");

  private TimeRanges() {}

  /**
   * Refuses (BAD_REQUEST) a range that is empty, longer than {@code max} or outside the store's.
   */
  public static void check(Instant from, Instant to, Duration max) {
    if (!from.isBefore(to) || Duration.between(from, to).compareTo(max) > 0) {
      throw new InvalidArgumentException(
          "from must be before to, at most " + max.toDays() + " days apart");
    }
    if (from.isBefore(FIRST) || to.isAfter(LAST)) {
      throw new InvalidArgumentException("from and to must be within 1970-01-01 .. 2105-12-31");
    }
  }
}
