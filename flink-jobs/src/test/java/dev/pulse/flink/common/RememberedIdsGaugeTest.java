package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.ms;
import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.config.DedupStateLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Review M9: the dedup's gauge {@code rememberedIds} says how many ids a subtask holds (what its
 * memory grows with), compared with the ids found in its state by the harness, including right
 * after a restore and a rescale; and beyond {@code dedup-warn-ids-per-subtask} the subtask logs the
 * figures at most once a minute of processing time, and still drops every duplicate.
 */
class RememberedIdsGaugeTest {

  private static final Duration H = Duration.ofSeconds(92);

  private static void process(
      KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> h, ApiRequest r)
      throws Exception {
    h.processElement(r, r.eventTime().toEpochMilli());
  }

  private static long gauge(
      KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> h) {
    return DedupHarness.rememberedIds(h);
  }

  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void theGaugeCountsTheIdsHeldAndFollowsTheWatermarkForgettingThem(DedupHarness setup)
      throws Exception {
    try (var h = setup.open(H)) {
      for (int i = 0; i < 1_000; i++) {
        process(h, request(i, t(1), 200, 1_000));
        process(h, request(i, t(1), 200, 1_000)); // a duplicate holds nothing more
      }
      assertThat(gauge(h)).isEqualTo(1_000).isEqualTo(setup.held(h).ids());

      // Past the horizon and a quarter: the first 1,000 are forgotten (swept, or dropped by the
      // tables they share with the next ids); 500 new ids arrive.
      h.processWatermark(ms(1) + H.toMillis() + H.toMillis() / 4 + 1);
      for (int i = 1_000; i < 1_500; i++) {
        process(h, request(i, t(200), 200, 1_000));
      }

      assertThat(gauge(h)).isEqualTo(setup.held(h).ids());
      if (setup.layout == DedupStateLayout.ENTRY_PER_ID) {
        assertThat(gauge(h)).isEqualTo(500); // every old entry swept by its timer
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void afterARestoreTheGaugeCountsEveryRestoredIdBeforeAnyEvent(DedupHarness setup)
      throws Exception {
    OperatorSubtaskState state;
    try (var h = setup.open(H)) {
      for (int i = 0; i < 1_000; i++) {
        process(h, request(i, t(1), 200, 1_000));
      }
      state = h.snapshot(1L, 0L);
    }
    try (var restored = setup.restore(H, state)) {
      assertThat(setup.held(restored).ids()).isEqualTo(1_000);
      assertThat(gauge(restored)).isEqualTo(1_000);
    }
  }

  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void afterARescaleEachSubtaskCountsTheIdsOfItsOwnBuckets(DedupHarness setup) throws Exception {
    OperatorSubtaskState state;
    try (var h = setup.openRescalable(H)) {
      for (int i = 0; i < 1_000; i++) {
        process(h, request(i, t(1), 200, 1_000));
      }
      state = h.snapshot(1L, 0L);
    }
    long total = 0;
    for (int index = 0; index < 2; index++) {
      try (var subtask = setup.restoreRescaled(H, state, 2, index)) {
        long held = setup.held(subtask).ids();
        assertThat(held).as("subtask %d holds some of the ids", index).isBetween(1L, 999L);
        assertThat(gauge(subtask)).as("subtask %d", index).isEqualTo(held);
        total += held;
      }
    }
    assertThat(total).isEqualTo(1_000);
  }

  @ParameterizedTest
  @EnumSource(
      value = DedupHarness.class,
      names = {"HEAP_BUCKET_TABLES", "ROCKSDB_ENTRY_PER_ID"})
  void beyondTheLimitTheFiguresAreLoggedAtMostOncePerMinuteAndEveryDuplicateIsStillDropped(
      DedupHarness setup) throws Exception {
    long p0 = 1_000_000L;
    List<ApiRequest> sent = new ArrayList<>();
    try (var log = new CapturedLog(BucketedDeduplicateFunction.class);
        var h = setup.open(H, 100)) {
      h.setProcessingTime(p0);
      for (int i = 0; i < 100; i++) {
        sent.add(request(i, t(1), 200, 1_000));
        process(h, sent.get(i));
      }
      assertThat(log.messages()).as("at the limit, not beyond it").isEmpty();

      for (int i = 100; i < 150; i++) {
        sent.add(request(i, t(1), 200, 1_000));
        process(h, sent.get(i));
      }
      assertThat(log.messages())
          .singleElement()
          .asString()
          .startsWith("WARN dedup-api-requests (1/1) holds 101 event ids, more than")
          .contains("dedup-warn-ids-per-subtask = 100", "Every id is kept", "dedup-horizon, 92 s");

      h.setProcessingTime(p0 + 59_999);
      sent.add(request(150, t(1), 200, 1_000));
      process(h, sent.get(150));
      assertThat(log.messages()).hasSize(1);

      h.setProcessingTime(p0 + 60_000);
      sent.add(request(151, t(1), 200, 1_000));
      process(h, sent.get(151));
      assertThat(log.messages()).hasSize(2);
      assertThat(log.messages().get(1)).contains("holds 152 event ids");

      for (ApiRequest r : sent) {
        process(h, r);
      }
      assertThat(h.extractOutputValues()).containsExactlyElementsOf(sent);
      assertThat(gauge(h)).isEqualTo(152);
    }
  }
}
