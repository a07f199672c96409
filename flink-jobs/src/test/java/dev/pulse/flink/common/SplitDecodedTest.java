package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.ms;
import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.api.records.ApiRequest;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class SplitDecodedTest {

  @Test
  void eventsGoOnWithTheirEventTimeAndDeadLettersGoToTheSideOutputUnchanged() throws Exception {
    DeadLetter letter =
        new DeadLetter(
            "pulse.api.requests", 1, 8, "TRUNCATED", "cut short", new byte[] {1, 2}, t(60));
    ApiRequest first = request(1, t(5), 200, 1_000);
    ApiRequest second = request(2, t(7), 500, 2_000);
    try (OneInputStreamOperatorTestHarness<Decoded<ApiRequest>, ApiRequest> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new SplitDecoded<>(TypeInformation.of(ApiRequest.class)))) {
      harness.processElement(Decoded.ofEvent("pulse.api.requests", 1, 7, first), ms(5));
      // A dead letter keeps the Kafka record's timestamp; it never enters a window.
      harness.processElement(Decoded.ofDeadLetter(letter), ms(3_600));
      harness.processElement(Decoded.ofEvent("pulse.api.requests", 1, 9, second), ms(7));

      assertThat(harness.extractOutputStreamRecords())
          .containsExactly(new StreamRecord<>(first, ms(5)), new StreamRecord<>(second, ms(7)));
      List<StreamRecord<DeadLetter>> dead =
          List.copyOf(harness.getSideOutput(SplitDecoded.DEAD_LETTERS));
      assertThat(dead).hasSize(1);
      // The harness copies records through their serializer, so compare field by field (bytes by
      // content).
      assertThat(dead.get(0).getValue()).usingRecursiveComparison().isEqualTo(letter);
      assertThat(dead.get(0).getTimestamp()).isEqualTo(ms(3_600));
    }
  }

  @Test
  void decodedHoldsExactlyOneOfEventAndDeadLetter() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new Decoded<ApiRequest>("t", 0, 0, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    DeadLetter letter = new DeadLetter("t", 0, 0, "EMPTY", "empty", null, Instant.EPOCH);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new Decoded<>("t", 0, 0, request(1, t(1), 200, 1), letter))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
