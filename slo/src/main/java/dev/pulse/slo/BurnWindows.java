package dev.pulse.slo;

import java.time.Duration;
import java.util.List;

/** The windows Pulse reports a burn rate over for every SLO, whatever its alert rows. */
public final class BurnWindows {

  /** 5m, 30m, 1h, 2h, 6h, 1d, 3d: every window of the workbook's table. */
  public static final List<Duration> ALL =
      List.of(
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(1),
          Duration.ofHours(2),
          Duration.ofHours(6),
          Duration.ofDays(1),
          Duration.ofDays(3));

  private BurnWindows() {}

  /** The window's short name: 5m, 30m, 1h, 2h, 6h, 1d, 3d. */
  public static String label(Duration window) {
    long minutes = window.toMinutes();
    if (minutes % (24 * 60) == 0) {
      return minutes / (24 * 60) + "d";
    }
    return minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
  }
}
