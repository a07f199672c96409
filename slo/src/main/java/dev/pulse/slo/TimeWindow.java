package dev.pulse.slo;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The window an SLO's budget is counted over: a rolling number of days, or the calendar month (UTC)
 * so far.
 *
 * @param rolling the rolling window's length; null for a calendar month
 */
public record TimeWindow(Duration rolling) implements Serializable {

  public static TimeWindow rollingDays(int days) {
    return new TimeWindow(Duration.ofDays(days));
  }

  public static TimeWindow calendarMonth() {
    return new TimeWindow(null);
  }

  public boolean isCalendarMonth() {
    return rolling == null;
  }

  /**
   * The length alert windows scale by ({@link AlertWindow}): the rolling length, or 30 days for a
   * calendar month (the workbook's month, whatever the month's length).
   */
  public Duration period() {
    return rolling == null ? AlertWindow.WORKBOOK_PERIOD : rolling;
  }

  /**
   * Where the window ending at {@code endMs} (exclusive, epoch milliseconds) starts: {@code
   * rolling} before it, or at the start of the UTC month of its last millisecond.
   */
  public long startMs(long endMs) {
    if (rolling != null) {
      return endMs - rolling.toMillis();
    }
    LocalDate day = Instant.ofEpochMilli(endMs - 1).atZone(ZoneOffset.UTC).toLocalDate();
    return day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** The longest this window can be: a rolling length, or 31 days. */
  public Duration longest() {
    return rolling == null ? Duration.ofDays(31) : rolling;
  }
}
