package dev.pulse.api.services;

import dev.pulse.api.config.PulseApiProperties;
import java.time.Duration;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Turns a series request's arguments into a {@link SeriesWindow} within the configured limits, or
 * refuses them with an {@link InvalidArgumentException} whose message says what to change.
 */
@Component
public class SeriesPlanner {

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
    long width = g.width().toSeconds();
    long points =
        Math.floorDiv(end.getEpochSecond() - alignedFrom.getEpochSecond() + width - 1, width);
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
    return new SeriesWindow(alignedFrom, end, g, points);
  }
}
