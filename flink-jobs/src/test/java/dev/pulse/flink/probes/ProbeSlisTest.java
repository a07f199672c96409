package dev.pulse.flink.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.probes.functions.ProbeSlis;
import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.slo.SloFiles;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** What a probe result adds to the example SLOs: grades-api-uptime selects its target only. */
class ProbeSlisTest {

  @Test
  void aResultOfTheSelectedTargetIsOneEligibleEventGoodWhenItPassed() {
    ProbeSlis slis = new ProbeSlis(SloFiles.examples().catalog().slos());
    assertThat(slis.isEmpty()).isFalse();
    List<SliCount> out = new ArrayList<>();
    Collector<SliCount> collector =
        new Collector<>() {
          @Override
          public void collect(SliCount c) {
            out.add(c);
          }

          @Override
          public void close() {}
        };
    slis.flatMap(check("grades-api/health", true), collector);
    slis.flatMap(check("grades-api/health", false), collector);
    slis.flatMap(check("courses-api/health", false), collector);
    assertThat(out)
        .containsExactly(
            new SliCount("platform", "grades-api-uptime", 1_000, 1, 1),
            new SliCount("platform", "grades-api-uptime", 1_000, 0, 1));
    assertThat(new ProbeSlis(List.of()).isEmpty()).isTrue();
  }

  private static ProbeCheck check(String target, boolean success) {
    return new ProbeCheck("id", "platform", target, "ap-south", 1_000, success, 50, null);
  }
}
