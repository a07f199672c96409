package dev.pulse.flink.probes;

import dev.pulse.events.ProbeResult;
import dev.pulse.events.codec.DecodeError;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.common.DecodingDeserializationSchema;
import dev.pulse.flink.probes.records.ProbeCheck;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes probe results in the Kafka source: the shared {@link DecodingDeserializationSchema} (the
 * contract's codec and rules, dead letters with their origin), then the job's own rule ({@link
 * ProbeCheck#problem}: a latency of an hour or more, a blank target or region), which turns an
 * otherwise valid result into a dead letter ({@code INVALID_VALUE}) with its original bytes. Never
 * throws on input.
 */
public final class ProbeDecoding implements KafkaRecordDeserializationSchema<Decoded<ProbeCheck>> {

  private static final long serialVersionUID = 1L;

  private final DecodingDeserializationSchema<ProbeResult, ProbeCheck> contract;
  private final Clock clock;

  /**
   * @param clock "now" for the contract's future bounds and the dead letters' detection time
   *     (serializable: the JDK's system and fixed clocks are)
   * @param maxAhead results further ahead of {@code clock} are dead letters ({@code
   *     FUTURE_EVENT_TIME})
   */
  public ProbeDecoding(Clock clock, Duration maxAhead) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.contract =
        new DecodingDeserializationSchema<>(
            Topics.PROBES, ProbeJob.DECODED_TYPE, ProbeCheck::of, clock, maxAhead);
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) throws Exception {
    contract.open(context);
  }

  @Override
  public void deserialize(
      ConsumerRecord<byte[], byte[]> record, Collector<Decoded<ProbeCheck>> out) {
    out.collect(decode(record.topic(), record.partition(), record.offset(), record.value()));
  }

  /** The result or dead letter of the record at {@code topic}/{@code partition}/{@code offset}. */
  public Decoded<ProbeCheck> decode(String topic, int partition, long offset, byte[] value) {
    Decoded<ProbeCheck> decoded = contract.decode(topic, partition, offset, value);
    if (!decoded.isEvent()) {
      return decoded;
    }
    String problem = decoded.event().problem();
    if (problem == null) {
      return decoded;
    }
    return Decoded.ofDeadLetter(
        new DeadLetter(
            topic,
            partition,
            offset,
            DecodeError.Reason.INVALID_VALUE.name(),
            problem,
            value,
            clock.instant()));
  }

  @Override
  public TypeInformation<Decoded<ProbeCheck>> getProducedType() {
    return ProbeJob.DECODED_TYPE;
  }
}
