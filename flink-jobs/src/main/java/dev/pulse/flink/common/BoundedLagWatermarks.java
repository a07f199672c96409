package dev.pulse.flink.common;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks (the highest event time seen minus the bound, minus 1 ms),
 * emitted periodically like Flink's own, and also as soon as event time has moved a whole {@code
 * step} past the last emitted watermark. Without the second rule a fast replay or a bounded test
 * pushes minutes of event time through between two periodic emissions, and which events count as
 * late would depend on wall-clock timing instead of on the data.
 *
 * @param <T> the event type
 */
public final class BoundedLagWatermarks<T> implements WatermarkGenerator<T> {

  private final long boundMs;
  private final long stepMs;
  private long maxTimestamp;
  private long emitted = Long.MIN_VALUE;

  /**
   * @param boundMs how far behind the highest event time seen an event may still arrive on time
   * @param stepMs emit on an event once the watermark can advance this much (>= 1)
   */
  public BoundedLagWatermarks(long boundMs, long stepMs) {
    if (boundMs < 0 || stepMs < 1) {
      throw new IllegalArgumentException(
          "bound must be >= 0 and step >= 1, got " + boundMs + ", " + stepMs);
    }
    this.boundMs = boundMs;
    this.stepMs = stepMs;
    // Start so that the first watermark cannot underflow.
    this.maxTimestamp = Long.MIN_VALUE + boundMs + 1;
  }

  @Override
  public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
    if (eventTimestamp > maxTimestamp) {
      maxTimestamp = eventTimestamp;
      long candidate = current();
      if (emitted == Long.MIN_VALUE || candidate - emitted >= stepMs) {
        emit(candidate, output);
      }
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    long candidate = current();
    if (candidate > emitted) {
      emit(candidate, output);
    }
  }

  private long current() {
    return maxTimestamp - boundMs - 1;
  }

  private void emit(long watermark, WatermarkOutput output) {
    emitted = watermark;
    output.emitWatermark(new Watermark(watermark));
  }
}
