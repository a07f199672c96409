package dev.pulse.slo;

import java.time.Duration;

/**
 * The window an SLO's budget is counted over: a rolling number of days, or the calendar month (UTC)
 * so far.
 *
 * @param rolling the rolling window's length; null for a calendar month
 */
public record TimeWindow(Duration rolling) {

  public static TimeWindow rollingDays(int days) {
    return new TimeWindow(Duration.ofDays(days));
  }

  public static TimeWindow calendarMonth() {
    return new TimeWindow(null);
  }

  public boolean isCalendarMonth() {
    return rolling == null;
  }
}
