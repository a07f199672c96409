package dev.pulse.flink.common;

import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.config.DedupStateLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * The dedup operator of the API job in Flink's keyed test harness, on a chosen state backend and
 * layout: the four combinations the job can run with.
 */
enum DedupHarness {
  HEAP_BUCKET_TABLES(false, DedupStateLayout.BUCKET_TABLES),
  HEAP_ENTRY_PER_ID(false, DedupStateLayout.ENTRY_PER_ID),
  ROCKSDB_BUCKET_TABLES(true, DedupStateLayout.BUCKET_TABLES),
  ROCKSDB_ENTRY_PER_ID(true, DedupStateLayout.ENTRY_PER_ID);

  static final OutputTag<ApiRequest> BEYOND =
      new OutputTag<>("beyond-dedup-horizon", ApiRequest.TYPE);

  final boolean rocksDb;
  final DedupStateLayout layout;

  DedupHarness(boolean rocksDb, DedupStateLayout layout) {
    this.rocksDb = rocksDb;
    this.layout = layout;
  }

  StateBackend backend() {
    // Incremental, as production on RocksDB runs it (execution.checkpointing.incremental).
    return rocksDb ? new EmbeddedRocksDBStateBackend(true) : new HashMapStateBackend();
  }

  /** A harness, opened with empty state. */
  KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> open(Duration horizon)
      throws Exception {
    var harness = create(horizon);
    harness.open();
    return harness;
  }

  /** A harness restored from {@code state}, opened. */
  KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> restore(
      Duration horizon, OperatorSubtaskState state) throws Exception {
    var harness = create(horizon);
    harness.setup();
    harness.initializeState(state);
    harness.open();
    return harness;
  }

  private KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> create(
      Duration horizon) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new BucketedDeduplicateFunction<>(horizon, layout, ApiRequest::dedupKey, BEYOND)),
            r -> SeenIds.bucketOf(r.dedupKey()),
            Types.INT);
    harness.setStateBackend(backend());
    return harness;
  }

  /**
   * The ids the operator holds over all its buckets (in BUCKET_TABLES forgotten ones not yet
   * dropped included), and the number of buckets with state.
   */
  record Held(long ids, long buckets) {}

  Held held(KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> harness)
      throws Exception {
    @SuppressWarnings("unchecked")
    KeyedStateBackend<Integer> backend =
        (KeyedStateBackend<Integer>)
            (KeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
    String name = layout == DedupStateLayout.BUCKET_TABLES ? "seen-ids" : "seen-id-entries";
    List<Integer> buckets;
    try (Stream<Integer> keys = backend.getKeys(name, VoidNamespace.INSTANCE)) {
      buckets = keys.toList();
    }
    long ids = 0;
    for (int bucket : buckets) {
      backend.setCurrentKey(bucket);
      if (layout == DedupStateLayout.BUCKET_TABLES) {
        ValueState<SeenIds> table =
            backend.getPartitionedState(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>(name, SeenIds.TYPE));
        ids += table.value() == null ? 0 : table.value().size();
      } else {
        MapState<DedupKey, Long> entries =
            backend.getPartitionedState(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>(name, DedupKey.TYPE, Types.LONG));
        for (var ignored : entries.keys()) {
          ids++;
        }
      }
    }
    return new Held(ids, buckets.size());
  }

  /** The events sent to the beyond-horizon (late) output. */
  static List<ApiRequest> beyond(
      KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> harness) {
    List<ApiRequest> out = new ArrayList<>();
    var records = harness.getSideOutput(BEYOND);
    if (records != null) {
      for (StreamRecord<ApiRequest> r : records) {
        out.add(r.getValue());
      }
    }
    return out;
  }
}
