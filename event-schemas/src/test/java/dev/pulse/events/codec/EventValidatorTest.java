package dev.pulse.events.codec;

import static dev.pulse.events.testing.Events.START;
import static dev.pulse.events.testing.Events.api;
import static dev.pulse.events.testing.Events.classroom;
import static dev.pulse.events.testing.Events.playback;
import static dev.pulse.events.testing.Events.probe;
import static dev.pulse.events.testing.Events.validator;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ClassroomEventType;
import dev.pulse.events.ClassroomRole;
import dev.pulse.events.HttpMethod;
import dev.pulse.events.PlaybackEventType;
import dev.pulse.events.codec.DecodeError.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class EventValidatorTest {

  private final EventValidator validator = validator();

  private Reason reason(SpecificRecord event) {
    Optional<DecodeError> error = validator.validate(event);
    assertThat(error).as("expected %s to be invalid", event).isPresent();
    return error.get().reason();
  }

  private String message(SpecificRecord event) {
    return validator.validate(event).orElseThrow().message();
  }

  @Test
  void theSampleEventsAreValid() {
    assertThat(validator.validate(api().build())).isEmpty();
    assertThat(validator.validate(classroom().build())).isEmpty();
    assertThat(validator.validate(playback().build())).isEmpty();
    assertThat(validator.validate(probe().build())).isEmpty();
  }

  @Test
  void eventIdMustBeACanonicalUuid() {
    assertThat(reason(api().setEventId("not-a-uuid").build())).isEqualTo(Reason.INVALID_VALUE);
    assertThat(message(api().setEventId("not-a-uuid").build())).contains("event_id 'not-a-uuid'");
    // 32 hex digits without dashes: a UUID's value, but not the text form we deduplicate on.
    assertThat(reason(api().setEventId("6f1c2a9e3b4d4c5e8f70112233445566").build()))
        .isEqualTo(Reason.INVALID_VALUE);
    assertThat(reason(api().setEventId("6f1c2a9e-3b4d-4c5e-8f70-11223344556g").build()))
        .isEqualTo(Reason.INVALID_VALUE);
    assertThat(validator.validate(api().setEventId("6F1C2A9E-3B4D-4C5E-8F70-112233445566").build()))
        .isEmpty();
  }

  @Test
  void anEmptyRequiredIdIsAMissingField() {
    assertThat(reason(api().setTenantId("").build())).isEqualTo(Reason.MISSING_FIELD);
    assertThat(message(api().setTenantId("").build())).isEqualTo("tenant_id is empty");
    assertThat(reason(classroom().setSessionId("").build())).isEqualTo(Reason.MISSING_FIELD);
    assertThat(reason(playback().setViewId("").build())).isEqualTo(Reason.MISSING_FIELD);
    assertThat(reason(probe().setTarget("").build())).isEqualTo(Reason.MISSING_FIELD);
  }

  @Test
  void optionalStringsWithAnEmptyDefaultMayBeEmpty() {
    assertThat(validator.validate(api().setRegion("").setTraceId(null).build())).isEmpty();
    assertThat(
            validator.validate(classroom().setDevice("").setRegion("").setAppVersion("").build()))
        .isEmpty();
  }

  @Test
  void stringsAreLimitedTo128CharsExceptEndpointAndError() {
    assertThat(validator.validate(api().setTenantId("t".repeat(128)).build())).isEmpty();
    assertThat(reason(api().setTenantId("t".repeat(129)).build())).isEqualTo(Reason.OVERSIZED);
    assertThat(reason(api().setTraceId("x".repeat(129)).build())).isEqualTo(Reason.OVERSIZED);
    assertThat(reason(classroom().setAppVersion("9".repeat(129)).build()))
        .isEqualTo(Reason.OVERSIZED);
    assertThat(validator.validate(api().setEndpoint("/" + "e".repeat(511)).build())).isEmpty();
    assertThat(reason(api().setEndpoint("/" + "e".repeat(512)).build()))
        .isEqualTo(Reason.OVERSIZED);
    assertThat(validator.validate(probe().setSuccess(false).setError("e".repeat(1024)).build()))
        .isEmpty();
    assertThat(reason(probe().setSuccess(false).setError("e".repeat(1025)).build()))
        .isEqualTo(Reason.OVERSIZED);
  }

  @Test
  void anOversizedValueIsShownShortenedInTheMessage() {
    String message = message(api().setService("s".repeat(5_000)).build());

    assertThat(message)
        .isEqualTo("service has 5000 chars, over its limit of 128: '" + "s".repeat(64) + "...'");
  }

  @Test
  void eventTimesBefore2000AreAbsurd() {
    assertThat(reason(api().setEventTime(Instant.EPOCH).build()))
        .isEqualTo(Reason.ABSURD_TIMESTAMP);
    assertThat(message(api().setEventTime(Instant.EPOCH).build()))
        .isEqualTo("event_time 1970-01-01T00:00:00Z is before 2000-01-01T00:00:00Z");
    assertThat(reason(api().setEventTime(Instant.parse("1999-12-31T23:59:59.999Z")).build()))
        .isEqualTo(Reason.ABSURD_TIMESTAMP);
    assertThat(
            validator.validate(api().setEventTime(Instant.parse("2000-01-01T00:00:00Z")).build()))
        .isEmpty();
  }

  @Test
  void eventTimesMoreThanADayAheadOfNowAreAbsurd() {
    assertThat(reason(api().setEventTime(Instant.parse("3000-01-01T00:00:00Z")).build()))
        .isEqualTo(Reason.ABSURD_TIMESTAMP);
    Instant oneDayAhead = START.plus(Duration.ofDays(1));
    assertThat(validator.validate(api().setEventTime(oneDayAhead).build())).isEmpty();
    assertThat(reason(api().setEventTime(oneDayAhead.plusMillis(1)).build()))
        .isEqualTo(Reason.ABSURD_TIMESTAMP);
  }

  @Test
  void theFutureBoundIsJudgedAtTheNowTheCallerPasses() {
    Instant twoDaysAhead = START.plus(Duration.ofDays(2));
    assertThat(validator.validate(api().setEventTime(twoDaysAhead).build(), START)).isPresent();
    assertThat(
            validator.validate(
                api().setEventTime(twoDaysAhead).build(), START.plus(Duration.ofDays(1))))
        .isEmpty();
  }

  @Test
  void statusCodesOutside100To599AreInvalid() {
    for (int status : new int[] {0, 99, 600, 700, -1}) {
      assertThat(reason(api().setStatusCode(status).build()))
          .as("status %d", status)
          .isEqualTo(Reason.INVALID_VALUE);
    }
    for (int status : new int[] {100, 200, 404, 599}) {
      assertThat(validator.validate(api().setStatusCode(status).build()))
          .as("status %d", status)
          .isEmpty();
    }
    assertThat(message(api().setStatusCode(0).build()))
        .isEqualTo("status_code 0 is outside 100..599");
  }

  @Test
  void latencyMustBeUnderAnHourAndNotNegative() {
    assertThat(reason(api().setLatencyUs(-1).build())).isEqualTo(Reason.INVALID_VALUE);
    assertThat(validator.validate(api().setLatencyUs(0).build())).isEmpty();
    assertThat(validator.validate(api().setLatencyUs(3_599_999_999L).build())).isEmpty();
    assertThat(reason(api().setLatencyUs(3_600_000_000L).build())).isEqualTo(Reason.INVALID_VALUE);
  }

  @Test
  void otherHttpMethodIsValid() {
    assertThat(validator.validate(api().setMethod(HttpMethod.OTHER).build())).isEmpty();
  }

  @Test
  void playbackBitrateMustBeWithinOneKbpsToOneGbpsWhenPresentAndPlayheadNotNegative() {
    assertThat(reason(playback().setBitrateKbps(0).build())).isEqualTo(Reason.INVALID_VALUE);
    assertThat(reason(playback().setBitrateKbps(-300).build())).isEqualTo(Reason.INVALID_VALUE);
    assertThat(reason(playback().setBitrateKbps(1_000_001).build()))
        .isEqualTo(Reason.INVALID_VALUE);
    assertThat(reason(playback().setBitrateKbps(Integer.MAX_VALUE).build()))
        .isEqualTo(Reason.INVALID_VALUE);
    assertThat(validator.validate(playback().setBitrateKbps(1_000_000).build())).isEmpty();
    assertThat(validator.validate(playback().setBitrateKbps(null).build())).isEmpty();
    assertThat(reason(playback().setPlayheadMs(-1).build())).isEqualTo(Reason.INVALID_VALUE);
  }

  @Test
  void probeLatencyMustNotBeNegative() {
    assertThat(reason(probe().setLatencyMs(-5).build())).isEqualTo(Reason.INVALID_VALUE);
    assertThat(validator.validate(probe().setLatencyMs(0).build())).isEmpty();
  }

  @Test
  void anUnknownEventTypeIsInvalidSoItIsDeadLetteredNotDropped() {
    assertThat(reason(classroom().setType(ClassroomEventType.UNKNOWN).build()))
        .isEqualTo(Reason.INVALID_VALUE);
    assertThat(reason(playback().setType(PlaybackEventType.UNKNOWN).build()))
        .isEqualTo(Reason.INVALID_VALUE);
  }

  @Test
  void anUnknownRoleIsAcceptedBecauseTheEventIsStillInterpretable() {
    assertThat(validator.validate(classroom().setRole(ClassroomRole.UNKNOWN).build())).isEmpty();
  }

  @Test
  void aControlCharacterInABadValueIsEscapedInTheMessage() {
    assertThat(message(api().setEventId("a\nb").build())).contains("'a\\u000ab'");
  }
}
