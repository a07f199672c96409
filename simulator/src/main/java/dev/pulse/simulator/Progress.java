package dev.pulse.simulator;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Prints a progress line every few seconds of wall-clock time while records are written: total,
 * recent rate, per-domain counts and fault counts. Wall-clock time is used only here and in pacing,
 * never in what is generated.
 */
public final class Progress {

  private final PrintWriter out;
  private final long everyNanos;
  private final long startNanos;
  private long lastNanos;
  private long lastCount;
  private final long[] byDomain = new long[Domain.values().length];
  private long sent;

  /** Prints to {@code out} every {@code every}; a null {@code out} prints nothing. */
  public Progress(PrintWriter out, Duration every) {
    this.out = out;
    this.everyNanos = every.toNanos();
    this.startNanos = System.nanoTime();
    this.lastNanos = startNanos;
  }

  /** A progress that prints nothing. */
  public static Progress silent() {
    return new Progress(null, Duration.ofDays(1));
  }

  /** Counts one written record of {@code stream} and prints a line when one is due. */
  void count(SimulatedRecord r, Simulator.RecordStream stream) {
    sent++;
    byDomain[Domain.ofTopic(r.topic()).ordinal()]++;
    if (out != null && (sent & 1023) == 0) {
      long now = System.nanoTime();
      if (now - lastNanos >= everyNanos) {
        double rate = (sent - lastCount) / ((now - lastNanos) / 1e9);
        out.println(line(rate, stream.report()));
        out.flush();
        lastNanos = now;
        lastCount = sent;
      }
    }
  }

  /** Records counted so far. */
  public long sent() {
    return sent;
  }

  /** Average rate since the start, in records per second. */
  public double averageRate() {
    double secs = (System.nanoTime() - startNanos) / 1e9;
    return secs <= 0 ? 0 : sent / secs;
  }

  private String line(double rate, FaultReport report) {
    StringBuilder b =
        new StringBuilder(String.format(Locale.ROOT, "sent %,d events (%,.0f/s)", sent, rate));
    for (Domain d : Domain.values()) {
      if (byDomain[d.ordinal()] > 0) {
        b.append(String.format(Locale.ROOT, " %s=%,d", d.cliName(), byDomain[d.ordinal()]));
      }
    }
    b.append(
        String.format(
            Locale.ROOT,
            " faults: dup=%,d out-of-order=%,d late=%,d malformed=%,d",
            report.duplicates(),
            report.outOfOrder(),
            report.late(),
            report.malformed()));
    return b.toString();
  }
}
