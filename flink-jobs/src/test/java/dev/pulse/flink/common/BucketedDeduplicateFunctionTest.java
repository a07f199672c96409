package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.ms;
import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.config.DedupStateLayout;
import java.time.Duration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The dedup rule on every state backend and layout the job can run with (heap and RocksDB, bucket
 * tables and one entry per id), with explicit watermarks and processing time: an id is remembered
 * until the watermark passes its event time plus the horizon, and nothing else forgets it.
 */
class BucketedDeduplicateFunctionTest {

  /** The job's default: 1 min window + 30 s allowed lateness + 2 s out-of-orderness. */
  private static final Duration H = Duration.ofSeconds(92);

  /** Processing time at the start; the tests move it by days to show it does not matter. */
  private static final long P0 = 1_000_000L;

  private static final long DAY = Duration.ofDays(1).toMillis();

  private static void process(
      KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> h, ApiRequest r)
      throws Exception {
    h.processElement(r, r.eventTime().toEpochMilli());
  }

  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void aCopyOfAnEventIsDroppedAndOtherEventsPass(DedupHarness setup) throws Exception {
    try (var h = setup.open(H)) {
      ApiRequest a = request(1, t(1), 200, 1_000);
      ApiRequest b = request(2, t(1), 200, 1_000);
      process(h, a);
      process(h, b);
      process(h, a);
      process(h, b);

      assertThat(h.extractOutputValues()).containsExactly(a, b);
    }
  }

  /** Review m4: RFC 4122 UUIDs are case-insensitive; a retry re-serialized in upper case. */
  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void aCopyWhoseIdIsInUpperCaseIsDropped(DedupHarness setup) throws Exception {
    try (var h = setup.open(H)) {
      ApiRequest lower =
          withId(request(1, t(1), 200, 1_000), "t1", "0000000a-0000-0000-0000-00000000000b");
      ApiRequest upper = withId(lower, "t1", "0000000A-0000-0000-0000-00000000000B");
      process(h, lower);
      process(h, upper);

      assertThat(h.extractOutputValues()).containsExactly(lower);
    }
  }

  /** Review m5: a deterministic or name-based event_id reused by another institution. */
  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void theSameIdInTwoTenantsIsTwoEventsAndEachTenantsCopyIsDropped(DedupHarness setup)
      throws Exception {
    try (var h = setup.open(H)) {
      ApiRequest first = request(1, t(1), 200, 1_000);
      ApiRequest otherTenant = withId(first, "t2", first.eventId());
      process(h, first);
      process(h, otherTenant);
      process(h, first);
      process(h, otherTenant);

      assertThat(h.extractOutputValues()).containsExactly(first, otherTenant);
    }
  }

  /**
   * Review M1: the old processing-time TTL (1 h) forgot every id over a long enough pause. Here
   * days of processing time pass and the copy is still dropped; only the watermark forgets.
   */
  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void daysOfProcessingTimeForgetNothingOnlyTheWatermarkPassingEventTimePlusTheHorizonDoes(
      DedupHarness setup) throws Exception {
    try (var h = setup.open(H)) {
      h.setProcessingTime(P0);
      ApiRequest e = request(1, t(10), 200, 1_000);
      h.processWatermark(ms(0));
      process(h, e);

      h.setProcessingTime(P0 + 3 * DAY);
      process(h, e);
      h.processWatermark(ms(10) + H.toMillis() - 1); // 1 ms short of forgetting
      process(h, e);
      assertThat(h.extractOutputValues()).containsExactly(e);
      assertThat(DedupHarness.beyond(h)).isEmpty();

      h.processWatermark(ms(10) + H.toMillis());
      process(h, e); // forgotten, and beyond the horizon: late, never counted
      assertThat(h.extractOutputValues()).containsExactly(e);
      assertThat(DedupHarness.beyond(h)).containsExactly(e);
    }
  }

  /**
   * Beyond the horizon an event is late for its window: it goes to the late output, never to the
   * counted stream; its own copies are dropped (the simulator's duplicates of late events).
   */
  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void anEventBeyondTheHorizonGoesToTheLateOutputOnceAndItsCopiesAreDropped(DedupHarness setup)
      throws Exception {
    try (var h = setup.open(H)) {
      h.processWatermark(ms(200));
      ApiRequest old = request(1, t(200 - 92), 200, 1_000); // exactly at the horizon
      ApiRequest within = request(2, t(200 - 91.999), 200, 1_000);
      process(h, old);
      process(h, old);
      process(h, within);
      process(h, within);

      assertThat(h.extractOutputValues()).containsExactly(within);
      assertThat(DedupHarness.beyond(h)).containsExactly(old);
      assertThat(setup.held(h).ids()).isEqualTo(2);

      // The late one is remembered for a horizon from the watermark it arrived at (200 s).
      h.processWatermark(ms(200) + H.toMillis() - 1);
      process(h, old);
      assertThat(DedupHarness.beyond(h)).containsExactly(old);
      h.processWatermark(ms(200) + H.toMillis());
      process(h, old);
      assertThat(DedupHarness.beyond(h)).containsExactly(old, old);
    }
  }

