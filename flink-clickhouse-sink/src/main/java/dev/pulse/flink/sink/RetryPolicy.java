package dev.pulse.flink.sink;

import com.clickhouse.client.api.ClientException;
import com.clickhouse.client.api.ConnectionInitiationException;
import dev.pulse.clickhouse.ClickHouseErrors;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * When and how often a failed INSERT (or commit) is tried again: bounded attempts, exponential
 * backoff, and which failures are transient.
 *
 * <p>Transient: the server could not be reached or the connection broke (any {@link IOException} in
 * the cause chain, {@link ConnectionInitiationException}), or the server answered with one of
 * {@link #retryableServerCodes()} (by default overload and timeouts: too many parts, too many
 * queries, memory limit, network/socket timeouts, unknown insert status). Everything else (a bad
 * row, a missing column) fails at once: retrying cannot fix it, and failing the job keeps the rows
 * in Kafka for a fix.
 *
 * @param maxAttempts total tries of one batch, at least 1 (1 = no retry)
 * @param initialBackoff wait before the first retry
 * @param maxBackoff cap of the wait between tries
 * @param multiplier growth of the wait per retry, at least 1
 * @param retryableServerCodes ClickHouse error codes worth retrying
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    Set<Integer> retryableServerCodes)
    implements Serializable {

  /**
   * ClickHouse error codes that mean "try again later": 159 TIMEOUT_EXCEEDED, 202
   * TOO_MANY_SIMULTANEOUS_QUERIES, 203 NO_FREE_CONNECTION, 209 SOCKET_TIMEOUT, 210 NETWORK_ERROR,
   * 241 MEMORY_LIMIT_EXCEEDED, 242 TABLE_IS_READ_ONLY, 252 TOO_MANY_PARTS, 319
   * UNKNOWN_STATUS_OF_INSERT, 425 SYSTEM_ERROR.
   */
  public static final Set<Integer> DEFAULT_RETRYABLE_SERVER_CODES =
      Set.of(159, 202, 203, 209, 210, 241, 242, 252, 319, 425);

  /**
   * ClickHouse's UNKNOWN_TABLE: retryable only when the table may appear later (migrations still
   * running).
   */
  public static final int UNKNOWN_TABLE = ClickHouseErrors.UNKNOWN_TABLE;

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "need 0 <= initialBackoff <= maxBackoff, got " + initialBackoff + ", " + maxBackoff);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException(
          "multiplier must be a finite number >= 1, got " + multiplier);
    }
    // A sorted, serializable copy: the policy travels inside the sink.
    retryableServerCodes = Collections.unmodifiableSet(new TreeSet<>(retryableServerCodes));
  }

  /**
   * 5 attempts, waits 200 ms, 400 ms, 800 ms, 1.6 s (at most 10 s): rides out a server restart of a
   * few seconds.
   */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        5, Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, DEFAULT_RETRYABLE_SERVER_CODES);
  }

  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialBackoff, maxBackoff, multiplier, retryableServerCodes);
  }

  public RetryPolicy withBackoff(Duration initial, Duration max, double growth) {
    return new RetryPolicy(maxAttempts, initial, max, growth, retryableServerCodes);
  }

  /** This policy, also retrying the given server error codes (e.g. {@link #UNKNOWN_TABLE}). */
  public RetryPolicy alsoRetrying(int... serverCodes) {
    Set<Integer> codes = new TreeSet<>(retryableServerCodes);
    for (int code : serverCodes) {
      codes.add(code);
    }
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, codes);
  }

  /**
   * The wait before retry number {@code retry} (1 = the first retry): initial x
   * multiplier^(retry-1), capped.
   */
  public Duration backoffBeforeRetry(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
    }
    double millis = initialBackoff.toMillis() * Math.pow(multiplier, retry - 1);
    return millis >= maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis((long) millis);
  }

  /**
   * True when {@code attempt} tries have failed with {@code failure} and another try is allowed and
   * may help.
   */
  public boolean shouldRetry(int attempt, Throwable failure) {
    return attempt < maxAttempts && isTransient(failure);
  }

  /** Whether {@code failure} is worth retrying at all (see the class comment). */
  public boolean isTransient(Throwable failure) {
    // The server's own error code decides, whatever carried it.
    if (retryableServerCodes.contains(ClickHouseErrors.codeOf(failure))) {
      return true;
    }
    if (ClickHouseErrors.serverAnswered(failure)) {
      // The server understood the request and refused it for a reason retrying cannot fix.
      return false;
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException || t instanceof ConnectionInitiationException) {
        return true;
      }
      if (t instanceof ClientException
          && t.getMessage() != null
          && t.getMessage().contains("timeout")) {
        return true;
      }
    }
    return false;
  }
}
