package dev.pulse.flink.common;

import dev.pulse.events.codec.Text;
import dev.pulse.flink.sink.RowEncoder;
import dev.pulse.flink.sink.RowOut;
import java.util.Base64;
import java.util.Objects;

/**
 * A {@link DeadLetter} as a row of the ClickHouse table {@code dead_letters} (migrations 0009,
 * 0011), shared by every job: origin (the Kafka cluster, topic, partition, offset), reason,
 * message, the original bytes in base64 (a null Kafka value is stored as the empty string; its
 * dead-letter Kafka record keeps the null) and when it was detected, in whole seconds.
 */
public final class DeadLetterRowEncoder implements RowEncoder<DeadLetter> {

  private static final long serialVersionUID = 1L;

  private final String kafkaClusterId;

  /**
   * @param kafkaClusterId the id of the Kafka cluster the job reads ({@link KafkaClusterId#read}):
   *     part of every row's identity, as offsets repeat across clusters
   */
  public DeadLetterRowEncoder(String kafkaClusterId) {
    this.kafkaClusterId = Objects.requireNonNull(kafkaClusterId, "kafkaClusterId");
  }

  @Override
  public void encode(DeadLetter d, RowOut out) {
    out.string("kafka_cluster_id", kafkaClusterId)
        .string("source_topic", d.originTopic())
        .int32("partition", d.partition())
        .int64("offset", d.offset())
        .string("reason", d.reason())
        // Total on any message: a lone surrogate (from a cut somewhere upstream) is stored as
        // U+FFFD
        // rather than refused, which would fail the sink and the job on every replay.
        .string("message", Text.wellFormed(d.message()))
        .string(
            "value_base64", d.value() == null ? "" : Base64.getEncoder().encodeToString(d.value()))
        .dateTime("detected_at", Math.floorDiv(d.detectedAt().toEpochMilli(), 1000L));
  }
}