  /**
   * Fault test 5(e) of issue 7 at operator level: checkpoint, a downtime of a week (processing
   * time), restore, and a replay of what followed the checkpoint plus producer retries of events
   * before it. The watermark restarts at MIN after the restore, so the restored ids are all still
   * remembered and every duplicate is dropped; with the old 1 h processing-time TTL, a and b passed
   * again.
   */
  @ParameterizedTest
  @EnumSource(DedupHarness.class)
  void afterARestoreFollowingAWeekOfDowntimeReplayedDuplicatesAreDropped(DedupHarness setup)
      throws Exception {
    ApiRequest a = request(1, t(1), 200, 1_000);
    ApiRequest b = request(2, t(50), 200, 1_000);
    ApiRequest c = request(3, t(70), 200, 1_000);
    OperatorSubtaskState checkpoint;
    try (var h = setup.open(H)) {
      h.setProcessingTime(P0);
      process(h, a);
      h.processWatermark(ms(40));
      process(h, b);
      h.processWatermark(ms(60));
      checkpoint = h.snapshot(1L, P0);
      process(h, c); // after the checkpoint: replayed after the restore
      assertThat(h.extractOutputValues()).containsExactly(a, b, c);
    }

    try (var h = setup.restore(H, checkpoint)) {
      h.setProcessingTime(P0 + 7 * DAY);
      process(h, c); // the replay
      process(h, a); // a retry of a, read after the checkpoint
      h.processWatermark(ms(65));
      process(h, b); // a retry of b
      process(h, c); // and of c
      assertThat(h.extractOutputValues()).containsExactly(c);
      assertThat(DedupHarness.beyond(h)).isEmpty();

      // Forgetting still works after the restore: a is forgotten once the watermark passes
      // t(1) + H, b and c later.
      h.processWatermark(ms(1) + H.toMillis());
      process(h, b);
      process(h, c);
      assertThat(h.extractOutputValues()).containsExactly(c);
      process(h, a);
      assertThat(DedupHarness.beyond(h)).containsExactly(a);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DedupHarness.class,
      names = {"HEAP_ENTRY_PER_ID", "ROCKSDB_ENTRY_PER_ID"})
  void perIdEntriesAndTheirSweepTimersAreClearedOnceTheWatermarkPassesTheHorizon(DedupHarness setup)
      throws Exception {
    try (var h = setup.open(H)) {
      for (int i = 0; i < 100; i++) {
        process(h, request(i, t(i * 0.5), 200, 1_000));
      }
      assertThat(setup.held(h).ids()).isEqualTo(100);
      assertThat(h.numEventTimeTimers()).isPositive();

      h.processWatermark(ms(49.5) + H.toMillis() + H.toMillis() / 4);

      assertThat(setup.held(h)).isEqualTo(new DedupHarness.Held(0, 0));
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DedupHarness.class,
      names = {"HEAP_BUCKET_TABLES", "ROCKSDB_BUCKET_TABLES"})
  void bucketTablesUseNoTimers(DedupHarness setup) throws Exception {
    try (var h = setup.open(H)) {
      for (int i = 0; i < 100; i++) {
        process(h, request(i, t(i * 0.5), 200, 1_000));
      }
      h.processWatermark(ms(49.5) + 2 * H.toMillis());
      assertThat(h.numEventTimeTimers()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  @org.junit.jupiter.api.Test
  void horizonMustBePositive() {
    assertThatThrownBy(
            () ->
                new BucketedDeduplicateFunction<ApiRequest>(
                    Duration.ZERO,
                    DedupStateLayout.BUCKET_TABLES,
                    ApiRequest::dedupKey,
                    DedupHarness.BEYOND,
                    0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("horizon must be positive");
  }

  static ApiRequest withId(ApiRequest r, String tenant, String id) {
    return new ApiRequest(
        id,
        tenant,
        r.eventTime(),
        r.service(),
        r.endpoint(),
        r.method(),
        r.statusCode(),
        r.latencyUs(),
        r.region(),
        r.traceId());
  }
}
