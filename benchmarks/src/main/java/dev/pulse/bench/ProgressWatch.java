package dev.pulse.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Follows one phase's count towards its target: prints a progress line every few seconds, notes
 * when the first record or row was seen (so start-up can be left out of the steady rate), and fails
 * the phase when the count stops moving for the stall limit or the phase outlives its timeout.
 */
final class ProgressWatch {

  /** The target of a phase whose count is not known in advance: progress lines show the count. */
  static final long UNKNOWN = Long.MAX_VALUE;

  private final String phase;
  private final long target;
  private final long timeoutNanos;
  private final long stallNanos;
  private final long printEveryNanos;
  private final PrintWriter out;
  private final long startNanos = System.nanoTime();

  private long firstNanos = -1;
  private long firstCount;
  private long lastCount;
  private long lastMoveNanos = startNanos;
  private long lastPrintNanos = startNanos;
  private long lastPrintCount;
  private long reachedNanos = -1;
  private long doneNanos = -1;

  ProgressWatch(
      String phase,
      long target,
      Duration timeout,
      Duration stallLimit,
      Duration printEvery,
      PrintWriter out) {
    this.phase = phase;
    this.target = target;
    this.timeoutNanos = timeout.toNanos();
    this.stallNanos = stallLimit.toNanos();
    this.printEveryNanos = printEvery.toNanos();
    this.out = out;
  }

  /**
   * Records the count now; returns true once it has reached the target.
   *
   * @throws BenchException when the count has not moved for the stall limit, or the phase's time is
   *     up
   */
  boolean update(long count) {
    long now = System.nanoTime();
    if (count > 0 && firstNanos < 0) {
      firstNanos = now;
      firstCount = count;
    }
    if (count != lastCount) {
      lastCount = count;
      lastMoveNanos = now;
    }
    if (now - lastPrintNanos >= printEveryNanos) {
      double rate = (count - lastPrintCount) / ((now - lastPrintNanos) / 1e9);
      if (target == UNKNOWN) {
        out.printf(Locale.ROOT, "[bench] %-8s %,13d  (%,.0f/s)%n", phase, count, rate);
      } else {
        out.printf(
            Locale.ROOT, "[bench] %-8s %,13d / %,d  (%,.0f/s)%n", phase, count, target, rate);
      }
      out.flush();
      lastPrintNanos = now;
      lastPrintCount = count;
    }
    if (count >= target) {
      if (reachedNanos < 0) {
        reachedNanos = now;
      }
      return true;
    }
    if (now - lastMoveNanos > stallNanos) {
      throw new BenchException(
          String.format(
              Locale.ROOT,
              "%s stalled: no progress for %d s at %,d of %,d",
              phase,
              stallNanos / 1_000_000_000L,
              count,
              target));
    }
    if (now - startNanos > timeoutNanos) {
      throw new BenchException(
          String.format(
              Locale.ROOT,
              "%s timed out after %d s at %,d of %,d",
              phase,
              timeoutNanos / 1_000_000_000L,
              count,
              target));
    }
    return false;
  }

  /**
   * Marks the moment the phase's first input arrived, when that comes before its counted output
   * (the loader's first record, long before its first inserted batch): the steady rate starts here.
   */
  void firstSeen() {
    if (firstNanos < 0) {
      firstNanos = System.nanoTime();
      firstCount = 0;
    }
  }

  /**
   * Marks the phase done now, when it waited for more than the count (Pulse's minute facts): the
   * steady rate still ends when the count reached the target, the elapsed time ends here.
   */
  void done() {
    doneNanos = System.nanoTime();
  }

  /** The phase's timing and rates for {@code events} events (the target, once reached). */
  PhaseResult result(long events, ResourceMeter.Usage usage, Map<String, Object> details) {
    long reached = reachedNanos < 0 ? System.nanoTime() : reachedNanos;
    long end = doneNanos < 0 ? reached : doneNanos;
    double elapsed = (end - startNanos) / 1e9;
    double startup = firstNanos < 0 ? elapsed : (firstNanos - startNanos) / 1e9;
    double steadySeconds = firstNanos < 0 ? 0 : (reached - firstNanos) / 1e9;
    // The first observation already includes firstCount events: they are start-up's, not the steady
    // span's.
    double overall = elapsed <= 0 ? 0 : events / elapsed;
    // When everything arrived at once (a tiny run: one poll, one batch) there is no steady span to
    // measure.
    double steady =
        steadySeconds <= 0 || events - firstCount <= 0
            ? overall
            : (events - firstCount) / steadySeconds;
    return new PhaseResult(phase, events, startup, elapsed, steady, overall, usage, details);
  }

  /**
   * The time limit of a phase moving {@code events}: two minutes plus 10,000 events/s, generous for
   * a 2-core machine.
   */
  static Duration timeoutFor(long events) {
    return Duration.ofSeconds(120 + events / 10_000);
  }
}
