package dev.pulse.flink.classroom.functions;

import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.LearnerSessionFact;
import dev.pulse.flink.classroom.records.SessionFact;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
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
 * The classroom job's engagement step, keyed by session: holds each event until the watermark has
 * passed it, then applies the session's due events in {@link ClassroomActivity#APPLY_ORDER} to its
 * {@link SessionEngagement} and tells it how far event time has got. Minutes go to the main output
 * as they become final (so a live session's page moves minute by minute), learner and session facts
 * to {@link #LEARNERS} and {@link #SESSIONS} when it ends, and events that arrive behind the
 * watermark to {@link #LATE}, counted nowhere else (docs/engagement.md, "Late events").
 *
 * <p>Event time here is the watermark less the allowed lateness (the API job's rule): an event is
 * held until then, so one up to that late still counts exactly. Timers (all that much later): one
 * at each held event's time, one at the end of the current minute, one at the idle deadline and one
 * at the 12-hour end. Once a session has ended its state is dropped; only its end is kept, for
 * {@link #ENDED_MEMORY_MS} of event time, so that its later events are not taken for a new session;
 * then nothing of it is left.
 *
 * <p>The held events are indexed by the second of their time (a {@code MapState} of second ->
 * events, with the range of seconds that may hold any), so a timer reads only the seconds event
 * time has passed since the last one instead of every held event: in a catch-up read, where one
 * partition runs minutes ahead of the watermark, a session holds minutes of events and there is a
 * timer per event. Events held in the list of earlier versions ({@code held}, restored from their
 * snapshots) are moved into the index at the next timer.
 */
public final class SessionEngagementFunction
    extends KeyedProcessFunction<SessionKey, ClassroomActivity, SessionMinuteFact> {

  private static final long serialVersionUID = 1L;

  /** Learners' facts of ended sessions. */
  public static final OutputTag<LearnerSessionFact> LEARNERS =
      new OutputTag<>("classroom-learners", TypeInformation.of(LearnerSessionFact.class));

  /** Ended sessions. */
  public static final OutputTag<SessionFact> SESSIONS =
      new OutputTag<>("classroom-sessions", TypeInformation.of(SessionFact.class));

  /** Events that arrived after the watermark had passed their time. */
  public static final OutputTag<ClassroomActivity> LATE =
      new OutputTag<>("classroom-late", ClassroomActivity.TYPE);

  /** How long an ended session is remembered, in event time: a day. */
  public static final long ENDED_MEMORY_MS = 24 * 3_600_000L;

  private static final long SECOND_MS = 1_000;

  private final long allowedLatenessMs;

  /** Earlier versions' held events, all in one list: only read (and emptied) after a restore. */
  private transient ListState<ClassroomActivity> held;

  /** The held events by the second of their time ({@link Math#floorDiv} of it by 1,000). */
  private transient MapState<Long, List<ClassroomActivity>> heldBySecond;

  /** The lowest second that may hold events (all earlier ones are empty); null when none held. */
  private transient ValueState<Long> heldFrom;

  /** The highest second holding events; null when none held. */
  private transient ValueState<Long> heldTo;

  private transient ValueState<SessionEngagement> session;
  private transient ValueState<Long> endedAt;
  private transient Counter late;
  private transient Counter afterEnd;

  /** Applies events as soon as the watermark has passed them (no allowed lateness). */
  public SessionEngagementFunction() {
    this(0);
  }

  /**
   * Applies an event once the watermark has passed its time plus {@code allowedLatenessMs}, the API
   * job's allowed lateness: an event up to that late is counted exactly, and every minute is
   * written that much after the watermark passed its end.
   */
  public SessionEngagementFunction(long allowedLatenessMs) {
    if (allowedLatenessMs < 0) {
      throw new IllegalArgumentException("allowed lateness must be >= 0: " + allowedLatenessMs);
    }
    this.allowedLatenessMs = allowedLatenessMs;
  }

  /** How far event time has got for this step: the watermark less the allowed lateness. */
  private long eventTime(TimerService timers) {
    long watermark = timers.currentWatermark();
    return watermark == Long.MIN_VALUE ? watermark : watermark - allowedLatenessMs;
  }

  @Override
  public void open(OpenContext openContext) {
    held =
        getRuntimeContext().getListState(new ListStateDescriptor<>("held", ClassroomActivity.TYPE));
    heldBySecond =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "held-by-second", Types.LONG, Types.LIST(ClassroomActivity.TYPE)));
    heldFrom = getRuntimeContext().getState(new ValueStateDescriptor<>("held-from", Types.LONG));
    heldTo = getRuntimeContext().getState(new ValueStateDescriptor<>("held-to", Types.LONG));
    session =
        getRuntimeContext().getState(new ValueStateDescriptor<>("session", SessionEngagement.TYPE));
    endedAt = getRuntimeContext().getState(new ValueStateDescriptor<>("ended-at", Types.LONG));
    late = getRuntimeContext().getMetricGroup().counter("lateEvents");
    afterEnd = getRuntimeContext().getMetricGroup().counter("eventsAfterSessionEnd");
  }

  @Override
  public void processElement(ClassroomActivity e, Context ctx, Collector<SessionMinuteFact> out)
      throws Exception {
    if (e.timeMs() <= eventTime(ctx.timerService())) {
      late.inc();
      ctx.output(LATE, e);
      return;
    }
    if (endedAt.value() != null) {
      afterEnd.inc();
      return;
    }
    hold(e);
    ctx.timerService().registerEventTimeTimer(e.timeMs() + allowedLatenessMs);
  }

  /** Adds {@code e} to the held events' index. */
  private void hold(ClassroomActivity e) throws Exception {
    long second = Math.floorDiv(e.timeMs(), SECOND_MS);
    List<ClassroomActivity> events = heldBySecond.get(second);
    if (events == null) {
      events = new ArrayList<>(4);
    }
    events.add(e);
    heldBySecond.put(second, events);
    Long from = heldFrom.value();
    if (from == null || second < from) {
      heldFrom.update(second);
    }
    Long to = heldTo.value();
    if (to == null || second > to) {
      heldTo.update(second);
    }
  }

  /**
   * Takes the held events at or before {@code watermark} out of the index, into {@code due}: only
   * the seconds from the lowest that may hold any up to the watermark's are read, and the
   * watermark's own second is split.
   */
  private void takeDue(long watermark, List<ClassroomActivity> due) throws Exception {
    Iterable<ClassroomActivity> legacy = held.get();
    if (legacy != null) {
      for (ClassroomActivity e : legacy) {
        hold(e);
      }
      held.clear();
    }
    Long from = heldFrom.value();
    if (from == null) {
      return;
    }
    long to = heldTo.value();
    long current = Math.floorDiv(watermark, SECOND_MS);
    long last = Math.min(to, current);
    for (long second = from; second <= last; second++) {
      List<ClassroomActivity> events = heldBySecond.get(second);
      if (events == null) {
        continue;
      }
      if (second < current) {
        due.addAll(events);
        heldBySecond.remove(second);
        continue;
      }
      List<ClassroomActivity> later = new ArrayList<>(events.size());
      for (ClassroomActivity e : events) {
        (e.timeMs() <= watermark ? due : later).add(e);
      }
      if (later.isEmpty()) {
        heldBySecond.remove(second);
      } else if (later.size() < events.size()) {
        heldBySecond.put(second, later);
      }
    }
    if (to < current || (to == current && heldBySecond.get(current) == null)) {
      heldFrom.clear();
      heldTo.clear();
    } else if (current > from) {
      heldFrom.update(current);
    }
  }

  /** How many events are held (the index's), and forgets them all. */
  private long dropHeld() throws Exception {
    long n = 0;
    for (List<ClassroomActivity> events : heldBySecond.values()) {
      n += events.size();
    }
    heldBySecond.clear();
    heldFrom.clear();
    heldTo.clear();
    held.clear();
    return n;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionMinuteFact> out)
      throws Exception {
    long watermark = eventTime(ctx.timerService());
    Long ended = endedAt.value();
    if (ended != null) {
      if (timestamp >= ended + ENDED_MEMORY_MS + allowedLatenessMs) {
        endedAt.clear();
      }
      return;
    }
    List<ClassroomActivity> due = new ArrayList<>();
    takeDue(watermark, due);
    SessionEngagement s = session.value();
    if (s == null) {
      if (due.isEmpty()) {
        return;
      }
      s = new SessionEngagement(ctx.getCurrentKey());
    }
    due.sort(ClassroomActivity.APPLY_ORDER);
    SessionEngagement.Output output =
        new SessionEngagement.Output() {
          @Override
          public void minute(SessionMinuteFact minute) {
            out.collect(minute);
          }

          @Override
          public void learner(LearnerSessionFact learner) {
            ctx.output(LEARNERS, learner);
          }

          @Override
          public void session(SessionFact fact) {
            ctx.output(SESSIONS, fact);
          }
        };
    for (ClassroomActivity e : due) {
      s.apply(e, output);
    }
    s.advanceTo(watermark, output);
    if (s.ended()) {
      afterEnd.inc(dropHeld()); // held events after the end
      session.clear();
      endedAt.update(s.endMs());
      ctx.timerService().registerEventTimeTimer(s.endMs() + ENDED_MEMORY_MS + allowedLatenessMs);
      return;
    }
    session.update(s);
    ctx.timerService().registerEventTimeTimer(s.nextDeadline() + allowedLatenessMs);
  }
}
