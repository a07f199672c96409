package dev.pulse.flink.playback.functions;

import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.playback.records.ViewRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per view (keyed by {@link ViewKey}): keeps the view's events and works its QoE out again ({@link
 * ViewComputation}) each time event time moves past one of its deadlines or a late event changes
 * it, emitting only the difference to what it emitted before (docs/qoe.md, "Late events"): minute
 * rows as the view's minutes become final and when it ends, to the main output; the view's facts,
 * versioned, to {@link #VIEWS}; events that arrive behind event time for a view it does not keep,
 * to {@link #LATE}.
 *
 * <p>Event time here is the watermark less the allowed lateness (the API job's rule). A view's
 * events are kept until {@link #REMEMBER_MS} after it ended, so a late event within that changes it
 * exactly; then only its end is kept, for {@link #ENDED_MEMORY_MS}, so that later events of it are
 * not taken for a new view; then nothing of it is left.
 *
 * <p>A step does not walk the view's events again: the walk ({@link ViewComputation.Walk}) of each
 * open view is kept between steps, with the events it has not reached yet, so a step offers it only
 * the events event time has passed since the last one, and the result before the step is the walk's
 * at the last step's time. That cache is transient, not state: it is what the view's kept events
 * give, and is built again from them (as every step used to) when it is missing (after a restore,
 * for a view evicted from it, after the view ended) or out of step with the state; a late event
 * drops it and works the view out again from all its events.
 */
public final class PlaybackViewFunction
    extends KeyedProcessFunction<ViewKey, PlaybackActivity, QoeMinuteDelta> {

  private static final long serialVersionUID = 1L;

  /** Ended views' facts, a new version whenever a late event changes them. */
  public static final OutputTag<ViewRow> VIEWS =
      new OutputTag<>("playback-views", TypeInformation.of(ViewRow.class));

  /** Events that arrived behind event time for a view no longer (or never) kept. */
  public static final OutputTag<PlaybackActivity> LATE =
      new OutputTag<>("playback-late", PlaybackActivity.TYPE);

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

  /** The most open views whose walk is kept between steps (a view beyond is walked again). */
  static final int MAX_WALKS_KEPT = 100_000;

  /**
   * An open view's walk as of its last step, and its kept events after that step's time (in arrival
   * order), in step with the view's state as long as {@code count} and {@code asOf} are its event
   * count and computed-at time.
   */
  private static final class OpenView {
    ViewComputation.Walk walk; // null while no event is in
    ViewComputation.Result last; // the walk's result at asOf, once worked out
    final List<PlaybackActivity> ahead = new ArrayList<>();
    int count;
    Long asOf;
  }

  private final long allowedLatenessMs;
  private final int maxEventsPerView;
  private final int walksKept;

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
  private transient Map<ViewKey, OpenView> walks;

  /**
   * Counts an event once the watermark has passed its time plus {@code allowedLatenessMs}, the API
   * job's allowed lateness.
   */
  public PlaybackViewFunction(long allowedLatenessMs) {
    this(allowedLatenessMs, MAX_EVENTS_PER_VIEW);
  }

  /** As {@link #PlaybackViewFunction(long)}, keeping at most {@code maxEventsPerView} per view. */
  public PlaybackViewFunction(long allowedLatenessMs, int maxEventsPerView) {
    this(allowedLatenessMs, maxEventsPerView, MAX_WALKS_KEPT);
  }

  /**
   * As {@link #PlaybackViewFunction(long, int)}, keeping the walks of at most {@code walksKept}.
   */
  PlaybackViewFunction(long allowedLatenessMs, int maxEventsPerView, int walksKept) {
    if (allowedLatenessMs < 0) {
      throw new IllegalArgumentException("allowed lateness must be >= 0: " + allowedLatenessMs);
    }
    if (maxEventsPerView < 1) {
      throw new IllegalArgumentException("max events per view must be >= 1: " + maxEventsPerView);
    }
    this.allowedLatenessMs = allowedLatenessMs;
    this.maxEventsPerView = maxEventsPerView;
    this.walksKept = walksKept;
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
    walks =
        new LinkedHashMap<>(1_024, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<ViewKey, OpenView> eldest) {
            return size() > walksKept;
          }
        };
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
      OpenView open = walks.get(ctx.getCurrentKey());
      if (open != null) {
        if (kept && open.count == count) {
          open.ahead.add(e);
          open.count++;
        } else {
          walks.remove(ctx.getCurrentKey());
        }
      }
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
    walks.remove(ctx.getCurrentKey());
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
    ViewKey key = ctx.getCurrentKey();
    Long previous = computedAt.value();
    OpenView open = walks.get(key);
    if (open == null || open.count != eventCount.value() || !sameTime(open.asOf, previous)) {
      open = walkTo(key, previous);
      walks.put(key, open);
    }
    // As the walk was at the last step: what compute gives for the events up to its time.
    ViewComputation.Result was =
        previous == null || open.walk == null
            ? null
            : open.last != null ? open.last : open.walk.result(previous);
    open.ahead.sort(PlaybackActivity.APPLY_ORDER);
    int reached = 0;
    for (PlaybackActivity e : open.ahead) {
      if (e.timeMs() > now) {
        break;
      }
      if (open.walk == null) {
        open.walk = new ViewComputation.Walk(key, e);
      }
      open.walk.offer(e);
      reached++;
    }
    open.ahead.subList(0, reached).clear();
    ViewComputation.Result is = open.walk == null ? null : open.walk.result(now);
    if (is != null) {
      open.asOf = now;
      open.last = is;
    }
    if (is != null && is.ended()) {
      walks.remove(key); // only a late event or a timer long after changes it: walked again then
    }
    emit(key, was, is, now, ctx, out);
  }

  private static boolean sameTime(Long a, Long b) {
    return a == null ? b == null : a.equals(b);
  }

  /** The view's walk up to {@code asOf} (none when null), from all its kept events. */
  private OpenView walkTo(ViewKey key, Long asOf) throws Exception {
    OpenView open = new OpenView();
    open.count = eventCount.value();
    open.asOf = asOf;
    for (PlaybackActivity e : sorted()) {
      if (asOf != null && e.timeMs() <= asOf) {
        if (open.walk == null) {
          open.walk = new ViewComputation.Walk(key, e);
        }
        open.walk.offer(e);
      } else {
        open.ahead.add(e);
      }
    }
    return open;
  }

  /**
   * Emits the difference between the view as last worked out (from {@code before}) and now (from
   * {@code after}): a late event's step.
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
        previous == null ? null : ViewComputation.compute(key, before, previous);
    ViewComputation.Result is = ViewComputation.compute(key, after, now);
    emit(key, was, is, now, ctx, out);
  }

  /**
   * Emits the difference between the view as last worked out ({@code was}) and now ({@code is}),
   * then schedules its next deadline, or forgets its events once it ended long enough ago.
   */
  private void emit(
      ViewKey key,
      ViewComputation.Result was,
      ViewComputation.Result is,
      long now,
      Context ctx,
      Collector<QoeMinuteDelta> out)
      throws Exception {
    for (QoeMinuteDelta row : QoeContributions.difference(key, was, is)) {
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
        walks.remove(key);
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
