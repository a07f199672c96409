package dev.pulse.flink.slo.sinks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.flink.slo.records.AlertChange;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * An alert state change as a Kafka record: key {@code tenant/slo/row} (a row's changes stay in
 * order), value one JSON object (docs/slo.md, "Alert topic").
 */
public final class AlertChangeSerialization implements KafkaRecordSerializationSchema<AlertChange> {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String topic;

  public AlertChangeSerialization(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      AlertChange a, KafkaSinkContext context, Long timestamp) {
    String key = a.tenantId() + "/" + a.slo() + "/" + a.row();
    return new ProducerRecord<>(
        topic,
        null,
        a.atMs(),
        key.getBytes(StandardCharsets.UTF_8),
        json(a).getBytes(StandardCharsets.UTF_8));
  }

  /** The record's value. */
  public static String json(AlertChange a) {
    ObjectNode o = JSON.createObjectNode();
    o.put("tenant", a.tenantId())
        .put("slo", a.slo())
        .put("service", a.service())
        .put("row", a.row())
        .put("severity", a.severity())
        .put("state", a.state())
        .put("at", Instant.ofEpochMilli(a.atMs()).toString())
        .put("since", Instant.ofEpochMilli(a.sinceMs()).toString())
        .put("threshold", a.threshold())
        .put("longWindowMinutes", a.longWindowMinutes())
        .put("shortWindowMinutes", a.shortWindowMinutes())
        .put("burnLong", a.burnLong())
        .put("burnShort", a.burnShort())
        .put("objective", a.objective());
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an alert change is always JSON", e);
    }
  }
}
