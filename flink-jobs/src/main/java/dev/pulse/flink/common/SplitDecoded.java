package dev.pulse.flink.common;

import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits what the source decoded: valid events go on as {@code T} (keeping the event-time timestamp
 * the source assigned), dead letters go to {@link #DEAD_LETTERS} and are counted in the {@code
 * deadLetters} metric.
 *
 * @param <T> the job's record type
 */
public final class SplitDecoded<T> extends ProcessFunction<Decoded<T>, T>
    implements ResultTypeQueryable<T> {

  /** Records that are not valid events. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  private final TypeInformation<T> eventType;

  private transient Counter deadLetters;

  public SplitDecoded(TypeInformation<T> eventType) {
    this.eventType = Objects.requireNonNull(eventType, "eventType");
  }

  @Override
  public void open(OpenContext openContext) {
    deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
  }

  @Override
  public void processElement(Decoded<T> record, Context ctx, Collector<T> out) {
    if (record.isEvent()) {
      out.collect(record.event());
    } else {
      deadLetters.inc();
      ctx.output(DEAD_LETTERS, record.deadLetter());
    }
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return eventType;
  }
}
