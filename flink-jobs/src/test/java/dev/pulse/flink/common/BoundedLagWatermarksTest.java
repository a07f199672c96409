package dev.pulse.flink.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class BoundedLagWatermarksTest {

  private final List<Long> emitted = new ArrayList<>();
  private final WatermarkOutput output =
      new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
          emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
      };

  @Test
  void watermarkTrailsTheHighestEventTimeByTheBoundAndEmitsOnEventEveryStep() {
    BoundedLagWatermarks<String> g = new BoundedLagWatermarks<>(2_000, 1_000);

    g.onEvent("a", 10_000, output); // first event: 10_000 - 2_000 - 1
    g.onEvent("b", 10_500, output); // moved less than a step: wait for the periodic emit
    g.onEvent("c", 9_000, output); // out of order: never moves the watermark back
    g.onEvent("d", 11_000, output); // a whole step past 7_999

    assertThat(emitted).containsExactly(7_999L, 8_999L);

    g.onEvent("e", 11_200, output);
    g.onPeriodicEmit(output);
    g.onPeriodicEmit(output); // nothing new: no repeated watermark

    assertThat(emitted).containsExactly(7_999L, 8_999L, 9_199L);
  }
}
