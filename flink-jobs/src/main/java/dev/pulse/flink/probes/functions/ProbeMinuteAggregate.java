package dev.pulse.flink.probes.functions;

import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.probes.records.ProbeTally;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds a minute's probe results of one target and region into a {@link ProbeTally}. */
public final class ProbeMinuteAggregate
    implements AggregateFunction<ProbeCheck, ProbeTally, ProbeTally> {

  @Override
  public ProbeTally createAccumulator() {
    return ProbeTally.EMPTY;
  }

  @Override
  public ProbeTally add(ProbeCheck check, ProbeTally acc) {
    return acc.plus(check);
  }

  @Override
  public ProbeTally getResult(ProbeTally acc) {
    return acc;
  }

  @Override
  public ProbeTally merge(ProbeTally a, ProbeTally b) {
    return a.plus(b);
  }
}
