package dev.pulse.flink.common;

import dev.pulse.events.topics.Topic;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.common.config.StreamSemantics;
import java.time.Clock;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Every job's Kafka ends: the decoding source of one topic, and the dead-letter topic's sink. */
public final class DecodedKafka {

  private DecodedKafka() {}

  /**
   * The Kafka source over {@link KafkaSettings#topic} (records following {@code contract}),
   * decoding in the source and judging "the future" by {@code ingestClock}; bounded when {@code
   * kafka.bounded}.
   */
  public static <E extends SpecificRecord, T> KafkaSource<Decoded<T>> source(
      KafkaSettings kafka,
      StreamSemantics semantics,
      Topic<E> contract,
      TypeInformation<Decoded<T>> decodedType,
      DecodingDeserializationSchema.Converter<E, T> converter,
      Clock ingestClock) {
    KafkaSourceBuilder<Decoded<T>> source =
        KafkaSource.<Decoded<T>>builder()
            .setBootstrapServers(kafka.bootstrapServers())
            .setGroupId(kafka.groupId())
            .setTopics(kafka.topic())
            // Restores take offsets from the checkpoint; a first start reads the topic from the
            // start.
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(
                new DecodingDeserializationSchema<>(
                    contract, decodedType, converter, ingestClock, semantics.maxFuture()));
    if (kafka.bounded()) {
      // Ends at the offsets that are the latest at start: at the end of input every timer and
      // window fires, and the final checkpoint commits the last facts before the job finishes.
      source.setBounded(OffsetsInitializer.latest());
    }
    return source.build();
  }

  /**
   * Dead letters to the configured dead-letter topic, at least once (a replayed dead letter is
   * harmless: its origin headers identify it). Not in a Kafka transaction: the Kafka connector
   * 5.0.0-2.2's exactly-once producer calls {@code TransactionalRequestResult.await()}, which
   * kafka-clients 4.3.1 no longer has (NoSuchMethodError at the first checkpoint). So a record
   * refused for its clock and judged valid after a restore can stay on the topic; the {@code
   * dead_letters} table, written after the checkpoint, never keeps it (flink-jobs README).
   */
  public static KafkaSink<DeadLetter> deadLetterSink(KafkaSettings kafka) {
    return KafkaSink.<DeadLetter>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setRecordSerializer(new DeadLetterSerializationSchema(kafka.deadLetterTopic()))
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }
}
