package dev.pulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same seed must give the same records byte for byte, or no test downstream can be exact. */
class SimulatorDeterminismTest {

  private static final SimulationConfig SMALL =
      SimulationConfig.defaults()
          .withPlatform(2, 3, 12, 4)
          .withRates(1200, 20)
          .withStart(SimulationConfig.DEFAULT_START)
          .withDuration(Duration.ofMinutes(20))
          .withMaxEvents(30_000)
          .withFaults(new FaultConfig(0.02, 0.02, 0.005, 0.01));

  private static byte[] jsonLines(SimulationConfig config) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonLinesWriter w = new JsonLinesWriter(out)) {
      w.writeAll(new Simulator(config).records(), Progress.silent());
    }
    return out.toByteArray();
  }

  @Test
  void sameSeedGivesIdenticalJsonLinesBytes() throws IOException {
    byte[] first = jsonLines(SMALL);
    byte[] second = jsonLines(SMALL);
    assertThat(first.length).isGreaterThan(1_000_000);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void differentSeedGivesDifferentEvents() throws IOException {
    assertThat(jsonLines(SMALL.withSeed(43))).isNotEqualTo(jsonLines(SMALL));
  }

  @Test
  void iteratingTheSameSimulatorTwiceStartsOverFromTheSeed() {
    Simulator sim = new Simulator(SMALL.withMaxEvents(2_000));
    List<String> first = sim.eventStream().map(e -> e.event().toString()).toList();
    List<String> second = sim.eventStream().map(e -> e.event().toString()).toList();
    assertThat(first).hasSize(2_000).isEqualTo(second);
  }

  @Test
  void addingDomainsDoesNotChangeTheApiEvents() {
    SimulationConfig apiOnly = SMALL.withMaxEvents(0).withDomains(EnumSet.of(Domain.API));
    List<String> alone =
        new Simulator(apiOnly).eventStream().map(e -> e.event().toString()).toList();
    List<String> withOthers =
        new Simulator(apiOnly.withDomains(EnumSet.allOf(Domain.class)))
            .eventStream()
            .filter(e -> e.topic().name().equals(Domain.API.topic().name()))
            .map(e -> e.event().toString())
            .toList();
    assertThat(alone).isNotEmpty().isEqualTo(withOthers);
  }

  @Test
  void eventsComeInEventTimeOrder() {
    long previous = Long.MIN_VALUE;
    long n = 0;
    for (var it = new Simulator(SMALL).events(); it.hasNext(); n++) {
      long t = it.next().eventTime().toEpochMilli();
      assertThat(t).isGreaterThanOrEqualTo(previous);
      previous = t;
    }
    // 20 simulated minutes at this size hold about 22,000 events: the time bound ends the run.
    assertThat(n).isGreaterThan(20_000);
  }
}
