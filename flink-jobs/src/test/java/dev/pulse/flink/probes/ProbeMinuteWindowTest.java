package dev.pulse.flink.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.probes.records.ProbeKey;
import dev.pulse.flink.probes.records.ProbeMinute;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The minute window exactly as the job builds it ({@link ProbeJob#minutes}, default semantics:
 * allowed lateness 30 s), driven by explicit watermarks: the on-time row, a row of only the result
 * within the allowed lateness, a later result to the late output, nothing left after the window's
 * cleanup.
 */
class ProbeMinuteWindowTest {

  private static final long START = 1_796_079_600_000L; // 2026-11-30T23:00:00Z

  private KeyedOneInputStreamOperatorTestHarness<ProbeKey, ProbeCheck, ProbeMinute> harness;

  @BeforeEach
  @SuppressWarnings({"unchecked", "rawtypes"})
  void open() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    var input = env.fromData(List.of(check(0, "eu-west", true, 1)), ProbeCheck.TYPE);
    OneInputTransformation<ProbeCheck, ProbeMinute> window =
        (OneInputTransformation<ProbeCheck, ProbeMinute>)
            ProbeJob.minutes(input, StreamSemantics.from(new Configuration())).getTransformation();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            window.getOperatorFactory(),
            (KeySelector<ProbeCheck, ProbeKey>) window.getStateKeySelector(),
            (TypeInformation<ProbeKey>) window.getStateKeyType());
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void onTimeRowThenARowOfOnlyTheResultWithinTheLatenessThenLateOutputAndNothingLeft()
      throws Exception {
    process(check(10, "eu-west", true, 20));
    process(check(40, "eu-west", false, 10_000));
    process(check(15, "us-east", true, 90));
    process(check(70, "eu-west", true, 30)); // the next minute
    harness.processWatermark(START + 60_000 - 1); // the first minute's last millisecond

    assertThat(harness.extractOutputValues())
        .containsExactlyInAnyOrder(
            new ProbeMinute("platform", "g/health", "eu-west", START, 2, 1, 10_020),
            new ProbeMinute("platform", "g/health", "us-east", START, 1, 1, 90));

    harness.processWatermark(START + 75_000);
    process(check(50, "eu-west", false, 10_000)); // late, within the 30 s allowed lateness
    assertThat(harness.extractOutputValues())
        .hasSize(3)
        .last()
        .isEqualTo(new ProbeMinute("platform", "g/health", "eu-west", START, 1, 0, 10_000));

    harness.processWatermark(START + 90_000 - 1); // window end + allowed lateness: cleaned up
    ProbeCheck late = check(55, "eu-west", true, 25);
    process(late);
    var lateOutput = harness.getSideOutput(ProbeJob.LATE_RESULTS);
    assertThat(lateOutput.stream().map(StreamRecord::getValue).toList()).containsExactly(late);

    harness.processWatermark(START + 150_000 - 1); // the second minute too
    Map<Long, Long> checksByMinute = new java.util.TreeMap<>();
    harness
        .extractOutputValues()
        .forEach(m -> checksByMinute.merge(m.minuteMs(), m.checks(), Long::sum));
    assertThat(checksByMinute).isEqualTo(Map.of(START, 4L, START + 60_000, 1L));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  private void process(ProbeCheck c) throws Exception {
    harness.processElement(c, c.timeMs());
  }

  private static int next;

  private static ProbeCheck check(int second, String region, boolean success, long latencyMs) {
    return new ProbeCheck(
        "id-" + next++,
        "platform",
        "g/health",
        region,
        START + second * 1000L,
        success,
        latencyMs,
        success ? null : "HTTP 503");
  }
}
