package dev.pulse.flink.common;

import dev.pulse.flink.common.config.DedupStateLayout;
import dev.pulse.flink.common.config.StreamSemantics;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.apache.flink.metrics.Gauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many event ids one dedup subtask holds, per bucket and in total (the gauge {@code
 * rememberedIds}), and the warning when the total passes {@code dedup-warn-ids-per-subtask}: at
 * most once a minute, with the figures and what to do. A warning only: every id stays remembered,
 * since forgetting one early would let its duplicates be counted.
 *
 * <p>The counts are kept as the function changes its state (a table's size after each event; one
 * more per new entry, and the exact number after each sweep), never by scanning the state, and are
 * checkpointed with it ({@link #snapshot}, {@link #restore}), so the gauge is right from the first
 * moment after a restore (when memory is most likely the reason for it), also after rescaling.
 */
final class HeldIds implements Gauge<Long> {

  private static final Logger LOG = LoggerFactory.getLogger(BucketedDeduplicateFunction.class);

  /** Least time between two warnings, in processing time. */
  static final long WARNING_INTERVAL_MS = 60_000;

  private final int[] perBucket = new int[SeenIds.BUCKETS];
  private final long warnAbove;
  private final DedupStateLayout layout;
  private final long horizonMs;
  private final String subtask;
  private long total;
  private long lastWarning = Long.MIN_VALUE;

  /**
   * @param warnAbove the total beyond which to warn; 0: never
   * @param subtask how the warning names the subtask, e.g. {@code dedup-api-requests (2/4)}
   */
  HeldIds(long warnAbove, DedupStateLayout layout, long horizonMs, String subtask) {
    this.warnAbove = warnAbove;
    this.layout = layout;
    this.horizonMs = horizonMs;
    this.subtask = subtask;
  }

  /** Bucket {@code bucket} now holds {@code held} ids. */
  void set(int bucket, int held) {
    total += held - perBucket[bucket];
    perBucket[bucket] = held;
  }

  /** Bucket {@code bucket} holds one id more. */
  void addOne(int bucket) {
    perBucket[bucket]++;
    total++;
  }

  @Override
  public Long getValue() {
    return total;
  }

  /** Whether the total is beyond the limit (so {@link #warn} has something to say). */
  boolean overLimit() {
    return warnAbove > 0 && total > warnAbove;
  }

  /** Logs the warning unless one was logged less than a minute ago. */
  void warn(long processingTimeMs) {
    if (lastWarning != Long.MIN_VALUE && processingTimeMs - lastWarning < WARNING_INTERVAL_MS) {
      return;
    }
    lastWarning = processingTimeMs;
    LOG.warn("{}", warning());
  }

  private String warning() {
    String memory =
        layout == DedupStateLayout.BUCKET_TABLES
            ? String.format(
                "about %d-%d MB of heap (32-64 B per id) plus as much again copied on write while a"
                    + " checkpoint runs, and %d MB in every checkpoint (24 B per id)",
                mb(total * 32), mb(total * 64), mb(total * 24))
            : String.format(
                "about %d MB of RocksDB's local disk and incremental checkpoints (29 B per id), or"
                    + " %d MB of heap on the heap backend (98 B per id)",
                mb(total * 29), mb(total * 98));
    return String.format(
        "%s holds %d event ids, more than %s = %d: %s. Every id is kept (forgetting one early would"
            + " count its duplicates). Expect about events/s / parallelism x (%s, %d s, +"
            + " out-of-orderness); far more means the watermark is held back (a lagging partition),"
            + " so look at it first. To hold fewer, raise the parallelism or keep %s at its least"
            + " value; to hold them off the heap, run state.backend.type: rocksdb with %s"
            + " ENTRY_PER_ID (a new job state); if they fit, raise %s (flink-jobs/README.md,"
            + " \"Watching the dedup's memory\")",
        subtask,
        total,
        StreamSemantics.DEDUP_WARN_IDS.key(),
        warnAbove,
        memory,
        StreamSemantics.DEDUP_HORIZON.key(),
        horizonMs / 1000,
        StreamSemantics.DEDUP_HORIZON.key(),
        StreamSemantics.DEDUP_STATE_LAYOUT.key(),
        StreamSemantics.DEDUP_WARN_IDS.key());
  }

  private static long mb(long bytes) {
    return Math.round(bytes / 1e6);
  }

  /** The counts to checkpoint: bucket and count packed into one long per bucket holding ids. */
  List<Long> snapshot() {
    List<Long> packed = new ArrayList<>();
    for (int b = 0; b < perBucket.length; b++) {
      if (perBucket[b] > 0) {
        packed.add(((long) b << 32) | perBucket[b]);
      }
    }
    return packed;
  }

  /**
   * Takes the counts of the buckets this subtask owns ({@code owns}) from a checkpoint's counts of
   * every subtask (union state: after rescaling, a bucket may have been another subtask's).
   */
  void restore(Iterable<Long> packed, IntPredicate owns) {
    for (long p : packed) {
      int bucket = (int) (p >>> 32);
      if (bucket >= 0 && bucket < perBucket.length && owns.test(bucket)) {
        set(bucket, (int) p);
      }
    }
  }
}
