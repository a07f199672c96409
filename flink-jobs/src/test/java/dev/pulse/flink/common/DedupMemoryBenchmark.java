package dev.pulse.flink.common;

import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.config.DedupStateLayout;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Prints what the dedup state costs per remembered id, on the heap and on RocksDB, in each layout:
 * heap bytes per id, checkpoint bytes per id (a full checkpoint, and what an incremental RocksDB
 * checkpoint adds per new id), RocksDB's local files per id, and ids per second through the
 * operator in Flink's keyed test harness (one subtask; harness overhead and event construction
 * included, so compare the rows with each other, not with the job's rate). A measurement, not a
 * test: run by hand (flink-jobs/README.md, Deduplication), e.g. with {@code -Xmx4g}:
 *
 * <pre>
 * cd flink-jobs && mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp \
 *   && java -Xmx4g -cp target/test-classes:target/classes:$(cat /tmp/cp) \
 *        dev.pulse.flink.common.DedupMemoryBenchmark [ids, default 2000000] [all|heap|rocksdb]
 * </pre>
 *
 * No id is forgotten during a run (no watermark), so every id is held at the end.
 */
public final class DedupMemoryBenchmark {

  private static final Duration H = Duration.ofSeconds(92);
  private static final long T0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();

  private DedupMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    System.out.printf(
        "%-22s %10s %12s %12s %14s %16s %14s%n",
        "setup",
        "ids",
        "ids/s",
        "heap B/id",
        "full ckpt B/id",
        "incr ckpt B/new",
        "local disk B/id");
    String only = args.length > 1 ? args[1] : "all";
    if (!only.equals("rocksdb")) {
      run(false, DedupStateLayout.BUCKET_TABLES, n);
      run(false, DedupStateLayout.ENTRY_PER_ID, n);
    }
    if (!only.equals("heap")) {
      run(true, DedupStateLayout.ENTRY_PER_ID, n);
      // Every new id rewrites its bucket: the cost per id grows with ids per bucket (n / 16,384).
      run(true, DedupStateLayout.BUCKET_TABLES, Math.min(n, 500_000));
    }
  }

  private static void run(boolean rocksDb, DedupStateLayout layout, int n) throws Exception {
    Path dir = Files.createTempDirectory("dedup-bench");
    try {
      KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> h =
          new KeyedOneInputStreamOperatorTestHarness<>(
              new KeyedProcessOperator<>(
                  new BucketedDeduplicateFunction<>(
                      H, layout, ApiRequest::dedupKey, DedupHarness.BEYOND, 0)),
              r -> SeenIds.bucketOf(r.dedupKey()),
              Types.INT);
      Path db = Files.createDirectories(dir.resolve("rocksdb"));
      if (rocksDb) {
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend(true);
        backend.setDbStoragePath(db.toString());
        // As a TaskManager slot with 256 MB of managed memory would have it (memtables and block
        // cache); the harness's own memory manager is a few MB, which flushes a file every few KB.
        backend.getMemoryConfiguration().setFixedMemoryPerSlot(MemorySize.parse("256mb"));
        h.setStateBackend(backend);
      } else {
        h.setStateBackend(new HashMapStateBackend());
      }
      h.setCheckpointStorage(
          new FileSystemCheckpointStorage(dir.resolve("checkpoints").toUri(), 1 << 20));
      h.open();
      SplittableRandom random = new SplittableRandom(42);
      feed(h, random, 10_000); // warm up
      long heapBefore = heapAfterGc();
      long started = System.nanoTime();
      feed(h, random, n - 10_000);
      double seconds = (System.nanoTime() - started) / 1e9;
      long heapAfter = heapAfterGc();

      OperatorSubtaskState full = h.snapshot(1L, 0L);
      h.notifyOfCompletedCheckpoint(1L);
      int more = n / 10;
      feed(h, random, more);
      OperatorSubtaskState second = h.snapshot(2L, 0L);
      long disk = rocksDb ? size(db) : 0;
      System.out.printf(
          "%-22s %,10d %,12.0f %12.1f %14.1f %16s %14s%n",
          (rocksDb ? "rocksdb " : "heap ") + layout,
          n,
          (n - 10_000) / seconds,
          rocksDb ? 0.0 : (heapAfter - heapBefore) / (double) (n - 10_000),
          full.getStateSize() / (double) n,
          rocksDb
              ? String.format("%.1f", second.getCheckpointedSize() / (double) more)
              : "(full only)",
          rocksDb ? String.format("%.1f", disk / (double) (n + more)) : "-");
      h.close();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void feed(
      KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> h,
      SplittableRandom random,
      int count)
      throws Exception {
    for (int i = 0; i < count; i++) {
      // Event times spread over a minute, all remembered (no watermark).
      long time = T0 + random.nextInt(60_000);
      h.processElement(
          new ApiRequest(
              new UUID(random.nextLong(), random.nextLong()).toString(),
              "tenant-" + random.nextInt(100),
              Instant.ofEpochMilli(time),
              "courses-api",
              "/courses/{id}",
              "GET",
              200,
              1_000,
              "eu-west",
              null),
          time);
      if (i % 10_000 == 0) {
        h.getOutput().clear(); // the harness keeps every output record otherwise
      }
    }
    h.getOutput().clear();
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
