package dev.pulse.flink.api.functions;

import dev.pulse.flink.api.records.ApiRequest;
import java.util.List;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Folds a minute's API requests into {@link MinuteStats} one at a time, so a window holds one small
 * accumulator per key instead of its events.
 */
public final class MinuteStatsAggregate
    implements AggregateFunction<ApiRequest, MinuteStats, MinuteStats> {

  private final long[] thresholdsUs;

  /**
   * @param thresholdsUs the latency thresholds (microseconds, ascending) to count requests under
   */
  public MinuteStatsAggregate(List<Long> thresholdsUs) {
    this.thresholdsUs = thresholdsUs.stream().mapToLong(Long::longValue).toArray();
  }

  @Override
  public MinuteStats createAccumulator() {
    return MinuteStats.empty(thresholdsUs.length);
  }

  @Override
  public MinuteStats add(ApiRequest request, MinuteStats acc) {
    acc.add(request.statusCode(), request.latencyUs(), thresholdsUs);
    return acc;
  }

  @Override
  public MinuteStats getResult(MinuteStats acc) {
    return acc;
  }

  @Override
  public MinuteStats merge(MinuteStats a, MinuteStats b) {
    a.addAll(b);
    return a;
  }
}
