package dev.pulse.flink.common;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;

/**
 * The event-time watermark strategy for a source that emits {@link Decoded} records: bounded
 * out-of-orderness ({@link BoundedLagWatermarks}) over the valid events' event time, with idleness.
 * Given to {@code env.fromSource}, it runs once per source split (per Kafka partition), and the
 * source emits the minimum over its partitions, so one partition running ahead of another never
 * makes the slower one's on-time events late.
 *
 * <p>Dead letters never move event time: the generator skips them (their Kafka timestamps and
 * whatever garbage they carry must not advance the watermark), and they do not count as activity
 * either, so a partition that only yields dead letters goes idle instead of holding every window
 * back. That is why idleness is wired around the bounded-lag generator here, inside the dead-letter
 * filter, rather than with {@code WatermarkStrategy.withIdleness}, which would count every record.
 * Absurd event times (before 2000, or more than a day ahead of the clock) never reach the
 * generator: the validator turns them into dead letters.
 *
 * <p>Timestamps: an event's is its event time; a dead letter keeps the Kafka record's timestamp
 * (what it carried before decoding moved into the source, and what the dead-letter topic's record
 * gets). Dead letters never enter an event-time operator.
 */
public final class DecodedWatermarks {

  /** Reads the event time (epoch millis) of the job's record. */
  @FunctionalInterface
  public interface EventTime<T> extends Serializable {
    long millis(T event);
  }

  private DecodedWatermarks() {}

  /**
   * @param outOfOrderness how far behind its partition's highest event time an event may arrive and
   *     still be on time
   * @param step emit a watermark on an event as soon as event time has moved this far
   * @param idleness a partition without valid events for this long stops holding the watermark back
   * @param eventTime the event time of a valid event
   */
  public static <T> WatermarkStrategy<Decoded<T>> strategy(
      Duration outOfOrderness, Duration step, Duration idleness, EventTime<T> eventTime) {
    Objects.requireNonNull(eventTime, "eventTime");
    long boundMs = outOfOrderness.toMillis();
    long stepMs = step.toMillis();
    if (idleness.isNegative() || idleness.isZero()) {
      throw new IllegalArgumentException("idleness must be positive, got " + idleness);
    }
    return WatermarkStrategy.<Decoded<T>>forGenerator(
            ctx ->
                new EventsOnly<>(
                    new WatermarksWithIdleness<>(
                        new BoundedLagWatermarks<>(boundMs, stepMs),
                        idleness,
                        ctx.getInputActivityClock())))
        .withTimestampAssigner(
            (record, kafkaTimestamp) ->
                record.isEvent() ? eventTime.millis(record.event()) : kafkaTimestamp);
  }

  /** Passes only valid events on to the wrapped generator; dead letters are invisible to it. */
  static final class EventsOnly<T> implements WatermarkGenerator<Decoded<T>> {
    private final WatermarkGenerator<Decoded<T>> inner;

    EventsOnly(WatermarkGenerator<Decoded<T>> inner) {
      this.inner = inner;
    }

    @Override
    public void onEvent(Decoded<T> record, long timestamp, WatermarkOutput output) {
      if (record.isEvent()) {
        inner.onEvent(record, timestamp, output);
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      inner.onPeriodicEmit(output);
    }
  }
}
