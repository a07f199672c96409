package dev.pulse.bench;

/**
 * A benchmark phase that could not finish (stalled, timed out, failed, or counted the wrong
 * number), with why.
 */
final class BenchException extends RuntimeException {
  BenchException(String message) {
    super(message);
  }

  BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
