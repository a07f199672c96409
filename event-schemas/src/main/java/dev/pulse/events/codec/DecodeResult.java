package dev.pulse.events.codec;

import java.util.Objects;

/**
 * The outcome of decoding one Kafka value: either a valid event ({@link Ok}) or the typed reason it
 * is not one ({@link Failure}). Decoding returns failures instead of throwing, so a bad record
 * costs no stack trace and cannot stop a pipeline.
 *
 * @param <T> the event type
 */
public sealed interface DecodeResult<T> permits DecodeResult.Ok, DecodeResult.Failure {

  /** A decoded, validated event. */
  record Ok<T>(T value) implements DecodeResult<T> {
    public Ok {
      Objects.requireNonNull(value, "value");
    }
  }

  /** Bytes that are not a valid event, and why. */
  record Failure<T>(DecodeError error) implements DecodeResult<T> {
    public Failure {
      Objects.requireNonNull(error, "error");
    }
  }

  /** Whether this is a valid event. */
  default boolean isOk() {
    return this instanceof Ok;
  }

  /** The event, or null when decoding failed. */
  default T valueOrNull() {
    return this instanceof Ok<T> ok ? ok.value() : null;
  }

  /** The error, or null when decoding succeeded. */
  default DecodeError errorOrNull() {
    return this instanceof Failure<T> failure ? failure.error() : null;
  }

  /**
   * The event.
   *
   * @throws IllegalStateException with the decode error's text when decoding failed
   */
  default T orElseThrow() {
    if (this instanceof Ok<T> ok) {
      return ok.value();
    }
    throw new IllegalStateException(errorOrNull().toString());
  }
}
