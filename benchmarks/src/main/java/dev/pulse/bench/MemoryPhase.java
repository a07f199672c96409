package dev.pulse.bench;

import dev.pulse.flink.common.DedupKey;
import dev.pulse.flink.common.SeenIds;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Memory of the dedup state, measured: the jobs' {@link SeenIds} tables (one per dedup bucket, as
 * the dedup operator keeps them) filled with {@code ids} remembered ids, their retained heap (used
 * heap after full collections, before and after) and their checkpoint form (the serializer's
 * bytes), per million ids. Random ids, all within the horizon: the worst case, where nothing is
 * forgotten yet. Then the jobs' keyed state per thousand live keys ({@link LiveKeys}).
 */
final class MemoryPhase {

  private MemoryPhase() {}

  static PhaseResult run(
      long ids, long seed, long liveKeys, int parallelism, java.io.PrintWriter progress) {
    ResourceMeter meter = ResourceMeter.start(OptionalLong.empty());
    long start = System.nanoTime();
    long before = usedHeapAfterGc();
    SeenIds[] buckets = new SeenIds[SeenIds.BUCKETS];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new SeenIds();
    }
    SplittableRandom random = new SplittableRandom(seed);
    long horizon = 3_600_000;
    for (long n = 0; n < ids; n++) {
      DedupKey k = new DedupKey(random.nextLong(), random.nextLong());
      buckets[SeenIds.bucketOf(k)].firstSeen(k, 1_000_000 + n, Long.MIN_VALUE, horizon);
    }
    long after = usedHeapAfterGc();
    long serialized = 0;
    DataOutputSerializer out = new DataOutputSerializer(1 << 16);
    try {
      for (SeenIds b : buckets) {
        out.clear();
        SeenIds.Serializer.INSTANCE.serialize(b, out);
        serialized += out.length();
      }
    } catch (java.io.IOException e) {
      throw new BenchException("memory: serializing the dedup tables failed: " + e, e);
    }
    long held = 0;
    for (SeenIds b : buckets) {
      held += b.size();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("rememberedIds", held);
    details.put("buckets", SeenIds.BUCKETS);
    details.put("heapBytes", after - before);
    details.put("heapBytesPerMillionIds", (after - before) * 1e6 / held);
    details.put("checkpointBytes", serialized);
    details.put("checkpointBytesPerMillionIds", serialized * 1e6 / held);
    // The tables are garbage from here: the live-keys runs measure their heap without them.
    buckets = null;
    details.putAll(LiveKeys.measure(liveKeys, parallelism, progress));
    return new PhaseResult(
        "memory", held, 0, elapsed, held / elapsed, held / elapsed, meter.stop(), details);
  }

  static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
