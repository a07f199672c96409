package dev.pulse.flink.playback.functions;

import dev.pulse.flink.playback.records.ViewFact;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.playback.records.ViewRow;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.slo.EventKind;
import dev.pulse.slo.Indicator;
import dev.pulse.slo.Slo;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * What each ended view adds to the SLOs over video views (docs/slo.md): one eligible view, by the
 * minute it ended, to every SLO that selects it, good when its outcome is not excluded. A
 * correction (a later version of the view's row) takes back what the previous version added and
 * adds what the new one does, so a late event that turns a success into a start failure moves the
 * view from good to bad. The previous version is kept until event time is {@link #KEPT_FOR} past
 * the view's end: later than that, the playback job no longer corrects it.
 */
public final class ViewSlis extends KeyedProcessFunction<ViewKey, ViewRow, SliCount> {

  private static final long serialVersionUID = 1L;

  /** The playback job's dedup window plus a view's idle timeout, with room to spare. */
  static final Duration KEPT_FOR = Duration.ofHours(3);

  private final List<Slo> slos;
  private transient ValueState<ViewRow> previous;

  public ViewSlis(List<Slo> slos) {
    this.slos =
        slos.stream().filter(s -> s.indicator().events() == EventKind.PLAYBACK_VIEWS).toList();
  }

  /** Whether any SLO is over video views. */
  public boolean isEmpty() {
    return slos.isEmpty();
  }

  @Override
  public void open(OpenContext openContext) {
    previous =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("previous-row", TypeInformation.of(ViewRow.class)));
  }

  @Override
  public void processElement(ViewRow row, Context ctx, Collector<SliCount> out) throws Exception {
    ViewRow before = previous.value();
    if (before != null && before.version() >= row.version()) {
      return; // a replay of a version already counted
    }
    if (before != null) {
      emit(before.fact(), -1, out);
    } else {
      ctx.timerService().registerEventTimeTimer(row.fact().endMs() + KEPT_FOR.toMillis());
    }
    emit(row.fact(), 1, out);
    previous.update(row);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SliCount> out) {
    previous.clear();
  }

  private void emit(ViewFact view, int sign, Collector<SliCount> out) {
    for (Slo slo : slos) {
      Indicator indicator = slo.indicator();
      if (indicator.selects(field -> field(view, field))) {
        boolean good =
            !((Indicator.OutcomeNotIn) indicator.good()).outcomes().contains(view.outcome());
        out.collect(
            new SliCount(view.key().tenantId(), slo.name(), view.endMs(), good ? sign : 0, sign));
      }
    }
  }

  private static String field(ViewFact v, String name) {
    switch (name) {
      case "video":
        return v.dimensions().videoId();
      case "course":
        return v.dimensions().courseId();
      case "cdn":
        return v.dimensions().cdn();
      case "region":
        return v.dimensions().region();
      case "device":
        return v.dimensions().device();
      case "player":
        return v.dimensions().player();
      default:
        return null;
    }
  }
}
