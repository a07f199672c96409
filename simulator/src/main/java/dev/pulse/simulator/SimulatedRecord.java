package dev.pulse.simulator;

import dev.pulse.events.topics.Topic;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record as delivered to Kafka (or written as a JSON line): topic, key, value bytes, and what
 * the simulator did to it, so tests know what a correct pipeline must make of it.
 *
 * <p>{@code value} is the Avro single-object encoding for valid records; arrays compare by
 * identity, so compare values with {@link java.util.Arrays#equals(byte[], byte[])}.
 *
 * @param topic the topic it is sent to
 * @param key the Kafka key (the original event's key, also for malformed records)
 * @param value the bytes sent as the Kafka value
 * @param eventTime the event time of the (original) event
 * @param kind what happened to it on the way
 * @param malformedKind how it is malformed; null unless kind is MALFORMED
 * @param event the decoded event; null for MALFORMED records, which the oracle must never count
 */
public record SimulatedRecord(
    Topic<?> topic,
    String key,
    byte[] value,
    Instant eventTime,
    Kind kind,
    MalformedKind malformedKind,
    SpecificRecord event) {

  /** What the simulator did to a delivered record. */
  public enum Kind {
    /** Delivered once, in event-time order. */
    ORIGINAL,
    /** A second delivery of an already delivered event: same event_id, same bytes. */
    DUPLICATE,
    /** Delivered 1-20 s of event time after its place: within the pipeline's allowed lateness. */
    OUT_OF_ORDER,
    /** Delivered 10-30 min of event time after its place: beyond the allowed lateness. */
    LATE,
    /** Not a valid event: the pipeline must dead-letter it. */
    MALFORMED
  }

  /** The ways a malformed record is broken. */
  public enum MalformedKind {
    /** A valid encoding cut short. */
    TRUNCATED,
    /** Random bytes without the single-object header. */
    RANDOM_BYTES,
    /** A valid header and body, but a schema fingerprint no released schema has. */
    UNKNOWN_FINGERPRINT,
    /**
     * Decodes fine, but a value is invalid: a non-UUID event_id (some over-long with an emoji at
     * character 63 or 64), status 999, an absurd event time.
     */
    INVALID_VALUES
  }

  public SimulatedRecord {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.MALFORMED) != (malformedKind != null)) {
      throw new IllegalArgumentException("malformedKind is set exactly for MALFORMED records");
    }
    if ((kind == Kind.MALFORMED) != (event == null)) {
      throw new IllegalArgumentException("event is null exactly for MALFORMED records");
    }
  }

  /** Whether the record carries a valid event (every kind but MALFORMED). */
  public boolean isValid() {
    return kind != Kind.MALFORMED;
  }
}
