package dev.pulse.flink.sink;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one ClickHouse operation under a {@link RetryPolicy}: waits and tries again on transient
 * failures.
 */
final class Retrying {
  private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);

  /** One try of the operation; {@code attempt} starts at 1. */
  @FunctionalInterface
  interface Attempt<R> {
    R run(int attempt) throws IOException, InterruptedException;
  }

  /** The operation's result and how many retries it took. */
  record Outcome<R>(R result, int retries) {}

  private Retrying() {}

  static <R> Outcome<R> run(RetryPolicy policy, String what, Attempt<R> attempt)
      throws IOException, InterruptedException {
    for (int n = 1; ; n++) {
      try {
        return new Outcome<>(attempt.run(n), n - 1);
      } catch (IOException | RuntimeException e) {
        if (!policy.shouldRetry(n, e)) {
          String verdict =
              policy.isTransient(e) ? "gave up after " + n + " attempts" : "not retryable";
          throw new IOException(what + " failed (" + verdict + "): " + e.getMessage(), e);
        }
        long waitMillis = policy.backoffBeforeRetry(n).toMillis();
        LOG.warn(
            "{} failed (attempt {} of {}), retrying in {} ms: {}",
            what,
            n,
            policy.maxAttempts(),
            waitMillis,
            e.toString());
        Thread.sleep(waitMillis);
      }
    }
  }
}
