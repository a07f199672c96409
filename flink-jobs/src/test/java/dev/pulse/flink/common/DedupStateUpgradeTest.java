package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.api.records.ApiRequest;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restores the dedup operator (heap state, as the job runs) from operator snapshots checked in
 * under {@code golden/dedup-operator/}: {@code unversioned-heap.snapshot} was taken by the code of
 * commit 812caae (SeenIds format 1, no format in the snapshot), {@code format-2-heap.snapshot} by
 * the current code. Both must restore every id with its first-seen time: the failure this prevents
 * is a savepoint whose dedup tables are read in the wrong format, which lets duplicates through or
 * fails the job, unseen by the serializer-level tests if Flink's restore path did not use the
 * restored snapshot's reader (see {@code SerializerGoldenTest} for the bytes themselves).
 *
 * <p>A new SeenIds format adds its own file, written once by its {@code main} run by hand:
 *
 * <pre>
 * cd flink-jobs && mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp \
 *   && java -cp target/test-classes:target/classes:$(cat /tmp/cp) dev.pulse.flink.common.DedupStateUpgradeTest
 * </pre>
 */
class DedupStateUpgradeTest {

  private static final Duration TTL = Duration.ofMinutes(10);
  private static final long T0 = 1_000_000L;

  /** Seen at T0 before the snapshot. */
  private static final List<ApiRequest> SEEN =
      List.of(request(1, t(1), 200, 1_000), request(2, t(1), 200, 1_000));

  private static KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> harness()
      throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new BucketedDeduplicateFunction<>(TTL, ApiRequest::dedupKey),
        r -> SeenIds.bucketOf(r.dedupKey()),
        Types.INT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"unversioned-heap.snapshot", "format-2-heap.snapshot"})
  void aSnapshotRestoresEveryIdWithItsFirstSeenTime(String file) throws Exception {
    OperatorSubtaskState golden = OperatorSnapshotUtil.readStateHandle(golden(file).toString());
    ApiRequest fresh = request(3, t(1), 200, 1_000);
    OperatorSubtaskState again;
    try (var restored = restore(golden)) {
      restored.setProcessingTime(T0 + TTL.toMillis() - 1);
      for (ApiRequest r : SEEN) {
        restored.processElement(r, 0);
      }
      restored.processElement(fresh, 0);
      assertThat(restored.extractOutputValues()).containsExactly(fresh);
      again = restored.snapshot(2L, T0 + TTL.toMillis() - 1);
    }
    // Checkpointed again by the current code (format 2): the times still expire at T0 + TTL.
    try (var restored = restore(again)) {
      restored.setProcessingTime(T0 + TTL.toMillis());
      restored.processElement(SEEN.get(0), 0);
      restored.processElement(fresh, 0);
      assertThat(restored.extractOutputValues()).containsExactly(SEEN.get(0));
    }
  }

  /**
   * Writes the current format's snapshot; run by hand only, from flink-jobs, as a main class (see
   * the class comment).
   */
  public static void main(String[] args) throws Exception {
    Path file =
        Path.of("src/test/resources/golden/dedup-operator")
            .resolve("format-" + SeenIds.Serializer.FORMAT + "-heap.snapshot");
    if (Files.exists(file)) {
      throw new IllegalStateException(file + " exists: a format's snapshot is written once");
    }
    Files.createDirectories(file.getParent());
    try (var harness = harness()) {
      harness.setProcessingTime(T0);
      for (ApiRequest r : SEEN) {
        harness.processElement(r, 0);
      }
      OperatorSnapshotUtil.writeStateHandle(harness.snapshot(1L, T0), file.toString());
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> restore(
      OperatorSubtaskState state) throws Exception {
    KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new BucketedDeduplicateFunction<>(TTL, ApiRequest::dedupKey)),
            r -> SeenIds.bucketOf(r.dedupKey()),
            Types.INT);
    harness.setup();
    harness.initializeState(state);
    harness.open();
    return harness;
  }

  private static Path golden(String file) throws URISyntaxException {
    return Path.of(
        DedupStateUpgradeTest.class.getResource("/golden/dedup-operator/" + file).toURI());
  }
}
