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
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The engagement step as it was before the held events were indexed by time (a copy of that version
 * of {@link SessionEngagementFunction}, its tags and state names the same): the reference the
 * current one must match output for output, and whose snapshots it must restore.
 */
final class ReferenceSessionEngagementFunction
    extends KeyedProcessFunction<SessionKey, ClassroomActivity, SessionMinuteFact> {

  private static final long serialVersionUID = 1L;

  static final OutputTag<LearnerSessionFact> LEARNERS = SessionEngagementFunction.LEARNERS;
  static final OutputTag<SessionFact> SESSIONS = SessionEngagementFunction.SESSIONS;
  static final OutputTag<ClassroomActivity> LATE = SessionEngagementFunction.LATE;

  /** How long an ended session is remembered, in event time: a day. */
  public static final long ENDED_MEMORY_MS = 24 * 3_600_000L;

  private final long allowedLatenessMs;

  private transient ListState<ClassroomActivity> held;
  private transient ValueState<SessionEngagement> session;
  private transient ValueState<Long> endedAt;
  private transient Counter late;
  private transient Counter afterEnd;

  /** Applies events as soon as the watermark has passed them (no allowed lateness). */
  ReferenceSessionEngagementFunction() {
    this(0);
  }

  /**
   * Applies an event once the watermark has passed its time plus {@code allowedLatenessMs}, the API
   * job's allowed lateness: an event up to that late is counted exactly, and every minute is
   * written that much after the watermark passed its end.
   */
  ReferenceSessionEngagementFunction(long allowedLatenessMs) {
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
