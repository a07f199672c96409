package dev.pulse.api.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.support.InvalidArgumentException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SeriesPlannerTest {

  private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");

  private final SeriesPlanner planner =
      new SeriesPlanner(
          new PulseApiProperties(
              new PulseApiProperties.ClickHouse(
                  "http://127.0.0.1:1", "default", "", "pulse", java.util.Map.of()),
              new PulseApiProperties.Security(
                  new PulseApiProperties.Security.Claims(
                      "tenant_id", "roles", "course_ids", "name"),
                  false),
              new PulseApiProperties.Health(Duration.ofSeconds(10)),
              new PulseApiProperties.Audit(
                  null, null, Duration.ofSeconds(2), Duration.ofSeconds(10), 100_000),
              new PulseApiProperties.Live(Duration.ofSeconds(5)),
              new PulseApiProperties.Limits(1500, 400, 256, 15, 300, 20, 40, 8, 20, 2000, 65536),
              new PulseApiProperties.Slo(
                  Duration.ofSeconds(15),
                  new PulseApiProperties.Slo.Alertmanager(
                      java.util.List.of(),
                      Duration.ofSeconds(30),
                      Duration.ofMinutes(15),
                      Duration.ofSeconds(5),
                      3,
                      null)),
              new PulseApiProperties.Metrics("prometheus", null, null)));

  private static Instant t(Duration offset) {
    return START.plus(offset);
  }

  @Test
  void rangesUpToSixHoursAreServedByMinute() {
    assertThat(planner.plan(START, t(Duration.ofHours(6)), null).granularity())
        .isEqualTo(Granularity.MINUTE);
    assertThat(planner.plan(START, t(Duration.ofHours(6).plusSeconds(1)), null).granularity())
        .isEqualTo(Granularity.HOUR);
  }

  @Test
  void rangesUpToFourteenDaysAreServedByHourAndLongerOnesByDay() {
    assertThat(planner.plan(START, t(Duration.ofDays(14)), null).granularity())
        .isEqualTo(Granularity.HOUR);
    assertThat(planner.plan(START, t(Duration.ofDays(14).plusSeconds(1)), null).granularity())
        .isEqualTo(Granularity.DAY);
  }

  @Test
  void theWindowIsRoundedOutToWholeBucketsAndSaysSo() {
    SeriesWindow w =
        planner.plan(
            Instant.parse("2026-03-02T09:30:10Z"),
            Instant.parse("2026-03-02T12:00:01Z"),
            Granularity.HOUR);
    // Buckets starting 09:00, 10:00, 11:00, 12:00 (12:00:00 < 12:00:01), served whole.
    assertThat(w.from()).isEqualTo(Instant.parse("2026-03-02T09:00:00Z"));
    assertThat(w.to()).isEqualTo(Instant.parse("2026-03-02T13:00:00Z"));
    assertThat(w.points()).isEqualTo(4);
  }

  @Test
  void anHourSeriesForHalfPastToHalfPastCoversBothWholeHours() {
    SeriesWindow w =
        planner.plan(
            Instant.parse("2026-03-02T10:30:00Z"),
            Instant.parse("2026-03-02T11:30:00Z"),
            Granularity.HOUR);
    assertThat(w.from()).isEqualTo(Instant.parse("2026-03-02T10:00:00Z"));
    assertThat(w.to()).isEqualTo(Instant.parse("2026-03-02T12:00:00Z"));
    assertThat(w.points()).isEqualTo(2);
    assertThat(w.lastSecond()).isEqualTo(Instant.parse("2026-03-02T11:59:59Z"));
  }

  @Test
  void anAlignedEndIsNotRoundedFurther() {
    SeriesWindow w = planner.plan(START, Instant.parse("2026-03-03T00:00:00Z"), Granularity.DAY);
    assertThat(w.from()).isEqualTo(Instant.parse("2026-03-02T00:00:00Z"));
    assertThat(w.to()).isEqualTo(Instant.parse("2026-03-03T00:00:00Z"));
    assertThat(w.points()).isEqualTo(1);
  }

  @Test
  void aFractionalEndStillCoversTheMinuteItFallsIn() {
    SeriesWindow w =
        planner.plan(START, Instant.parse("2026-03-02T09:05:00.250Z"), Granularity.MINUTE);
    assertThat(w.to()).isEqualTo(Instant.parse("2026-03-02T09:06:00Z"));
    assertThat(w.points()).isEqualTo(6);
  }

  @Test
  void fromNotBeforeToIsRefused() {
    assertThatThrownBy(() -> planner.plan(START, START, null))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("must be before to");
  }

  @Test
  void aRangeLongerThanTheLimitIsRefused() {
    assertThatThrownBy(
            () -> planner.plan(START, t(Duration.ofDays(400).plusSeconds(1)), Granularity.DAY))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("limit of 400 days");
  }

  @Test
  void moreThanTheMaximumNumberOfPointsIsRefused() {
    // 1500 minutes exactly is allowed; one more minute is not.
    assertThat(planner.plan(START, t(Duration.ofMinutes(1500)), Granularity.MINUTE).points())
        .isEqualTo(1500);
    assertThatThrownBy(() -> planner.plan(START, t(Duration.ofMinutes(1501)), Granularity.MINUTE))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("1501 points")
        .hasMessageContaining("limit of 1500");
  }

  @Test
  void aRangeOutsideWhatTheStoreHoldsIsRefusedHereNotBySqlLiteral() {
    assertThatThrownBy(
            () ->
                planner.plan(
                    Instant.parse("1969-12-31T23:00:00Z"),
                    Instant.parse("1970-01-01T01:00:00Z"),
                    null))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("outside what the store holds");
    Instant lastSecond = Instant.parse("2105-12-31T23:59:59Z");
    // The last minute is covered whole; SQL reads up to its last second, which a literal can hold.
    SeriesWindow last = planner.plan(lastSecond.minusSeconds(3600), lastSecond, null);
    assertThat(last.to()).isEqualTo(Instant.parse("2106-01-01T00:00:00Z"));
    assertThat(last.lastSecond()).isEqualTo(lastSecond);
    assertThatThrownBy(() -> planner.plan(lastSecond, lastSecond.plusMillis(1), null))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("to at or before 2105-12-31T23:59:59Z");
    // By DAY the Date after the last day is read, so the last day that can end a range is
    // 2105-12-30.
    Instant lastDayEnd = Instant.parse("2105-12-31T00:00:00Z");
    assertThat(planner.plan(Instant.parse("2105-12-01T00:00:00Z"), lastDayEnd, Granularity.DAY))
        .isNotNull();
    assertThatThrownBy(
            () ->
                planner.plan(
                    Instant.parse("2105-12-01T00:00:00Z"),
                    lastDayEnd.plusSeconds(1),
                    Granularity.DAY))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("at DAY granularity");
  }
}
