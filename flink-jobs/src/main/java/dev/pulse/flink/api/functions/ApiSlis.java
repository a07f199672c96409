package dev.pulse.flink.api.functions;

import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.slo.EventKind;
import dev.pulse.slo.Indicator;
import dev.pulse.slo.Slo;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * What each API request adds to the SLOs over API requests (docs/slo.md): one eligible event to
 * every SLO that selects it, good by the SLO's status or latency condition.
 */
public final class ApiSlis implements FlatMapFunction<ApiRequest, SliCount> {

  private static final long serialVersionUID = 1L;

  private final List<Slo> slos;

  public ApiSlis(List<Slo> slos) {
    this.slos =
        slos.stream().filter(s -> s.indicator().events() == EventKind.API_REQUESTS).toList();
  }

  /** Whether any SLO is over API requests. */
  public boolean isEmpty() {
    return slos.isEmpty();
  }

  @Override
  public void flatMap(ApiRequest r, Collector<SliCount> out) {
    for (Slo slo : slos) {
      Indicator indicator = slo.indicator();
      if (indicator.selects(field -> field(r, field))) {
        boolean good = isGood(indicator.good(), r);
        out.collect(
            new SliCount(r.tenantId(), slo.name(), r.eventTime().toEpochMilli(), good ? 1 : 0, 1));
      }
    }
  }

  static boolean isGood(Indicator.Good good, ApiRequest r) {
    if (good instanceof Indicator.StatusBelow s) {
      return r.statusCode() < s.status();
    }
    if (good instanceof Indicator.LatencyBelowMs l) {
      return r.latencyUs() < l.ms() * 1000;
    }
    return false;
  }

  private static String field(ApiRequest r, String name) {
    switch (name) {
      case "service":
        return r.service();
      case "endpoint":
        return r.endpoint();
      case "method":
        return r.method();
      case "region":
        return r.region();
      default:
        return null;
    }
  }
}
