package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.flink.api.records.ApiRequest;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeduplicateFunctionTest {

  private static final Duration TTL = Duration.ofMinutes(10);
  private static final long T0 = 1_000_000L;

  private KeyedOneInputStreamOperatorTestHarness<String, ApiRequest, ApiRequest> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new DeduplicateFunction<String, ApiRequest>(TTL), ApiRequest::eventId, Types.STRING);
    harness.setStateTtlProcessingTime(T0);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void secondCopyOfAnEventIsDropped() throws Exception {
    ApiRequest first = request(1, t(1), 200, 1_000);
    harness.processElement(first, t(1).toEpochMilli());
    harness.processElement(first, t(1).toEpochMilli());

    assertThat(harness.extractOutputValues()).containsExactly(first);
  }

  @Test
  void differentEventIdsAllPass() throws Exception {
    ApiRequest a = request(1, t(1), 200, 1_000);
    ApiRequest b = request(2, t(1), 200, 1_000);
    harness.processElement(a, t(1).toEpochMilli());
    harness.processElement(b, t(1).toEpochMilli());

    assertThat(harness.extractOutputValues()).containsExactly(a, b);
  }

  @Test
  void copyJustInsideTheTtlIsStillDropped() throws Exception {
    ApiRequest e = request(1, t(1), 200, 1_000);
    harness.processElement(e, t(1).toEpochMilli());
    harness.setStateTtlProcessingTime(T0 + TTL.toMillis() - 1);
    harness.processElement(e, t(1).toEpochMilli());

    assertThat(harness.extractOutputValues()).hasSize(1);
  }

  @Test
  void stateExpiresAfterTheTtlSoALaterCopyPassesAgain() throws Exception {
    ApiRequest e = request(1, t(1), 200, 1_000);
    harness.processElement(e, t(1).toEpochMilli());
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

    harness.setStateTtlProcessingTime(T0 + TTL.toMillis());
    harness.processElement(e, t(1).toEpochMilli());

    // The expired entry was not returned: the copy is treated as new (the documented horizon).
    assertThat(harness.extractOutputValues()).containsExactly(e, e);
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void ttlMustBePositive() {
    assertThatThrownBy(() -> new DeduplicateFunction<String, ApiRequest>(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TTL must be positive");
  }

  @Test
  void keyedByEventKeyIdsDifferingOnlyInLetterCaseAreTwoEventsAndCopiesAreDropped()
      throws Exception {
    ApiRequest lower = withId("0000000a-0000-0000-0000-000000000001");
    ApiRequest upper = withId("0000000A-0000-0000-0000-000000000001");
    try (KeyedOneInputStreamOperatorTestHarness<EventKey, ApiRequest, ApiRequest> byKey =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new DeduplicateFunction<EventKey, ApiRequest>(TTL),
            ApiRequest::dedupKey,
            EventKey.TYPE)) {
      byKey.setStateTtlProcessingTime(T0);
      byKey.processElement(lower, t(1).toEpochMilli());
      byKey.processElement(upper, t(1).toEpochMilli());
      byKey.processElement(withId(new String(lower.eventId())), t(1).toEpochMilli());
      byKey.processElement(upper, t(1).toEpochMilli());

      assertThat(byKey.extractOutputValues()).containsExactly(lower, upper);
    }
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
