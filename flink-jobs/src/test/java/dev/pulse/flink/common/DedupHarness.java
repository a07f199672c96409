package dev.pulse.flink.common;

import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.config.DedupStateLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
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

  /** A harness, opened with empty state, that never warns about the ids it holds. */
  KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> open(Duration horizon)
      throws Exception {
    return open(horizon, 0);
  }

  /** A harness, opened with empty state, warning beyond {@code warnIdsAbove} ids. */
  KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> open(
      Duration horizon, long warnIdsAbove) throws Exception {
    var harness = create(horizon, warnIdsAbove, 1, 1, 0);
    harness.open();
    return harness;
  }

  /** A harness restored from {@code state}, opened. */
  KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> restore(
      Duration horizon, OperatorSubtaskState state) throws Exception {
    var harness = create(horizon, 0, 1, 1, 0);
    harness.setup();
    harness.initializeState(state);
    harness.open();
    return harness;
  }

  /**
   * The only subtask of a job that can be rescaled up to {@link #RESCALABLE} subtasks (the max
   * parallelism Flink derives for a parallelism up to 128), opened with empty state.
   */
  KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> openRescalable(
      Duration horizon) throws Exception {
    var harness = create(horizon, 0, RESCALABLE, 1, 0);
    harness.open();
    return harness;
  }

  /**
   * Subtask {@code index} of {@code parallelism}, restored from {@code state} of {@link
   * #openRescalable}'s subtask as a rescale from 1 to {@code parallelism} repartitions it, opened.
   */
  KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> restoreRescaled(
      Duration horizon, OperatorSubtaskState state, int parallelism, int index) throws Exception {
    var harness = create(horizon, 0, RESCALABLE, parallelism, index);
    harness.setup();
    harness.initializeState(
        AbstractStreamOperatorTestHarness.repartitionOperatorState(
            state, RESCALABLE, 1, parallelism, index));
    harness.open();
    return harness;
  }

  static final int RESCALABLE = 128;

  private KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> create(
      Duration horizon, long warnIdsAbove, int maxParallelism, int parallelism, int index)
      throws Exception {
    MockEnvironment env =
        new MockEnvironmentBuilder()
            .setTaskName("dedup-api-requests")
            .setMaxParallelism(maxParallelism)
            .setParallelism(parallelism)
            .setSubtaskIndex(index)
            .setMetricGroup(new OperatorMetrics())
            .build();
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new BucketedDeduplicateFunction<>(
                    horizon, layout, ApiRequest::dedupKey, BEYOND, warnIdsAbove)),
            r -> SeenIds.bucketOf(r.dedupKey()),
            Types.INT,
            env);
    harness.setStateBackend(backend());
    return harness;
  }

  /** A task's metrics whose operator group keeps what the operator registers, for the tests. */
  private static final class OperatorMetrics extends InterceptingTaskMetricGroup {
    final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();

    @Override
    public InternalOperatorMetricGroup getOrAddOperator(
        OperatorID id, String name, Map<String, String> additionalVariables) {
      return operator;
    }
  }

  /** The operator's gauge {@code rememberedIds}: the ids it says it holds. */
  @SuppressWarnings("unchecked")
  static long rememberedIds(
      KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> harness) {
    OperatorMetrics metrics = (OperatorMetrics) harness.getEnvironment().getMetricGroup();
    return ((Gauge<Long>) metrics.operator.get("rememberedIds")).getValue();
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
