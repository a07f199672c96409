package dev.pulse.api.series;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.support.InvalidArgumentException;
import java.time.Duration;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Turns a series request's arguments into a {@link SeriesWindow} within the configured limits, or
 * refuses them with an {@link InvalidArgumentException} whose message says what to change. A series
 * is made of whole buckets: every bucket that overlaps the requested [from, to) is served in full,
 * and the window says so (its from and to are rounded out to the granularity), because the facts
 * cannot be split below a bucket and a clipped, partial bucket would read as a dip.
 */
@Component
public class SeriesPlanner {

  /**
   * The store's DateTime ends here (ClickHouse 18.16's date tables end in 2105, and {@code
   * SqlLiteral} refuses later values, as it refuses times before 1970).
   */
  private static final Instant LAST_DATE_TIME = Instant.parse("2105-12-31T23:59:59Z");

  /**
   * The latest {@code to} by DAY: its days are read up to the Date after the range's last day,
   * which must still be a Date (at most 2105-12-31).
   */
  private static final Instant LAST_DAY_END = Instant.parse("2105-12-31T00:00:00Z");

  private final PulseApiProperties.Limits limits;

  public SeriesPlanner(PulseApiProperties properties) {
    this.limits = properties.limits();
  }

  public SeriesWindow plan(Instant from, Instant to, Granularity requested) {
    if (!from.isBefore(to)) {
      throw new InvalidArgumentException("from (" + from + ") must be before to (" + to + ")");
    }
    Duration range = Duration.between(from, to);
    if (range.compareTo(Duration.ofDays(limits.maxRangeDays())) > 0) {
      throw new InvalidArgumentException(
          "the range "
              + from
              + " .. "
              + to
              + " is longer than the limit of "
              + limits.maxRangeDays()
              + " days");
    }
    Granularity g = requested != null ? requested : Granularity.forRange(range);
    Instant alignedFrom = g.floor(from);
    Instant end = Granularity.ceilToSecond(to);
    Instant coveredTo = g.ceil(end);
    long points = Duration.between(alignedFrom, coveredTo).dividedBy(g.width());
    if (points > limits.maxPoints()) {
      throw new InvalidArgumentException(
          "the range "
              + from
              + " .. "
              + to
              + " holds "
              + points
              + " points at "
              + g
              + " granularity, more than the limit of "
              + limits.maxPoints()
              + ": choose a coarser granularity or a shorter range");
    }
    Instant last = g == Granularity.DAY ? LAST_DAY_END : LAST_DATE_TIME;
    if (alignedFrom.isBefore(Instant.EPOCH) || end.isAfter(last)) {
      throw new InvalidArgumentException(
          "the range "
              + from
              + " .. "
              + to
              + " is outside what the store holds at "
              + g
              + " granularity: from must be at or after "
              + Instant.EPOCH
              + " and to at or before "
              + last);
    }
    return new SeriesWindow(alignedFrom, coveredTo, g, points);
  }
}
