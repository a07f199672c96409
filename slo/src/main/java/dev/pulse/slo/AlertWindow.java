package dev.pulse.slo;

import java.io.Serializable;
import java.time.Duration;

/**
 * One row of the alert table as an SLO applies it: the row's windows scaled to the SLO's period as
 * Sloth does (each window times period / 30 days, so a row still means the same share of the budget
 * spent), rounded to whole minutes, at least one; the burn-rate threshold is the row's.
 *
 * @param row the workbook row
 * @param longWindow the scaled long window
 * @param shortWindow the scaled short window
 */
public record AlertWindow(AlertRow row, Duration longWindow, Duration shortWindow)
    implements Serializable {

  /** The period the workbook's table is written for. */
  public static final Duration WORKBOOK_PERIOD = Duration.ofDays(30);

  /** {@code row} scaled to an SLO period of {@code period}. */
  public static AlertWindow of(AlertRow row, Duration period) {
    return new AlertWindow(row, scale(row.longWindow(), period), scale(row.shortWindow(), period));
  }

  /** The burn rate both windows must exceed. */
  public double burnRate() {
    return row.burnRate();
  }

  /** The share of the period's budget spent over the long window at the threshold rate. */
  public double budgetShare(Duration period) {
    return row.burnRate() * longWindow.toMinutes() / (double) period.toMinutes();
  }

  static Duration scale(Duration window, Duration period) {
    long minutes =
        Math.round(window.toMinutes() * (double) period.toMinutes() / WORKBOOK_PERIOD.toMinutes());
    return Duration.ofMinutes(Math.max(1, minutes));
  }
}
