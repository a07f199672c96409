package dev.pulse.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The oracle's statement of the contract's rules, at each bound and one step past it. */
class ApiContractTest {

  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  private static final String ID = "5CA1AB1E-0000-4000-8000-00000000002a";
  private static final String EMOJI = "\uD83D\uDE00";

  private static ApiEvent event() {
    return new ApiEvent(ID, "t1", NOW.toEpochMilli(), "svc", "/e", "OTHER", 200, 0, "", null);
  }

  private static java.util.Set<Violation> check(ApiEvent e) {
    return ApiContract.standard().violations(e, NOW);
  }

  private static ApiEvent at(long ms) {
    ApiEvent e = event();
    return new ApiEvent(
        e.eventId(), e.tenantId(), ms, e.service(), e.endpoint(), e.method(), 200, 0, "", null);
  }

  private static ApiEvent status(int s) {
    ApiEvent e = event();
    return new ApiEvent(
        e.eventId(), e.tenantId(), e.eventTimeMs(), "svc", "/e", "GET", s, 0, "", null);
  }

  private static ApiEvent latency(long us) {
    ApiEvent e = event();
    return new ApiEvent(
        e.eventId(), e.tenantId(), e.eventTimeMs(), "svc", "/e", "GET", 200, us, "", null);
  }

  private static ApiEvent strings(String tenant, String service, String endpoint, String region) {
    ApiEvent e = event();
    return new ApiEvent(
        e.eventId(), tenant, e.eventTimeMs(), service, endpoint, "GET", 200, 0, region, null);
  }

  @Test
  void anUpperCaseUuidOtherMethodEmptyRegionAndNoTraceAreValid() {
    assertThat(check(event())).isEmpty();
  }

  @Test
  void eventTimeBoundsAre2000AndTenSecondsAndOneDayAheadOfTheIngestClock() {
    long y2000 = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    assertThat(check(at(y2000))).isEmpty();
    assertThat(check(at(y2000 - 1))).containsExactly(Violation.ABSURD_TIMESTAMP);
    assertThat(check(at(0))).containsExactly(Violation.ABSURD_TIMESTAMP);
    assertThat(check(at(Long.MIN_VALUE))).containsExactly(Violation.ABSURD_TIMESTAMP);
    long now = NOW.toEpochMilli();
    assertThat(check(at(now + 10_000))).isEmpty();
    assertThat(check(at(now + 10_001))).containsExactly(Violation.FUTURE_EVENT_TIME);
    assertThat(check(at(now + 86_400_000))).containsExactly(Violation.FUTURE_EVENT_TIME);
    assertThat(check(at(now + 86_400_001)))
        .containsExactlyInAnyOrder(Violation.ABSURD_TIMESTAMP, Violation.FUTURE_EVENT_TIME);
    assertThat(check(at(Long.MAX_VALUE)))
        .containsExactlyInAnyOrder(Violation.ABSURD_TIMESTAMP, Violation.FUTURE_EVENT_TIME);
    assertThat(ApiContract.withMaxFuture(Duration.ofMinutes(1)).violations(at(now + 59_000), NOW))
        .isEmpty();
  }

  @Test
  void statusIsAnHttpCodeAndLatencyIsUnderAnHour() {
    assertThat(check(status(100))).isEmpty();
    assertThat(check(status(599))).isEmpty();
    assertThat(check(status(99))).containsExactly(Violation.INVALID_VALUE);
    assertThat(check(status(600))).containsExactly(Violation.INVALID_VALUE);
    assertThat(check(status(Integer.MIN_VALUE))).containsExactly(Violation.INVALID_VALUE);
    assertThat(check(latency(3_599_999_999L))).isEmpty();
    assertThat(check(latency(3_600_000_000L))).containsExactly(Violation.INVALID_VALUE);
    assertThat(check(latency(-1))).containsExactly(Violation.INVALID_VALUE);
    assertThat(check(latency(Long.MAX_VALUE))).containsExactly(Violation.INVALID_VALUE);
  }

  @Test
  void stringLimitsCountUtf16UnitsSoAnEmojiAtTheEndCanCrossThem() {
    String x127 = "x".repeat(127);
    assertThat(check(strings("x".repeat(128), "s", "/e", ""))).isEmpty();
    assertThat(check(strings(x127 + "y", "s", "/e", x127 + "\u0000"))).isEmpty();
    assertThat(check(strings("x".repeat(126) + EMOJI, "s", "/e", ""))).isEmpty();
    assertThat(check(strings(x127 + EMOJI, "s", "/e", ""))).containsExactly(Violation.OVERSIZED);
    assertThat(check(strings("t", "s", "/" + "e".repeat(511), ""))).isEmpty();
    assertThat(check(strings("t", "s", "/" + "e".repeat(512), "")))
        .containsExactly(Violation.OVERSIZED);
    assertThat(check(strings("t", "s", "/e", "r".repeat(129))))
        .containsExactly(Violation.OVERSIZED);
  }

  @Test
  void requiredStringsMustNotBeEmptyAndTheIdMustBeAUuid() {
    assertThat(check(strings("", "s", "/e", ""))).containsExactly(Violation.MISSING_FIELD);
    assertThat(check(strings("t", "", "/e", ""))).containsExactly(Violation.MISSING_FIELD);
    assertThat(check(strings("t", "s", "", ""))).containsExactly(Violation.MISSING_FIELD);
    assertThat(check(event().withEventId(""))).containsExactly(Violation.MISSING_FIELD);
    assertThat(check(event().withEventId(ID.replace('-', '_'))))
        .containsExactly(Violation.INVALID_VALUE);
    assertThat(check(event().withEventId("{" + ID + "}"))).containsExactly(Violation.INVALID_VALUE);
    assertThat(check(event().withEventId(ID.replace('A', 'g'))))
        .containsExactly(Violation.INVALID_VALUE);
    assertThat(check(event().withEventId("x".repeat(129))))
        .containsExactlyInAnyOrder(Violation.OVERSIZED, Violation.INVALID_VALUE);
  }
}
