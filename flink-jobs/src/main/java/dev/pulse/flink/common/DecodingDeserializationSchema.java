package dev.pulse.flink.common;

import dev.pulse.events.codec.DecodeError;
import dev.pulse.events.codec.DecodeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.codec.EventValidator;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes and validates the Kafka records of one topic inside the source, with the event-schemas
 * codec: a valid event becomes a {@link Decoded} event (converted to the job's record type {@code
 * T}); anything else becomes a {@link Decoded} dead letter with the origin topic, partition and
 * offset, the reason and the original bytes. It never throws on input, so bad bytes cannot stop the
 * job.
 *
 * <p>Decoding here rather than in an operator after the source is what lets the source's
 * per-partition watermark generators see event time (see {@link DecodedWatermarks}); each record is
 * decoded exactly once. "Too far in the future" is judged against {@code clock} (the system clock
 * in production; a fixed clock in tests).
 *
 * @param <E> the topic's Avro value type
 * @param <T> the record type the job works with
 */
public final class DecodingDeserializationSchema<E extends SpecificRecord, T>
    implements KafkaRecordDeserializationSchema<Decoded<T>> {

  /** Turns a valid event into the job's record type; must not fail on a validated event. */
  @FunctionalInterface
  public interface Converter<E, T> extends Serializable {
    T convert(E event);
  }

  private final String topicName;
  private final Converter<E, T> converter;
  private final TypeInformation<Decoded<T>> producedType;
  private final Clock clock;
  private final Duration maxAhead;

  private transient EventCodec<E> codec;

  /** As the five-argument constructor, with only the contract's own future bound (one day). */
  public DecodingDeserializationSchema(
      Topic<E> topic,
      TypeInformation<Decoded<T>> producedType,
      Converter<E, T> converter,
      Clock clock) {
    this(topic, producedType, converter, clock, EventValidator.DEFAULT_MAX_FUTURE);
  }

  /**
   * @param topic the topic contract whose records this decodes (kept by name: {@link Topic} is not
   *     serializable; it is looked up again in {@link Topics#ALL} in {@link #open})
   * @param producedType the type information of {@code Decoded<T>} (a POJO type)
   * @param converter from the Avro event to the job's record
   * @param clock "now" for the validator's future bounds; must be serializable (the JDK's system
   *     and fixed clocks are)
   * @param maxAhead events further ahead of {@code clock} than this are dead letters ({@code
   *     FUTURE_EVENT_TIME}): no producer's clock can move event time further past the ingest clock
   */
  public DecodingDeserializationSchema(
      Topic<E> topic,
      TypeInformation<Decoded<T>> producedType,
      Converter<E, T> converter,
      Clock clock,
      Duration maxAhead) {
    this.topicName = topic.name();
    this.producedType = Objects.requireNonNull(producedType, "producedType");
    this.converter = Objects.requireNonNull(converter, "converter");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxAhead = Objects.requireNonNull(maxAhead, "maxAhead");
    if (!(clock instanceof Serializable)) {
      throw new IllegalArgumentException("the clock must be serializable, got " + clock.getClass());
    }
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    codec =
        EventCodec.forTopic(
            topic(topicName), EventValidator.withClock(clock).aheadAtMost(maxAhead));
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Decoded<T>> out) {
    out.collect(decode(record.topic(), record.partition(), record.offset(), record.value()));
  }

  /** The event or dead letter of the record at {@code topic}/{@code partition}/{@code offset}. */
  public Decoded<T> decode(String topic, int partition, long offset, byte[] value) {
    if (codec == null) {
      throw new IllegalStateException("open() was not called");
    }
    DecodeResult<E> result = codec.decode(value);
    if (result instanceof DecodeResult.Ok<E> ok) {
      return Decoded.ofEvent(topic, partition, offset, converter.convert(ok.value()));
    }
    DecodeError error = result.errorOrNull();
    return Decoded.ofDeadLetter(
        new DeadLetter(
            topic,
            partition,
            offset,
            error.reason().name(),
            error.message(),
            value,
            clock.instant()));
  }

  @Override
  public TypeInformation<Decoded<T>> getProducedType() {
    return producedType;
  }

  @SuppressWarnings("unchecked")
  private static <E extends SpecificRecord> Topic<E> topic(String name) {
    return (Topic<E>)
        Topics.ALL.stream()
            .filter(t -> t.name().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no topic contract named " + name));
  }
}
