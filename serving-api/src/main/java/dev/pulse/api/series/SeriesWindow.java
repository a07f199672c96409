package dev.pulse.api.series;

import java.time.Instant;

/**
 * The whole buckets a series covers, [{@code from}, {@code to}): the first starts at the requested
 * {@code from} rounded down to the granularity, the last is the one that contains the requested
 * end, so {@code to} is the requested end rounded up to the granularity. {@code points} is the
 * number of buckets, the most the series can hold.
 */
public record SeriesWindow(Instant from, Instant to, Granularity granularity, long points) {

  /**
   * The last second of the window: SQL bounds use it ({@code <=}) because {@code to} itself can be
   * one second past what a ClickHouse DateTime literal may hold (a minute series ending at
   * 2105-12-31T23:59:59 covers up to 2106-01-01T00:00:00).
   */
  public Instant lastSecond() {
    return to.minusSeconds(1);
  }
}
