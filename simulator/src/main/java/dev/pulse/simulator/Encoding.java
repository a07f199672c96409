package dev.pulse.simulator;

import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Encodes events to Kafka values with each topic's {@link EventCodec} (Avro single-object). */
final class Encoding {

  private static final Map<String, EventCodec<?>> CODECS = new HashMap<>();

  static {
    for (Topic<?> t : Topics.ALL) {
      CODECS.put(t.name(), EventCodec.forTopic(t));
    }
  }

  private Encoding() {}

  @SuppressWarnings("unchecked")
  static byte[] encode(Topic<?> topic, SpecificRecord event) {
    EventCodec<SpecificRecord> codec = (EventCodec<SpecificRecord>) CODECS.get(topic.name());
    if (codec == null) {
      throw new IllegalArgumentException("no codec for topic " + topic.name());
    }
    return codec.encode(event);
  }
}
