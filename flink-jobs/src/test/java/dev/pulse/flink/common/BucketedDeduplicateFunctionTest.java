package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.flink.api.records.ApiRequest;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BucketedDeduplicateFunctionTest {

  private static final Duration TTL = Duration.ofMinutes(10);
  private static final long T0 = 1_000_000L;

  private KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> harness;

  private static KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest>
      newHarness() throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new BucketedDeduplicateFunction<>(TTL, ApiRequest::dedupKey),
        r -> SeenIds.bucketOf(r.dedupKey()),
        Types.INT);
  }

  @BeforeEach
  void open() throws Exception {
    harness = newHarness();
    harness.setProcessingTime(T0);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private void process(ApiRequest r) throws Exception {
    harness.processElement(r, r.eventTime().toEpochMilli());
  }

  @Test
  void secondCopyOfAnEventIsDroppedAndOthersPass() throws Exception {
    ApiRequest a = request(1, t(1), 200, 1_000);
    ApiRequest b = request(2, t(1), 200, 1_000);
    process(a);
    process(b);
    process(a);
    process(b);

    assertThat(harness.extractOutputValues()).containsExactly(a, b);
  }

  @Test
  void idsDifferingOnlyInLetterCaseAreTwoEvents() throws Exception {
    ApiRequest lower = withId("0000000a-0000-0000-0000-000000000001");
    ApiRequest upper = withId("0000000A-0000-0000-0000-000000000001");
    process(lower);
    process(upper);
    process(withId(new String(lower.eventId())));

    assertThat(harness.extractOutputValues()).containsExactly(lower, upper);
  }

  @Test
  void copyJustInsideTheTtlIsDroppedAndOneAtTheTtlPassesAgain() throws Exception {
    ApiRequest e = request(1, t(1), 200, 1_000);
    process(e);
    harness.setProcessingTime(T0 + TTL.toMillis() - 1);
    process(e);
    assertThat(harness.extractOutputValues()).hasSize(1);

    harness.setProcessingTime(T0 + TTL.toMillis());
    process(e);
    assertThat(harness.extractOutputValues()).containsExactly(e, e);
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void idsSurviveACheckpointAndRestore() throws Exception {
    ApiRequest a = request(1, t(1), 200, 1_000);
    ApiRequest b = request(2, t(1), 200, 1_000);
    process(a);
    OperatorSubtaskState snapshot = harness.snapshot(1L, T0);
    process(b); // after the checkpoint: replayed after the restore, so it passes again

    try (KeyedOneInputStreamOperatorTestHarness<Integer, ApiRequest, ApiRequest> restored =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new BucketedDeduplicateFunction<>(TTL, ApiRequest::dedupKey)),
            r -> SeenIds.bucketOf(r.dedupKey()),
            Types.INT)) {
      restored.setup();
      restored.initializeState(snapshot);
      restored.open();
      restored.setProcessingTime(T0 + 1);
      restored.processElement(a, 0);
      restored.processElement(b, 0);
      restored.processElement(b, 0);

      assertThat(restored.extractOutputValues()).containsExactly(b);
    }
  }

  @Test
  void ttlMustBePositive() {
    assertThatThrownBy(
            () -> new BucketedDeduplicateFunction<ApiRequest>(Duration.ZERO, ApiRequest::dedupKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TTL must be positive");
  }

  private static ApiRequest withId(String id) {
    ApiRequest r = request(1, t(1), 200, 1_000);
    return new ApiRequest(
        id,
        r.tenantId(),
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
