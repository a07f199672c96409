package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.ms;
import static dev.pulse.flink.testing.ApiEvents.request;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.api.ApiMetricsJob;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.config.DedupStateLayout;
import dev.pulse.flink.common.config.StreamSemantics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/** The job's watermark strategy, as one source split (Kafka partition) runs it. */
class DecodedWatermarksTest {

  private static final StreamSemantics SEMANTICS =
      new StreamSemantics(
          Duration.ofSeconds(2),
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          null,
          DedupStateLayout.BUCKET_TABLES,
          0,
          Duration.ofSeconds(10));

  private final WatermarkStrategy<Decoded<ApiRequest>> strategy =
      ApiMetricsJob.watermarks(SEMANTICS);
  private final ManualClock activity = new ManualClock();
  private final List<String> emitted = new ArrayList<>();
  private final WatermarkOutput output =
      new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
          emitted.add(Long.toString(watermark.getTimestamp()));
        }

        @Override
        public void markIdle() {
          emitted.add("idle");
        }

        @Override
        public void markActive() {
          emitted.add("active");
        }
      };

  private final WatermarkGenerator<Decoded<ApiRequest>> generator =
      strategy.createWatermarkGenerator(
          new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
              return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
              return activity;
            }
          });

  private final TimestampAssigner<Decoded<ApiRequest>> timestamps =
      strategy.createTimestampAssigner(
          new TimestampAssignerSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
              return new UnregisteredMetricsGroup();
            }
          });

  @Test
  void eventsTimestampIsItsEventTimeAndADeadLettersIsItsKafkaTimestamp() {
    assertThat(timestamps.extractTimestamp(event(1, 5), ms(999))).isEqualTo(ms(5));
    assertThat(timestamps.extractTimestamp(deadLetter(2), ms(999))).isEqualTo(ms(999));
  }

  @Test
  void watermarkTrailsTheHighestEventTimeByTheOutOfOrdernessAndDeadLettersNeverMoveIt() {
    onEvent(event(1, 10), ms(10));
    // A dead letter whose Kafka timestamp is an hour ahead: event time must not move.
    onEvent(deadLetter(2), ms(3_600));
    generator.onPeriodicEmit(output);
    onEvent(event(3, 12), ms(12));

    assertThat(emitted)
        .containsExactly(Long.toString(ms(10) - 2_001), Long.toString(ms(12) - 2_001));
  }

  @Test
  void partitionWithoutEventsGoesIdleAfterTheIdlenessAndDeadLettersDoNotKeepItActive() {
    onEvent(event(1, 10), ms(10));
    emitted.clear();

    for (int i = 0; i < 12; i++) {
      tick(Duration.ofSeconds(1));
      onEvent(deadLetter(100 + i), ms(10 + i)); // garbage every second: not activity
    }

    assertThat(emitted).containsExactly("idle"); // idle once, after 10 s of no valid event

    onEvent(event(3, 21), ms(21)); // a valid event makes it active again
    assertThat(emitted).containsExactly("idle", Long.toString(ms(21) - 2_001));
  }

  @Test
  void partitionWithEventsWithinTheIdlenessStaysActive() {
    for (int i = 0; i < 4; i++) {
      onEvent(event(i, 10 + 0.1 * i), ms(10 + 0.1 * i));
      tick(Duration.ofSeconds(9));
    }

    assertThat(emitted).doesNotContain("idle");
  }

  /** Lets {@code d} pass on the input-activity clock with Flink's periodic emits every 200 ms. */
  private void tick(Duration d) {
    for (long done = 0; done < d.toMillis(); done += 200) {
      activity.advanceTime(Duration.ofMillis(200));
      generator.onPeriodicEmit(output);
    }
  }

  private void onEvent(Decoded<ApiRequest> record, long kafkaTimestamp) {
    generator.onEvent(record, timestamps.extractTimestamp(record, kafkaTimestamp), output);
  }

  private static Decoded<ApiRequest> event(long n, double seconds) {
    return Decoded.ofEvent("pulse.api.requests", 0, n, request(n, t(seconds), 200, 1_000));
  }

  private static Decoded<ApiRequest> deadLetter(long offset) {
    return Decoded.ofDeadLetter(
        new DeadLetter(
            "pulse.api.requests", 0, offset, "TRUNCATED", "cut short", new byte[] {1}, t(0)));
  }
}
