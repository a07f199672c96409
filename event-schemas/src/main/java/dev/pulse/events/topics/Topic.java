package dev.pulse.events.topics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The contract of one Kafka topic: its name, what its records are keyed by, the Avro type of their
 * values (single-object encoded), where records that cannot be processed go, and how Kafka creates
 * both topics when they are missing ({@link Topics#ensure}).
 *
 * @param name the Kafka topic name
 * @param valueType the generated Avro class of record values
 * @param schema the current (newest released) writer schema of the values
 * @param keyField the name of the value field whose text is the record key
 * @param key extracts the record key from a value; producers must use it so ordering holds
 * @param deadLetterTopic the topic that receives this topic's undecodable or invalid records
 * @param creation partitions and topic configs of this topic when it is created
 * @param deadLetterCreation partitions and topic configs of the dead-letter topic when it is
 *     created
 */
public record Topic<T extends SpecificRecord>(
    String name,
    Class<T> valueType,
    Schema schema,
    String keyField,
    Function<T, String> key,
    String deadLetterTopic,
    TopicCreation creation,
    TopicCreation deadLetterCreation) {

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(valueType, "valueType");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(keyField, "keyField");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(creation, "creation");
    Objects.requireNonNull(deadLetterCreation, "deadLetterCreation");
    if (schema.getField(keyField) == null) {
      throw new IllegalArgumentException(
          "key field " + keyField + " is not a field of " + schema.getFullName());
    }
  }

  /** The key this topic's producers must use for {@code value}. */
  public String keyOf(T value) {
    return key.apply(value);
  }

  /** This topic and its dead-letter topic, in that order, each with how it is created. */
  public Map<String, TopicCreation> withDeadLetterTopic() {
    Map<String, TopicCreation> both = new LinkedHashMap<>();
    both.put(name, creation);
    both.put(deadLetterTopic, deadLetterCreation);
    return both;
  }

  @Override
  public String toString() {
    return name;
  }
}
