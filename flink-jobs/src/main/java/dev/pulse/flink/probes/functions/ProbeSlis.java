package dev.pulse.flink.probes.functions;

import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.slo.EventKind;
import dev.pulse.slo.Slo;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * What each probe result adds to the SLOs over probe results (docs/slo.md): one eligible event to
 * every SLO that selects it (by target and region), good when the check passed.
 */
public final class ProbeSlis implements FlatMapFunction<ProbeCheck, SliCount> {

  private static final long serialVersionUID = 1L;

  private final List<Slo> slos;

  public ProbeSlis(List<Slo> slos) {
    this.slos =
        slos.stream().filter(s -> s.indicator().events() == EventKind.PROBE_RESULTS).toList();
  }

  /** Whether any SLO is over probe results. */
  public boolean isEmpty() {
    return slos.isEmpty();
  }

  @Override
  public void flatMap(ProbeCheck p, Collector<SliCount> out) {
    for (Slo slo : slos) {
      if (slo.indicator().selects(field -> field(p, field))) {
        out.collect(new SliCount(p.tenantId(), slo.name(), p.timeMs(), p.success() ? 1 : 0, 1));
      }
    }
  }

  private static String field(ProbeCheck p, String name) {
    switch (name) {
      case "target":
        return p.target();
      case "region":
        return p.region();
      default:
        return null;
    }
  }
}
