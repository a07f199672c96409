package dev.pulse.events.codec;

import java.util.Objects;

/**
 * Why bytes from a topic could not become a valid event: what dead-lettering records next to the
 * origin (topic, partition, offset).
 *
 * @param reason the class of failure, for counting and alerting
 * @param message what a person reads to understand this particular failure
 */
public record DecodeError(Reason reason, String message) {

  /** The classes of decoding failure; each has a stable name that dead letters store. */
  public enum Reason {
    /** No bytes at all (null or empty Kafka value). */
    EMPTY,
    /** The bytes end before the header or a value does. */
    TRUNCATED,
    /** The bytes do not start with the Avro single-object marker {@code C3 01}. */
    NOT_SINGLE_OBJECT,
    /** The writer schema's fingerprint is not a released version of this topic's record. */
    UNKNOWN_FINGERPRINT,
    /** The body does not follow the writer schema, or bytes remain after the record. */
    MALFORMED,
    /** A required field is empty. */
    MISSING_FIELD,
    /** A field's value is outside what the contract allows (bad UUID, status 700, UNKNOWN type). */
    INVALID_VALUE,
    /** The event time is before 2000 or too far in the future to be a real clock reading. */
    ABSURD_TIMESTAMP,
    /**
     * The event time is further ahead of the ingest clock than the consumer's bound (a job's {@code
     * max-future}): one fast producer must not move event time for everyone.
     */
    FUTURE_EVENT_TIME,
    /** The whole record or one of its strings is longer than its limit. */
    OVERSIZED
  }

  public DecodeError {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return reason + ": " + message;
  }
}
