package dev.pulse.oracle;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The time buckets the oracle aggregates into: UTC minutes, hours and days of event time. */
public enum Grain {
  MINUTE(ChronoUnit.MINUTES),
  HOUR(ChronoUnit.HOURS),
  DAY(ChronoUnit.DAYS);

  private final ChronoUnit unit;

  Grain(ChronoUnit unit) {
    this.unit = unit;
  }

  /**
   * The start of the bucket containing {@code t}: 10:00:59.999 is in minute 10:00, 10:01:00.000 in
   * 10:01.
   */
  public Instant truncate(Instant t) {
    return t.truncatedTo(unit);
  }
}
