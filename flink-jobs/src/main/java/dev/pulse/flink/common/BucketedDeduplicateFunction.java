package dev.pulse.flink.common;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Passes the first copy of each event id and drops later copies within {@code ttl} of processing
 * time after the first one, remembering ids in {@link SeenIds} tables, one per bucket: the stream
 * is keyed by {@link SeenIds#bucketOf} of the event's {@link EventKey}, so every copy of an id
 * meets the same table.
 *
 * <p>Why: one keyed-state entry with TTL per id cost about 400 bytes of heap and most of the job's
 * CPU (hash-map growth, TTL wrappers and their incremental cleanup, cache misses over millions of
 * entries); a bucket table holds an id in 32-64 bytes and checks it with one probe over a flat
 * array. The semantics are the same: exact ids (128 bits and letter case), first copy within the
 * horizon passes, the horizon counted from the first copy and never extended by later copies, a
 * copy after it passes again.
 *
 * <p>Built for the heap state backend (the job's), where the value is updated in place; with
 * RocksDB every event would rewrite its bucket, so such a backend needs another form (one TTL state
 * entry per id).
 *
 * @param <T> the event type; the stream must be keyed by {@code SeenIds.bucketOf(keyOf(event))}
 */
public final class BucketedDeduplicateFunction<T> extends KeyedProcessFunction<Integer, T, T> {

  /** The exact id of an event. */
  @FunctionalInterface
  public interface KeyOf<T> extends Serializable {
    EventKey of(T event);
  }

  private final long ttlMs;
  private final KeyOf<T> keyOf;

  private transient ValueState<SeenIds> seen;
  private transient Counter duplicates;

  public BucketedDeduplicateFunction(Duration ttl, KeyOf<T> keyOf) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("dedup TTL must be positive, got " + ttl);
    }
    this.ttlMs = ttl.toMillis();
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
  }

  @Override
  public void open(OpenContext openContext) {
    seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen-ids", SeenIds.TYPE));
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
  }

  @Override
  public void processElement(T event, Context ctx, Collector<T> out) throws Exception {
    SeenIds ids = seen.value();
    if (ids == null) {
      ids = new SeenIds();
    }
    boolean first =
        ids.firstSeen(keyOf.of(event), ctx.timerService().currentProcessingTime(), ttlMs);
    // The table changed (an id added, or expired ones dropped): update so any backend keeps it.
    seen.update(ids);
    if (first) {
      out.collect(event);
    } else {
      duplicates.inc();
    }
  }
}
