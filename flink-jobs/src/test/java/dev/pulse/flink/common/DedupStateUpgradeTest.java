package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.ms;
import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.flink.api.records.ApiRequest;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restores the dedup operator (heap state, bucket tables, as the job runs by default) from operator
 * snapshots checked in under {@code golden/dedup-operator/}: {@code unversioned-heap.snapshot} was
 * taken by the code of commit 812caae (SeenIds format 1), {@code format-2-heap.snapshot} by SeenIds
 * format 2 (both: case-sensitive ids without tenant, remembered by processing time), {@code
 * format-3-heap.snapshot} by the current code. The current one must restore every id with its event
 * time; the older ones must be refused with how to upgrade. The failure this prevents: a savepoint
 * whose dedup tables are read in the wrong format, which lets duplicates through or fails the job
 * with an error no one can act on (see {@code SerializerGoldenTest} for the bytes).
 *
 * <p>A new SeenIds format adds its own file, written once by its {@code main} run by hand:
 *
 * <pre>
 * cd flink-jobs && mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp \
 *   && java -cp target/test-classes:target/classes:$(cat /tmp/cp) dev.pulse.flink.common.DedupStateUpgradeTest
 * </pre>
 */
class DedupStateUpgradeTest {

  private static final Duration H = Duration.ofSeconds(92);

  /** Seen before the snapshot, at event times t(1) and t(30). */
  private static final List<ApiRequest> SEEN =
      List.of(request(1, t(1), 200, 1_000), request(2, t(30), 200, 1_000));

  @Test
  void aSnapshotOfTheCurrentFormatRestoresEveryIdWithItsEventTime() throws Exception {
    OperatorSubtaskState golden =
        OperatorSnapshotUtil.readStateHandle(golden("format-3-heap.snapshot").toString());
    ApiRequest fresh = request(3, t(40), 200, 1_000);
    OperatorSubtaskState again;
    try (var restored = DedupHarness.HEAP_BUCKET_TABLES.restore(H, golden)) {
      restored.setProcessingTime(Duration.ofDays(30).toMillis()); // irrelevant
      restored.processWatermark(ms(1) + H.toMillis() - 1);
      for (ApiRequest r : SEEN) {
        restored.processElement(r, r.eventTime().toEpochMilli());
      }
      restored.processElement(fresh, fresh.eventTime().toEpochMilli());
      assertThat(restored.extractOutputValues()).containsExactly(fresh);
      again = restored.snapshot(2L, 0L);
    }
    // Checkpointed again by the current code: SEEN.get(1) (t(30)) is still remembered at t(1) + H.
    try (var restored = DedupHarness.HEAP_BUCKET_TABLES.restore(H, again)) {
      restored.processWatermark(ms(1) + H.toMillis());
      restored.processElement(SEEN.get(1), SEEN.get(1).eventTime().toEpochMilli());
      restored.processElement(fresh, fresh.eventTime().toEpochMilli());
      assertThat(restored.extractOutputValues()).isEmpty();
      assertThat(DedupHarness.beyond(restored)).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"unversioned-heap.snapshot", "format-2-heap.snapshot"})
  void aSnapshotOfFormatOneOrTwoIsRefusedWithHowToUpgrade(String file) throws Exception {
    OperatorSubtaskState golden = OperatorSnapshotUtil.readStateHandle(golden(file).toString());
    assertThatThrownBy(() -> DedupHarness.HEAP_BUCKET_TABLES.restore(H, golden).close())
        .satisfies(
            e ->
                assertThat(causes(e))
                    .contains("processing time")
                    .contains("flink stop --drain")
                    .contains("Upgrading from dedup state of formats 1-2"));
  }

  private static String causes(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause()) {
      all.append(c).append('\n');
      for (Throwable s : c.getSuppressed()) {
        all.append(causes(s));
      }
    }
    return all.toString();
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
    try (var harness = DedupHarness.HEAP_BUCKET_TABLES.open(H)) {
      for (ApiRequest r : SEEN) {
        harness.processElement(r, r.eventTime().toEpochMilli());
      }
      harness.processWatermark(ms(0));
      OperatorSnapshotUtil.writeStateHandle(harness.snapshot(1L, 0L), file.toString());
    }
  }

  private static Path golden(String file) throws URISyntaxException {
    return Path.of(
        DedupStateUpgradeTest.class.getResource("/golden/dedup-operator/" + file).toURI());
  }
}
