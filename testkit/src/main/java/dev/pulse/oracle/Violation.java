package dev.pulse.oracle;

/**
 * A rule of the {@code pulse.api.requests} contract that a record breaks, named as the contract
 * names the dead-letter reason for it (event-schemas/README.md, "Validation rules"), so a test
 * compares the oracle's verdict with a dead letter's {@code reason} by name. The oracle declares
 * them itself: it shares no type with the pipeline's codec.
 */
public enum Violation {
  /** The value is null or has no bytes. */
  EMPTY,
  /** The whole value is over 64 KiB, or a string is longer than its limit. */
  OVERSIZED,
  /** The value does not start with the single-object marker {@code C3 01}. */
  NOT_SINGLE_OBJECT,
  /** The value ends inside the header or inside a value of the body. */
  TRUNCATED,
  /** The fingerprint after the marker is not a released version of ApiRequestEvent. */
  UNKNOWN_FINGERPRINT,
  /** The body breaks the writer schema (bad index, negative length, invalid UTF-8, extra bytes). */
  MALFORMED,
  /** A string field without a schema default is empty. */
  MISSING_FIELD,
  /** A value is outside its range: event_id not a UUID, status, latency. */
  INVALID_VALUE,
  /** event_time before 2000-01-01, or more than a day after the ingest clock. */
  ABSURD_TIMESTAMP,
  /** event_time further ahead of the ingest clock than the consumer's bound (10 s). */
  FUTURE_EVENT_TIME
}
