package dev.pulse.launcher;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * What the demo started, stopped in the reverse order and reported step by step: the feeder, then
 * the job (with a savepoint) and the API, then ClickHouse and Kafka last, so nothing stops before
 * what writes to it.
 *
 * <p>Ctrl-C in a terminal sends SIGINT to the whole foreground process group. The demo handles
 * SIGINT and SIGTERM itself instead of letting the JVM shut down: during a JVM shutdown Flink's,
 * Pekko's and log4j's own exit hooks run at the same time as ours and tear the job down before its
 * savepoint. (The servers the demo starts as processes run in process groups of their own, so the
 * signal reaches only this JVM.) {@code sun.misc.Signal} is the JDK's only way to handle a signal
 * without a shutdown (jdk.unsupported, present in every JDK).
 */
final class OrderedStop {

  private final Deque<Step> steps = new ArrayDeque<>();
  private final CountDownLatch requested = new CountDownLatch(1);
  private final PrintWriter out;

  private record Step(String name, AutoCloseable resource) {}

  OrderedStop(PrintWriter out) {
    this.out = out;
  }

  /**
   * Stops in order on SIGINT (Ctrl-C) and SIGTERM. A second signal while stopping stops at once:
   * the child servers (in process groups of their own, so the terminal's signal never reached them)
   * are killed, then the JVM halts.
   */
  OrderedStop onSignals() {
    for (String signal : new String[] {"INT", "TERM"}) {
      Signal.handle(
          new Signal(signal),
          s -> {
            if (requested.getCount() > 0) {
              requested.countDown();
            } else {
              out.println("Second " + s.getName() + ": stopping at once.");
              out.flush();
              ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
              Runtime.getRuntime().halt(130);
            }
          });
    }
    return this;
  }

  /** {@code resource} will be closed before everything added earlier. */
  synchronized <T extends AutoCloseable> T add(String name, T resource) {
    steps.push(new Step(name, resource));
    return resource;
  }

  /** Blocks until a signal asks the demo to stop. */
  void awaitRequest() throws InterruptedException {
    requested.await();
  }

  /**
   * Closes every step, last added first, each reported with its time; failures are reported too.
   */
  synchronized void stopAll() {
    if (steps.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    out.println();
    out.println("Stopping Pulse...");
    out.flush();
    while (!steps.isEmpty()) {
      Step step = steps.pop();
      long t = System.nanoTime();
      try {
        step.resource().close();
        out.printf(
            Locale.ROOT, "  stopped %s (%.1f s)%n", step.name(), (System.nanoTime() - t) / 1e9);
      } catch (Exception e) {
        out.printf(Locale.ROOT, "  %s did not stop cleanly: %s%n", step.name(), e);
      }
      out.flush();
    }
    out.printf(Locale.ROOT, "Pulse stopped in %.1f s.%n", (System.nanoTime() - start) / 1e9);
    out.flush();
  }
}
