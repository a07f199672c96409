package dev.pulse.flink.probes.functions;

import dev.pulse.flink.probes.records.ProbeKey;
import dev.pulse.flink.probes.records.ProbeMinute;
import dev.pulse.flink.probes.records.ProbeTally;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Emits one additive {@link ProbeMinute} per window firing, as the API job's
 * DeltaMinuteFactFunction: the on-time firing everything, a firing for results within the allowed
 * lateness only what they added. What was emitted lives in per-window state, cleared with the
 * window.
 */
public final class DeltaProbeMinuteFunction
    extends ProcessWindowFunction<ProbeTally, ProbeMinute, ProbeKey, TimeWindow> {

  static final ValueStateDescriptor<ProbeTally> EMITTED =
      new ValueStateDescriptor<>("emitted", TypeInformation.of(ProbeTally.class));

  @Override
  public void process(
      ProbeKey key, Context context, Iterable<ProbeTally> elements, Collector<ProbeMinute> out)
      throws Exception {
    ProbeTally current = elements.iterator().next();
    ValueState<ProbeTally> emitted = context.windowState().getState(EMITTED);
    ProbeTally previous = emitted.value();
    ProbeTally delta = previous == null ? current : current.minus(previous);
    if (delta.checks() == 0) {
      return; // a firing with nothing new must not write an empty row
    }
    emitted.update(current);
    out.collect(
        new ProbeMinute(
            key.tenantId(),
            key.target(),
            key.region(),
            context.window().getStart(),
            delta.checks(),
            delta.successes(),
            delta.latencyMsSum()));
  }

  @Override
  public void clear(Context context) {
    context.windowState().getState(EMITTED).clear();
  }
}
