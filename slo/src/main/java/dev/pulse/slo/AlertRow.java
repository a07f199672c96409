package dev.pulse.slo;

import java.time.Duration;

/**
 * The rows of the Google SRE workbook's multiwindow, multi-burn-rate alert table, for a 30-day SLO:
 * a row fires when the burn rate over both its long and its short window exceeds its threshold.
 */
public enum AlertRow {
  PAGE_FAST(14.4, Duration.ofHours(1), Duration.ofMinutes(5), "page"),
  PAGE_SLOW(6, Duration.ofHours(6), Duration.ofMinutes(30), "page"),
  TICKET_FAST(3, Duration.ofDays(1), Duration.ofHours(2), "ticket"),
  TICKET_SLOW(1, Duration.ofDays(3), Duration.ofHours(6), "ticket");

  private final double burnRate;
  private final Duration longWindow;
  private final Duration shortWindow;
  private final String severity;

  AlertRow(double burnRate, Duration longWindow, Duration shortWindow, String severity) {
    this.burnRate = burnRate;
    this.longWindow = longWindow;
    this.shortWindow = shortWindow;
    this.severity = severity;
  }

  public double burnRate() {
    return burnRate;
  }

  public Duration longWindow() {
    return longWindow;
  }

  public Duration shortWindow() {
    return shortWindow;
  }

  /** {@code page} or {@code ticket}. */
  public String severity() {
    return severity;
  }
}
