package dev.pulse.flink.playback.functions;

import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.playback.records.ViewRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The playback step as it was before its walks were kept between steps (a copy of that version of
 * {@link PlaybackViewFunction}, its tags and state names the same; every step walked the view's
 * events twice): the reference the current one must match output for output.
 */
final class ReferencePlaybackViewFunction
    extends KeyedProcessFunction<ViewKey, PlaybackActivity, QoeMinuteDelta> {

  private static final long serialVersionUID = 1L;

  static final OutputTag<ViewRow> VIEWS = PlaybackViewFunction.VIEWS;
  static final OutputTag<PlaybackActivity> LATE = PlaybackViewFunction.LATE;

  /** docs/qoe.md, "Late events": how long after its end a view's events are kept: 2 hours. */
  public static final long REMEMBER_MS = 2 * 3_600_000L;

  /** How long after its end a view's end is remembered, in event time: a day. */
  public static final long ENDED_MEMORY_MS = 24 * 3_600_000L;

  /**
   * docs/qoe.md, "Views": the most events a view keeps (six hours of heartbeats are about 2,200); a
   * player gone wrong sends the rest to {@link #LATE} instead of slowing every step of its view.
   */
  public static final int MAX_EVENTS_PER_VIEW = 20_000;

  private static final long MINUTE_MS = 60_000;

  private final long allowedLatenessMs;
  private final int maxEventsPerView;

  private transient ListState<PlaybackActivity> events;
  private transient ValueState<Long> computedAt;
  private transient ValueState<Long> endedAt;
  private transient ValueState<Integer> versions;
  private transient ValueState<Long> timedMinute;
  private transient ValueState<Integer> eventCount;
  private transient Counter overflow;
  private transient Counter late;
  private transient Counter corrections;
  private transient Counter afterEnd;

  /**
   * Counts an event once the watermark has passed its time plus {@code allowedLatenessMs}, the API
   * job's allowed lateness.
   */
  ReferencePlaybackViewFunction(long allowedLatenessMs) {
    this(allowedLatenessMs, MAX_EVENTS_PER_VIEW);
  }

  /** As {@link #PlaybackViewFunction(long)}, keeping at most {@code maxEventsPerView} per view. */
  ReferencePlaybackViewFunction(long allowedLatenessMs, int maxEventsPerView) {
    if (allowedLatenessMs < 0) {
      throw new IllegalArgumentException("allowed lateness must be >= 0: " + allowedLatenessMs);
    }
    if (maxEventsPerView < 1) {
      throw new IllegalArgumentException("max events per view must be >= 1: " + maxEventsPerView);
    }
    this.allowedLatenessMs = allowedLatenessMs;
    this.maxEventsPerView = maxEventsPerView;
  }

  @Override
  public void open(OpenContext openContext) {
    events =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("events", PlaybackActivity.TYPE));
    computedAt =
        getRuntimeContext().getState(new ValueStateDescriptor<>("computed-at", Types.LONG));
    endedAt = getRuntimeContext().getState(new ValueStateDescriptor<>("ended-at", Types.LONG));
    versions = getRuntimeContext().getState(new ValueStateDescriptor<>("versions", Types.INT));
    timedMinute =
        getRuntimeContext().getState(new ValueStateDescriptor<>("timed-minute", Types.LONG));
    eventCount = getRuntimeContext().getState(new ValueStateDescriptor<>("event-count", Types.INT));
    overflow = getRuntimeContext().getMetricGroup().counter("eventsBeyondViewLimit");
    late = getRuntimeContext().getMetricGroup().counter("lateEvents");
    corrections = getRuntimeContext().getMetricGroup().counter("viewCorrections");
    afterEnd = getRuntimeContext().getMetricGroup().counter("eventsAfterViewEnd");
  }

  /** How far event time has got: the watermark less the allowed lateness. */
  private long eventTime(TimerService timers) {
    long watermark = timers.currentWatermark();
    return watermark == Long.MIN_VALUE ? watermark : watermark - allowedLatenessMs;
  }

  @Override
  public void processElement(PlaybackActivity e, Context ctx, Collector<QoeMinuteDelta> out)
      throws Exception {
    long now = eventTime(ctx.timerService());
    Integer count = eventCount.value();
    boolean kept = count != null;
    if (kept && count >= maxEventsPerView) {
      overflow.inc();
      ctx.output(LATE, e);
      return;
    }
    if (!kept && endedAt.value() != null) {
      if (e.timeMs() <= now) {
        late.inc();
        ctx.output(LATE, e);
      } else {
        afterEnd.inc();
      }
      return;
    }
    if (e.timeMs() > now) {
      events.add(e);
      eventCount.update(kept ? count + 1 : 1);
      // A step is due when event time passes the view's first event of a later minute (it makes the
      // minutes before final) or an event that ends it; the events between change nothing emitted.
      long minute = Math.floorDiv(e.timeMs(), MINUTE_MS);
      Long timed = timedMinute.value();
      boolean ends = e.type().equals("VIEW_END") || (e.type().equals("ERROR") && e.fatal());
      if (timed == null || minute > timed || ends) {
        ctx.timerService().registerEventTimeTimer(e.timeMs() + allowedLatenessMs);
        if (timed == null || minute > timed) {
          timedMinute.update(minute);
        }
      }
      return;
    }
    if (!kept) {
      late.inc();
      ctx.output(LATE, e);
      return;
    }
    // Late for a view still kept: work it out with the event and emit what changed.
    corrections.inc();
    List<PlaybackActivity> before = sorted();
    List<PlaybackActivity> after = new ArrayList<>(before);
    after.add(e);
    after.sort(PlaybackActivity.APPLY_ORDER);
    events.add(e);
    eventCount.update(count + 1);
    step(ctx.getCurrentKey(), before, after, now, ctx, out);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<QoeMinuteDelta> out)
      throws Exception {
    long now = eventTime(ctx.timerService());
    if (eventCount.value() == null) {
      Long ended = endedAt.value();
      if (ended != null && now >= ended + ENDED_MEMORY_MS) {
        endedAt.clear();
      }
      return;
    }
    List<PlaybackActivity> all = sorted();
    step(ctx.getCurrentKey(), all, all, now, ctx, out);
  }

  /**
   * Emits the difference between the view as last worked out (from {@code before}) and now (from
   * {@code after}), then schedules its next deadline, or forgets its events once it ended long
   * enough ago.
   */
  private void step(
      ViewKey key,
      List<PlaybackActivity> before,
      List<PlaybackActivity> after,
      long now,
      Context ctx,
      Collector<QoeMinuteDelta> out)
      throws Exception {
    Long previous = computedAt.value();
    ViewComputation.Result was =
        previous == null ? null : ReferenceViewComputation.compute(key, before, previous);
    ViewComputation.Result is = ReferenceViewComputation.compute(key, after, now);
    for (QoeMinuteDelta row :
        ReferenceQoeContributions.difference(
            key, ReferenceQoeContributions.of(was), ReferenceQoeContributions.of(is))) {
      out.collect(row);
    }
    if (is == null) {
      return;
    }
    computedAt.update(now);
    if (is.ended() && (was == null || !is.fact().equals(was.fact()))) {
      int version = versions.value() == null ? 1 : versions.value() + 1;
      versions.update(version);
      ctx.output(VIEWS, new ViewRow(is.fact(), version));
    }
    TimerService timers = ctx.timerService();
    if (is.ended()) {
      long end = is.fact().endMs();
      if (now >= end + REMEMBER_MS) {
        events.clear();
        computedAt.clear();
        versions.clear();
        timedMinute.clear();
        eventCount.clear();
        endedAt.update(end);
        timers.registerEventTimeTimer(end + ENDED_MEMORY_MS + allowedLatenessMs);
      } else {
        timers.registerEventTimeTimer(end + REMEMBER_MS + allowedLatenessMs);
      }
    } else {
      // Idle once event time is past the last event + the idle timeout; cut at six hours.
      timers.registerEventTimeTimer(
          is.lastEventMs() + ViewComputation.IDLE_TIMEOUT_MS + 1 + allowedLatenessMs);
      timers.registerEventTimeTimer(
          is.startMs() + ViewComputation.MAX_LENGTH_MS + allowedLatenessMs);
    }
  }

  private List<PlaybackActivity> sorted() throws Exception {
    List<PlaybackActivity> all = new ArrayList<>();
    events.get().forEach(all::add);
    all.sort(PlaybackActivity.APPLY_ORDER);
    return all;
  }
}
