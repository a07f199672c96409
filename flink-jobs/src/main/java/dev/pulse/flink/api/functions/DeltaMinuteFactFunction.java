package dev.pulse.flink.api.functions;

import dev.pulse.flink.api.records.ApiKey;
import dev.pulse.flink.api.records.ApiMinuteFact;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Emits one additive {@link ApiMinuteFact} per window firing: what the minute gained since its
 * previous firing. The first (on-time) firing emits everything; a late firing within the allowed
 * lateness emits only the late requests, so rows never overlap and sums stay exact. The last
 * emitted statistics live in per-window state, cleared with the window.
 */
public final class DeltaMinuteFactFunction
    extends ProcessWindowFunction<MinuteStats, ApiMinuteFact, ApiKey, TimeWindow> {

  static final ValueStateDescriptor<MinuteStats> EMITTED =
      new ValueStateDescriptor<>("emitted", TypeInformation.of(MinuteStats.class));

  private final long[] thresholdsUs;

  /**
   * @param thresholdsUs the latency thresholds the aggregate counts under, ascending
   */
  public DeltaMinuteFactFunction(List<Long> thresholdsUs) {
    this.thresholdsUs = thresholdsUs.stream().mapToLong(Long::longValue).toArray();
  }

  @Override
  public void process(
      ApiKey key, Context context, Iterable<MinuteStats> elements, Collector<ApiMinuteFact> out)
      throws Exception {
    MinuteStats current = elements.iterator().next();
    ValueState<MinuteStats> emitted = context.windowState().getState(EMITTED);
    MinuteStats previous = emitted.value();
    MinuteStats delta = previous == null ? current.copy() : current.since(previous);
    if (delta.requests == 0) {
      return; // a firing with nothing new (e.g. a repeated trigger) must not emit an empty row
    }
    emitted.update(current.copy());
    out.collect(
        new ApiMinuteFact(
            key.tenantId(),
            key.service(),
            key.endpoint(),
            key.method(),
            key.region(),
            Instant.ofEpochMilli(context.window().getStart()),
            delta.requests,
            delta.errors5xx,
            delta.errors4xx,
            delta.latencySumUs,
            delta.latencyMaxUs,
            delta.buckets,
            delta.counts,
            thresholdsUs.clone(),
            delta.underThreshold));
  }

  @Override
  public void clear(Context context) {
    context.windowState().getState(EMITTED).clear();
  }
}
