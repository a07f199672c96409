package dev.pulse.flink.api.functions;

import static dev.pulse.flink.testing.ApiEvents.ms;
import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class LateRequestFunctionTest {

  @Test
  void lateRequestCarriesTheWatermarkItArrivedBehindAndHowFar() throws Exception {
    try (OneInputStreamOperatorTestHarness<ApiRequest, LateApiRequest> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(new LateRequestFunction())) {
      harness.processWatermark(ms(600));
      ApiRequest late = request(1, t(45), 200, 1_000);
      harness.processElement(late, late.eventTime().toEpochMilli());

      assertThat(harness.extractOutputValues())
          .containsExactly(new LateApiRequest(late, t(600), 555_000));
    }
  }
}
