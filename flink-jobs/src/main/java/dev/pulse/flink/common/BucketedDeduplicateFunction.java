package dev.pulse.flink.common;

import dev.pulse.flink.common.config.DedupStateLayout;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes the first copy of each event and drops later copies, remembering each event's {@link
 * DedupKey} (canonical id, per tenant) until the watermark passes its first copy's event time plus
 * the horizon; first copies already that far behind the watermark go to the {@code beyondHorizon}
 * side output instead (late events). The stream is keyed by {@link SeenIds#bucketOf} of the key, so
 * every copy of an id meets the same bucket.
 *
 * <p>The rule, for a copy with event time {@code t} arriving at watermark {@code W} and horizon
 * {@code H}:
 *
 * <ul>
 *   <li>if its id is remembered: a duplicate, dropped (counter {@code duplicates}). An id is
 *       remembered from its first copy until the watermark passes {@code r + H}, where {@code r} is
 *       the later of that copy's event time and the watermark it arrived at;
 *   <li>otherwise, if {@code t <= W - H}: beyond the horizon, remembered from {@code W}, and sent
 *       to the side output, never counted (counter {@code beyondDedupHorizon}). With {@code H} at
 *       least the window plus its allowed lateness, such an event is late for its window by the
 *       job's own rule, so it is sent to the late events here, by this operator's watermark, rather
 *       than left to the window operator, whose watermark (the minimum over all dedup subtasks) may
 *       lag behind and would then count a copy whose first copy is already forgotten;
 *   <li>otherwise a first copy, passed on.
 * </ul>
 *
 * So no copy of a counted event can be counted again: its id is forgotten only once the watermark
 * has passed its event time plus the horizon, and from then on every copy is beyond the horizon.
 * (Such a copy does reach the late events once, as it cannot be told from a new late event.) Expiry
 * moves only with the watermark, which restarts at {@code Long.MIN_VALUE} after a restore: downtime
 * of any length (the processing-time clock) expires nothing, so replayed duplicates are dropped
 * after any restore.
 *
 * <p>Two layouts of the same rule ({@link DedupStateLayout}): {@link SeenIds} tables per bucket
 * (heap backend) or one {@code MapState} entry per id swept by event-time timers (RocksDB).
 *
 * <p>The ids a subtask holds are its gauge {@code rememberedIds} ({@link HeldIds}); beyond {@code
 * warnIdsAbove} it logs a warning with the figures once a minute, and keeps every id.
 *
 * @param <T> the event type; the stream must be keyed by {@code SeenIds.bucketOf(keyOf(event))} and
 *     carry event-time timestamps
 */
public final class BucketedDeduplicateFunction<T> extends KeyedProcessFunction<Integer, T, T>
    implements CheckpointedFunction {

  /** The dedup identity of an event. */
  @FunctionalInterface
  public interface KeyOf<T> extends Serializable {
    DedupKey of(T event);
  }

  private final long horizonMs;
  private final DedupStateLayout layout;
  private final KeyOf<T> keyOf;
  private final OutputTag<T> beyondHorizon;
  private final long warnIdsAbove;

  private transient ValueState<SeenIds> tables;
  private transient MapState<DedupKey, Long> entries;

  /**
   * ENTRY_PER_ID: the latest sweep timer this task registered per bucket, so that not every id
   * registers one (Flink would deduplicate them, at the cost of a timer-queue access per event).
   * Not state: after a restore the first id of each bucket registers again, which is harmless.
   */
  private transient long[] sweepRegistered;

  private transient Counter duplicates;
  private transient Counter beyond;

  /** The ids held per bucket and in total, for the gauge and the warning. */
  private transient HeldIds held;

  /** {@link #held}'s counts in checkpoints: union state, as rescaling moves buckets. */
  private transient ListState<Long> heldPerBucket;

  /**
   * @param horizon how far behind the watermark an id's event time may be and still be remembered
   * @param layout how the ids are held
   * @param keyOf the dedup identity of an event
   * @param beyondHorizon where events at or beyond the horizon go (the late events)
   * @param warnIdsAbove the ids one subtask may hold before it logs a warning (once a minute); 0:
   *     never
   */
  public BucketedDeduplicateFunction(
      Duration horizon,
      DedupStateLayout layout,
      KeyOf<T> keyOf,
      OutputTag<T> beyondHorizon,
      long warnIdsAbove) {
    Objects.requireNonNull(horizon, "horizon");
    if (horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("dedup horizon must be positive, got " + horizon);
    }
    this.horizonMs = horizon.toMillis();
    this.layout = Objects.requireNonNull(layout, "layout");
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
    this.beyondHorizon = Objects.requireNonNull(beyondHorizon, "beyondHorizon");
    if (warnIdsAbove < 0) {
      throw new IllegalArgumentException("warnIdsAbove must be >= 0, got " + warnIdsAbove);
    }
    this.warnIdsAbove = warnIdsAbove;
  }

  /** Restores the held-id counts of the buckets this subtask owns (before {@link #open}). */
  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    TaskInfo task = getRuntimeContext().getTaskInfo();
    held =
        new HeldIds(
            warnIdsAbove,
            layout,
            horizonMs,
            task.getTaskName()
                + " ("
                + (task.getIndexOfThisSubtask() + 1)
                + "/"
                + task.getNumberOfParallelSubtasks()
                + ")");
    heldPerBucket =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("held-ids-per-bucket", Types.LONG));
    if (context.isRestored()) {
      held.restore(
          heldPerBucket.get(),
          bucket ->
              KeyGroupRangeAssignment.assignKeyToParallelOperator(
                      bucket,
                      task.getMaxNumberOfParallelSubtasks(),
                      task.getNumberOfParallelSubtasks())
                  == task.getIndexOfThisSubtask());
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    heldPerBucket.update(held.snapshot());
  }

  @Override
  public void open(OpenContext openContext) {
    if (layout == DedupStateLayout.BUCKET_TABLES) {
      tables = getRuntimeContext().getState(new ValueStateDescriptor<>("seen-ids", SeenIds.TYPE));
    } else {
      entries =
          getRuntimeContext()
              .getMapState(new MapStateDescriptor<>("seen-id-entries", DedupKey.TYPE, Types.LONG));
      sweepRegistered = new long[SeenIds.BUCKETS];
      Arrays.fill(sweepRegistered, Long.MIN_VALUE);
    }
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
    beyond = getRuntimeContext().getMetricGroup().counter("beyondDedupHorizon");
    getRuntimeContext().getMetricGroup().gauge("rememberedIds", held);
  }

  @Override
  public void processElement(T event, Context ctx, Collector<T> out) throws Exception {
    Long timestamp = ctx.timestamp();
    if (timestamp == null) {
      throw new IllegalStateException(
          "deduplication by event time needs event-time timestamps on the stream (a wiring bug)");
    }
    long eventTime = timestamp;
    long watermark = ctx.timerService().currentWatermark();
    long cutoff = SeenIds.cutoff(watermark, horizonMs);
    // Remembered from the later of its event time and the watermark it arrived at: an event
    // beyond the horizon is remembered for one horizon of event time from now, so its own
    // copies do not reach the late events twice either.
    long rememberedFrom = Math.max(eventTime, watermark);
    DedupKey key = keyOf.of(event);
    boolean first =
        layout == DedupStateLayout.BUCKET_TABLES
            ? firstInTable(key, rememberedFrom, cutoff, ctx.getCurrentKey())
            : firstInEntries(key, rememberedFrom, cutoff, ctx);
    if (held.overLimit()) {
      held.warn(ctx.timerService().currentProcessingTime());
    }
    if (!first) {
      duplicates.inc();
    } else if (eventTime <= cutoff) {
      beyond.inc();
      ctx.output(beyondHorizon, event);
    } else {
      out.collect(event);
    }
  }

  private boolean firstInTable(DedupKey key, long rememberedFrom, long cutoff, int bucket)
      throws Exception {
    SeenIds ids = tables.value();
    if (ids == null) {
      ids = new SeenIds();
    }
    boolean first = ids.firstSeen(key, rememberedFrom, cutoff, horizonMs);
    held.set(bucket, ids.size());
    if (first) {
      // On the heap this puts back the same object; on RocksDB it writes the table. A duplicate
      // changes nothing the rule depends on (at most forgotten ids were dropped): no write.
      tables.update(ids);
    }
    return first;
  }

  private boolean firstInEntries(DedupKey key, long rememberedFrom, long cutoff, Context ctx)
      throws Exception {
    Long firstSeen = entries.get(key);
    if (firstSeen != null && firstSeen > cutoff) {
      return false;
    }
    entries.put(key, rememberedFrom);
    int bucket = ctx.getCurrentKey();
    if (firstSeen == null) {
      held.addOne(bucket); // a forgotten entry overwritten is no new entry
    }
    // Swept at the first multiple of a quarter horizon at which this id is forgotten: at most
    // about five timers per bucket at a time, and an id is held at most 1.25 horizons.
    long step = Math.max(1, horizonMs / 4);
    long sweep = Math.floorDiv(rememberedFrom + horizonMs + step - 1, step) * step;
    if (sweepRegistered[bucket] < sweep) {
      ctx.timerService().registerEventTimeTimer(sweep);
      sweepRegistered[bucket] = sweep;
    }
    return true;
  }

  /** ENTRY_PER_ID: drops the bucket's ids the watermark has forgotten. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<T> out) throws Exception {
    long cutoff = SeenIds.cutoff(ctx.timerService().currentWatermark(), horizonMs);
    Iterator<Map.Entry<DedupKey, Long>> it = entries.iterator();
    int kept = 0;
    while (it.hasNext()) {
      if (it.next().getValue() <= cutoff) {
        it.remove();
      } else {
        kept++;
      }
    }
    if (kept == 0) {
      entries.clear(); // no state left for the bucket at all (the heap backend keeps empty maps)
    }
    held.set(ctx.getCurrentKey(), kept);
  }
}
