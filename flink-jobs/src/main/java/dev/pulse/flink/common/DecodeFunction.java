package dev.pulse.flink.common;

import dev.pulse.events.codec.DecodeError;
import dev.pulse.events.codec.DecodeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.codec.EventValidator;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates raw Kafka records of one topic with the event-schemas codec: a valid
 * event is converted to the job's record type {@code T} and emitted; anything else becomes a
 * {@link DeadLetter} on {@link #DEAD_LETTERS} (with the origin topic, partition and offset) and
 * is counted in the {@code deadLetters} metric. It never throws on input, so bad bytes cannot
 * stop the job.
 *
 * <p>"Too far in the future" is judged against the operator's processing time, so a test that
 * drives processing time also drives validation.
 *
 * @param <E> the topic's Avro value type
 * @param <T> the record type the job works with
 */
public final class DecodeFunction<E extends SpecificRecord, T> extends ProcessFunction<RawRecord, T>
    implements ResultTypeQueryable<T> {

  /** Records that are not valid events. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  /** Turns a valid event into the job's record type; must not fail on a validated event. */
  @FunctionalInterface
  public interface Converter<E, T> extends Serializable {
    T convert(E event);
  }

  private final String topicName;
  private final Converter<E, T> converter;
  private final Class<T> outputType;

  private transient EventCodec<E> codec;
  private transient SettableClock clock;
  private transient Counter deadLetters;

  /**
   * @param topic the topic whose records this decodes (by name: {@link Topic} is not
   *     serializable, it is looked up again in {@link Topics#ALL} on each task)
   * @param outputType the class of the converted records
   * @param converter from the Avro event to the job's record
   */
  public DecodeFunction(Topic<E> topic, Class<T> outputType, Converter<E, T> converter) {
    this.topicName = topic.name();
    this.outputType = Objects.requireNonNull(outputType, "outputType");
    this.converter = Objects.requireNonNull(converter, "converter");
  }

  @Override
  public void open(OpenContext openContext) {
    clock = new SettableClock();
    codec = EventCodec.forTopic(topic(topicName), EventValidator.withClock(clock));
    deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
  }

  @Override
  public void processElement(RawRecord record, Context ctx, Collector<T> out) {
    long now = ctx.timerService().currentProcessingTime();
    clock.set(now);
    DecodeResult<E> result = codec.decode(record.value());
    if (result instanceof DecodeResult.Ok<E> ok) {
      out.collect(converter.convert(ok.value()));
      return;
    }
    DecodeError error = result.errorOrNull();
    deadLetters.inc();
    ctx.output(
        DEAD_LETTERS,
        new DeadLetter(
            record.topic(),
            record.partition(),
            record.offset(),
            error.reason().name(),
            error.message(),
            record.value(),
            Instant.ofEpochMilli(now)));
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return TypeInformation.of(outputType);
  }

  @SuppressWarnings("unchecked")
  private static <E extends SpecificRecord> Topic<E> topic(String name) {
    return (Topic<E>)
        Topics.ALL.stream()
            .filter(t -> t.name().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no topic contract named " + name));
  }

  /** "Now" for the validator, set to the operator's processing time before each record. */
  private static final class SettableClock extends Clock {
    private long millis;

    void set(long millis) {
      this.millis = millis;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("UTC only");
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }
}
