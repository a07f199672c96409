package dev.pulse.flink.api.functions;

import static dev.pulse.flink.testing.ApiEvents.START;
import static dev.pulse.flink.testing.ApiEvents.ms;
import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.metrics.LatencyBuckets;
import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.api.ApiMetricsJob;
import dev.pulse.flink.api.records.ApiKey;
import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.ApiRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The minute window exactly as the job builds it ({@link ApiMetricsJob#minuteFacts}), driven by
 * explicit watermarks: on-time rows, delta rows for late firings, the late side output, cleanup.
 */
class MinuteFactWindowTest {

  /**
   * Allowed lateness 30 s: the window [START, START+60s) is dropped once the watermark reaches
   * START+89.999s.
   */
  private static final ApiMetricsConfig CONFIG = ApiMetricsConfig.defaults();

  private KeyedOneInputStreamOperatorTestHarness<ApiKey, ApiRequest, ApiMinuteFact> harness;

  @BeforeEach
  @SuppressWarnings({"unchecked", "rawtypes"})
  void open() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    var input =
        env.fromData(List.of(request(0, t(0), 200, 1)), TypeInformation.of(ApiRequest.class));
    OneInputTransformation<ApiRequest, ApiMinuteFact> window =
        (OneInputTransformation<ApiRequest, ApiMinuteFact>)
            ApiMetricsJob.minuteFacts(input, CONFIG.semantics()).getTransformation();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            window.getOperatorFactory(),
            (KeySelector<ApiRequest, ApiKey>) window.getStateKeySelector(),
            (TypeInformation<ApiKey>) window.getStateKeyType());
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void onTimeFiringThenLateEventWithinAllowedLatenessEmitsADeltaRowWithOnlyTheLateEvent()
      throws Exception {
    process(request(1, t(10), 200, 50_000));
    process(request(2, t(20), 503, 250_000));
    process(request(3, t(30), 404, 2_000_000));
    harness.processWatermark(ms(60) - 1); // the window's last millisecond: it fires

    ApiMinuteFact onTime = single(harness.extractOutputValues());
    assertThat(onTime.minute()).isEqualTo(START);
    assertThat(onTime.tenantId()).isEqualTo("t1");
    assertThat(onTime.endpoint()).isEqualTo("/courses/{id}");
    assertThat(onTime.method()).isEqualTo("GET");
    assertThat(onTime.region()).isEqualTo("eu-west");
    assertThat(onTime.requests()).isEqualTo(3);
    assertThat(onTime.errors5xx()).isEqualTo(1);
    assertThat(onTime.errors4xx()).isEqualTo(1);
    assertThat(onTime.latencySumUs()).isEqualTo(2_300_000);
    assertThat(onTime.latencyMaxUs()).isEqualTo(2_000_000);
    assertThat(histogram(onTime))
        .isEqualTo(counts(Map.of(50_000L, 1L, 250_000L, 1L, 2_000_000L, 1L)));
    assertThat(onTime.thresholdUs()).containsExactly(100_000, 300_000, 1_000_000);
    // 50 ms is under all three; 250 ms under 300 ms and 1 s; 2 s under none.
    assertThat(onTime.underThreshold()).containsExactly(1, 2, 2);

    harness.processWatermark(ms(70));
    process(request(4, t(45), 500, 100_000)); // late, but within 30 s of allowed lateness

    List<ApiMinuteFact> rows = harness.extractOutputValues();
    assertThat(rows).hasSize(2);
    ApiMinuteFact delta = rows.get(1);
    assertThat(delta.minute()).isEqualTo(START);
    assertThat(delta.requests()).isEqualTo(1);
    assertThat(delta.errors5xx()).isEqualTo(1);
    assertThat(delta.errors4xx()).isZero();
    assertThat(delta.latencySumUs()).isEqualTo(100_000);
    assertThat(histogram(delta)).isEqualTo(counts(Map.of(100_000L, 1L)));
    // "Under" includes the threshold itself: 100 ms counts under 100 ms.
    assertThat(delta.underThreshold()).containsExactly(1, 1, 1);
    // The maximum so far is repeated (max over rows stays 2 s, not inflated, not lost).
    assertThat(delta.latencyMaxUs()).isEqualTo(2_000_000);
    assertThat(lateOutput()).isEmpty();
  }

  @Test
  void eventBeyondAllowedLatenessGoesToTheLateOutputAndAddsNoRow() throws Exception {
    process(request(1, t(10), 200, 50_000));
    harness.processWatermark(ms(90)); // past START+60s-1ms+30s: the window is gone
    ApiRequest late = request(2, t(45), 200, 80_000);
    process(late);

    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(harness.extractOutputValues().get(0).requests()).isEqualTo(1);
    assertThat(lateOutput()).containsExactly(late);
  }

  @Test
  void stateAndTimersAreClearedAfterTheWindowsCleanupTime() throws Exception {
    process(request(1, t(10), 200, 50_000));
    harness.processWatermark(ms(60) - 1);
    harness.processWatermark(ms(70));
    process(request(2, t(20), 200, 60_000)); // a late firing writes the "emitted" state again
    assertThat(harness.numKeyedStateEntries()).isPositive();

    harness.processWatermark(ms(90) - 1); // = window max timestamp + allowed lateness

    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(harness.extractOutputValues()).hasSize(2);
  }

  @Test
  void eachEndpointAndEachMinuteGetsItsOwnRow() throws Exception {
    process(request(1, t(10), "/a", 200, 1_000));
    process(request(2, t(11), "/b", 200, 2_000));
    process(request(3, t(70), "/a", 200, 3_000));
    harness.processWatermark(ms(120));

    Map<String, Long> requestsByEndpointAndMinute = new TreeMap<>();
    for (ApiMinuteFact f : harness.extractOutputValues()) {
      requestsByEndpointAndMinute.merge(f.endpoint() + "@" + f.minute(), f.requests(), Long::sum);
    }
    assertThat(requestsByEndpointAndMinute)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "/a@" + START, 1L,
                "/b@" + START, 1L,
                "/a@" + START.plus(Duration.ofMinutes(1)), 1L));
  }

  private void process(ApiRequest r) throws Exception {
    harness.processElement(r, r.eventTime().toEpochMilli());
  }

  private List<ApiRequest> lateOutput() {
    var queue = harness.getSideOutput(ApiMetricsJob.LATE_REQUESTS);
    return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
  }

  private static ApiMinuteFact single(List<ApiMinuteFact> rows) {
    assertThat(rows).hasSize(1);
    return rows.get(0);
  }

  private static Map<Integer, Long> histogram(ApiMinuteFact f) {
    assertThat(f.latencyBuckets()).hasSameSizeAs(f.latencyCounts()).isSorted();
    Map<Integer, Long> h = new TreeMap<>();
    for (int i = 0; i < f.latencyBuckets().length; i++) {
      h.put(f.latencyBuckets()[i], f.latencyCounts()[i]);
    }
    return h;
  }

  /** The expected histogram of latencies (value -> how many), through the stored bucket mapping. */
  private static Map<Integer, Long> counts(Map<Long, Long> latencies) {
    Map<Integer, Long> h = new TreeMap<>();
    latencies.forEach((latency, n) -> h.merge(LatencyBuckets.bucketOf(latency), n, Long::sum));
    return h;
  }
}
