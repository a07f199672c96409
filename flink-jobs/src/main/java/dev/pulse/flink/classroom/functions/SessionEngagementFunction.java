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

  private final long allowedLatenessMs;

  private transient ListState<ClassroomActivity> held;
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
    held.add(e);
    ctx.timerService().registerEventTimeTimer(e.timeMs() + allowedLatenessMs);
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
    List<ClassroomActivity> later = new ArrayList<>();
    for (ClassroomActivity e : held.get()) {
      (e.timeMs() <= watermark ? due : later).add(e);
    }
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
      afterEnd.inc(later.size()); // held events after the end
      session.clear();
      held.clear();
      endedAt.update(s.endMs());
      ctx.timerService().registerEventTimeTimer(s.endMs() + ENDED_MEMORY_MS + allowedLatenessMs);
      return;
    }
    session.update(s);
    if (!due.isEmpty()) {
      held.update(later);
    }
    ctx.timerService().registerEventTimeTimer(s.nextDeadline() + allowedLatenessMs);
  }
}
