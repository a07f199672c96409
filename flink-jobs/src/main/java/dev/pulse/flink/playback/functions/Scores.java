package dev.pulse.flink.playback.functions;

/**
 * Mux Data's per-view scores as docs/qoe.md ("Scores") defines them: IEEE doubles, then rounded
 * half up to a thousandth of a point and kept as integer thousandths, so sums over views are exact.
 */
final class Scores {

  private Scores() {}

  /** {@code 8 / (8 + s) * 100}, {@code s} the startup time in seconds. */
  static int startup(long startupMs) {
    return thousandths(8.0 / (8.0 + startupMs / 1000.0) * 100);
  }

  /** The mean of {@code 100 / sqrt(1 + (n / 2)^2)} and {@code 100 * exp(-10 * r)}. */
  static int smoothness(int rebuffers, long rebufferMs, long viewMs) {
    double r = viewMs == 0 ? 0 : (double) rebufferMs / viewMs;
    double half = rebuffers / 2.0;
    return thousandths((100 / Math.sqrt(1 + half * half) + 100 * Math.exp(-10 * r)) / 2);
  }

  /** The mean of the scores that are there (-1: none), rounded to a thousandth of a point. */
  static int mean(int... scores) {
    long sum = 0;
    int n = 0;
    for (int s : scores) {
      if (s >= 0) {
        sum += s;
        n++;
      }
    }
    return thousandths((double) sum / n / 1000.0);
  }

  private static int thousandths(double points) {
    return (int) Math.floor(points * 1000 + 0.5);
  }
}
