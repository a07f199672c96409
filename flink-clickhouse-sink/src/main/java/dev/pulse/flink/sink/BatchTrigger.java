package dev.pulse.flink.sink;

import java.time.Duration;

/**
 * When an open batch must be sent: full by rows, full by bytes, or its oldest row has waited the
 * maximum delay. Pure arithmetic, so the policy is tested on its own.
 */
record BatchTrigger(int maxRows, int maxBytes, Duration maxDelay) {

  BatchTrigger {
    if (maxRows < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "batch limits must be positive: " + maxRows + " rows, " + maxBytes + " bytes");
    }
    if (maxDelay.isNegative() || maxDelay.isZero()) {
      throw new IllegalArgumentException("maxBatchDelay must be positive, got " + maxDelay);
    }
  }

  boolean isFull(int rows, int bytes) {
    return rows >= maxRows || bytes >= maxBytes;
  }

  /** The processing time at which a batch opened at {@code openedAt} is due. */
  long dueAt(long openedAt) {
    return openedAt + maxDelay.toMillis();
  }

  boolean isDue(long openedAt, long now) {
    return now >= dueAt(openedAt);
  }
}
