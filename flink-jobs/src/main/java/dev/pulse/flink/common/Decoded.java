package dev.pulse.flink.common;

import java.util.Objects;

/**
 * One Kafka record after decoding in the source: either the valid event, converted to the job's
 * record type, or the {@link DeadLetter} it became, with the record's origin either way. One
 * element type for both, so the source decodes each record exactly once and its per-partition
 * watermarks see every record in Kafka order; the job splits the two kinds right after the source
 * ({@link SplitDecoded}).
 *
 * <p>A record with named fields (one of them null), so Flink serializes it with its POJO serializer
 * rather than Kryo.
 *
 * @param topic the topic it was read from
 * @param partition its partition
 * @param offset its offset in that partition
 * @param event the decoded, validated event, or null for a dead letter
 * @param deadLetter why it is not a valid event, with its bytes, or null for an event
 * @param <T> the job's record type
 */
public record Decoded<T>(String topic, int partition, long offset, T event, DeadLetter deadLetter) {

  public Decoded {
    if ((event == null) == (deadLetter == null)) {
      throw new IllegalArgumentException("exactly one of event and deadLetter is set");
    }
  }

  /** A valid event read from {@code topic}/{@code partition} at {@code offset}. */
  public static <T> Decoded<T> ofEvent(String topic, int partition, long offset, T event) {
    return new Decoded<>(topic, partition, offset, Objects.requireNonNull(event, "event"), null);
  }

  /** A record that became a dead letter (which carries its own origin). */
  public static <T> Decoded<T> ofDeadLetter(DeadLetter letter) {
    return new Decoded<>(letter.originTopic(), letter.partition(), letter.offset(), null, letter);
  }

  /** Whether this is a valid event (otherwise a dead letter). */
  public boolean isEvent() {
    return event != null;
  }
}
