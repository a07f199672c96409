package dev.pulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.ClassroomEventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A school-day start (what the demo uses) runs classes whenever the simulation runs: on a Saturday
 * evening, the day's first class starts at the given instant, give or take its instructor's usual 2
 * minutes early to 3 minutes late, and the day's classes follow the Monday timetable from there.
 */
class SchoolDayStartTest {

  @Test
  void theFirstClassStartsAtTheSchoolDayStartEvenOnASaturdayEvening() {
    Instant start = Instant.parse("2026-03-07T21:17:00Z"); // a Saturday
    SimulationConfig base =
        SimulationConfig.defaults()
            .withStart(start)
            .withDuration(Duration.ofHours(3))
            .withDomains(EnumSet.of(Domain.CLASSROOM));
    Duration beforeFirstClass =
        Duration.between(Simulator.firstPeriod(), new Simulator(base).firstClassOfTheDay());
    Instant schoolDay = start.plus(Duration.ofMinutes(3)).minus(beforeFirstClass);
    List<Instant> starts = new ArrayList<>();
    new Simulator(base.withSchoolDayStart(schoolDay))
        .records()
        .forEachRemaining(
            r -> {
              if (r.event() instanceof ClassroomEvent e
                  && e.getType() == ClassroomEventType.SESSION_STARTED) {
                starts.add(e.getEventTime());
              }
            });
    assertThat(starts).isNotEmpty();
    Instant first = starts.stream().min(Instant::compareTo).orElseThrow();
    assertThat(first).isBetween(start.plusSeconds(60), start.plusSeconds(360));
    // Without it, a Saturday has no classes at all.
    List<Object> none = new ArrayList<>();
    new Simulator(base)
        .records()
        .forEachRemaining(
            r -> {
              if (r.event() instanceof ClassroomEvent) {
                none.add(r);
              }
            });
    assertThat(none).isEmpty();
  }
}
