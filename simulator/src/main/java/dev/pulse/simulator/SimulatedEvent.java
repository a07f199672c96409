package dev.pulse.simulator;

import dev.pulse.events.topics.Topic;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One original event the simulated platform produced, before any stream damage: the typed Avro
 * value, the topic it belongs to, its Kafka key (from {@link Topic#keyOf}) and its event time.
 */
public record SimulatedEvent(Topic<?> topic, String key, Instant eventTime, SpecificRecord event) {

  public SimulatedEvent {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(event, "event");
  }

  /** Wraps {@code event}, taking the key from the topic's contract. */
  static <T extends SpecificRecord> SimulatedEvent of(Topic<T> topic, T event, long epochMillis) {
    return new SimulatedEvent(topic, topic.keyOf(event), Instant.ofEpochMilli(epochMillis), event);
  }

  long epochMillis() {
    return eventTime.toEpochMilli();
  }
}
