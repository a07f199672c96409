package dev.pulse.flink.slo.functions;

import dev.pulse.flink.slo.records.AlertChange;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.flink.slo.records.SloKey;
import dev.pulse.flink.slo.records.SloStatus;
import dev.pulse.slo.AlertWindow;
import dev.pulse.slo.Slo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Evaluates one SLO of one tenant (the key) at the end of every minute of event time (docs/slo.md,
 * "Evaluation"): keeps the SLO's good and eligible counts per minute for as long as a window reads
 * them, and when the watermark passes a minute's end emits the {@link SloStatus} of that minute
 * and, to {@link #ALERT_CHANGES}, every alert row whose state the evaluation changed.
 *
 * <p>A count that arrives after its minute was evaluated, within the allowed lateness, is added to
 * its minute: the budget and every later evaluation include it, the evaluations already made stand.
 * A count later than that is dropped (the domain job keeps the event in its late table), as the
 * domain's minute facts drop it. With no event in the last three days and no row firing, evaluation
 * pauses until the next event.
 */
public final class SloEvaluationFunction extends KeyedProcessFunction<SloKey, SliCount, SloStatus> {

  private static final long serialVersionUID = 1L;
  private static final long MINUTE_MS = 60_000;

  /** The alert state changes. */
  public static final OutputTag<AlertChange> ALERT_CHANGES =
      new OutputTag<>("slo-alert-changes", TypeInformation.of(AlertChange.class));

  private final Map<String, SloEvaluator> evaluators;
  private final long allowedLatenessMs;

  /** minute (epoch minutes) -> {good, total}. */
  private transient MapState<Long, long[]> counts;

  /** The end of the next minute to evaluate, or null while evaluation is paused. */
  private transient ValueState<Long> nextEndMs;

  /** Alert row name -> when it started firing, for the rows that fire. */
  private transient MapState<String, Long> firingSince;

  private transient Counter late;

  public SloEvaluationFunction(List<Slo> slos, long allowedLatenessMs) {
    Map<String, SloEvaluator> byName = new LinkedHashMap<>();
    for (Slo slo : slos) {
      byName.put(slo.name(), new SloEvaluator(slo));
    }
    this.evaluators = byName;
    this.allowedLatenessMs = allowedLatenessMs;
  }

  @Override
  public void open(OpenContext openContext) {
    counts =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "minute-counts",
                    Types.LONG,
                    PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    nextEndMs =
        getRuntimeContext().getState(new ValueStateDescriptor<>("next-evaluation", Types.LONG));
    firingSince =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("firing-since", Types.STRING, Types.LONG));
    late = getRuntimeContext().getMetricGroup().counter("sloLateEvents");
  }

  @Override
  public void processElement(SliCount c, Context ctx, Collector<SloStatus> out) throws Exception {
    if (!evaluators.containsKey(c.slo())) {
      return;
    }
    long minute = Math.floorDiv(c.timeMs(), MINUTE_MS);
    long minuteEndMs = (minute + 1) * MINUTE_MS;
    // The rule of Flink's event-time windows, so an SLO counts what the minute facts count.
    if (minuteEndMs - 1 + allowedLatenessMs <= ctx.timerService().currentWatermark()) {
      late.inc();
      return;
    }
    long[] gt = counts.get(minute);
    if (gt == null) {
      gt = new long[2];
    }
    gt[0] += c.good();
    gt[1] += c.total();
    counts.put(minute, gt);
    Long next = nextEndMs.value();
    if (next == null) {
      // Evaluation resumes with the minute of this event, or the first minute not yet passed.
      long watermark = ctx.timerService().currentWatermark();
      long end =
          minuteEndMs - 1 > watermark
              ? minuteEndMs
              : (Math.floorDiv(watermark, MINUTE_MS) + 1) * MINUTE_MS;
      nextEndMs.update(end);
      ctx.timerService().registerEventTimeTimer(end - 1);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SloStatus> out)
      throws Exception {
    SloEvaluator evaluator = evaluators.get(ctx.getCurrentKey().slo());
    if (evaluator == null) {
      return;
    }
    long endMs = timestamp + 1;
    prune(Math.floorDiv(endMs, MINUTE_MS) - evaluator.retentionMinutes());
    List<Map.Entry<Long, long[]>> entries = new ArrayList<>();
    for (Map.Entry<Long, long[]> e : counts.entries()) {
      entries.add(e);
    }
    SloEvaluator.Evaluation ev = evaluator.evaluate(entries, endMs);
    Slo slo = evaluator.slo();
    String tenant = ctx.getCurrentKey().tenantId();
    long minute = Math.floorDiv(endMs, MINUTE_MS) - 1;
    long[] own = counts.get(minute);
    out.collect(
        new SloStatus(
            tenant,
            slo.name(),
            slo.service(),
            minute * MINUTE_MS,
            own == null ? 0 : own[0],
            own == null ? 0 : own[1],
            slo.target(),
            ev.windowStartMs(),
            ev.eligible(),
            ev.bad(),
            ev.remaining(),
            ev.burnRates()));
    boolean anyFiring = false;
    List<AlertWindow> alerts = evaluator.alerts();
    for (int i = 0; i < alerts.size(); i++) {
      AlertWindow a = alerts.get(i);
      String row = rowName(a);
      Long since = firingSince.get(row);
      boolean firing = ev.firing()[i];
      if (firing != (since != null)) {
        long startedAt = firing ? endMs : since;
        ctx.output(
            ALERT_CHANGES,
            new AlertChange(
                tenant,
                slo.name(),
                slo.service(),
                row,
                a.row().severity(),
                firing,
                endMs,
                startedAt,
                a.burnRate(),
                a.longWindow().toMinutes(),
                a.shortWindow().toMinutes(),
                ev.longBurn()[i],
                ev.shortBurn()[i],
                slo.target()));
        if (firing) {
          firingSince.put(row, endMs);
        } else {
          firingSince.remove(row);
        }
      }
      anyFiring |= firing;
    }
    if (ev.recent() || anyFiring) {
      nextEndMs.update(endMs + MINUTE_MS);
      ctx.timerService().registerEventTimeTimer(endMs + MINUTE_MS - 1);
    } else {
      nextEndMs.clear();
    }
  }

  /** The row's name as alerts carry it: page-fast, page-slow, ticket-fast, ticket-slow. */
  public static String rowName(AlertWindow a) {
    return a.row().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private void prune(long keepFromMinute) throws Exception {
    Iterator<Long> minutes = counts.keys().iterator();
    List<Long> old = new ArrayList<>();
    while (minutes.hasNext()) {
      long m = minutes.next();
      if (m < keepFromMinute) {
        old.add(m);
      }
    }
    for (long m : old) {
      counts.remove(m);
    }
  }
}
