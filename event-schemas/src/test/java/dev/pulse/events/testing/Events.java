package dev.pulse.events.testing;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.ClassroomEventType;
import dev.pulse.events.ClassroomRole;
import dev.pulse.events.HttpMethod;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.PlaybackEventType;
import dev.pulse.events.ProbeResult;
import dev.pulse.events.codec.EventValidator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Valid sample events at fixed, relative times, for tests of the codec, validator and JSON. */
public final class Events {

  /** The reference instant of every test: "now" for the validator, and events happen around it. */
  public static final Instant START = Instant.parse("2025-03-04T10:00:00Z");

  private Events() {}

  /** {@code seconds} after {@link #START}. */
  public static Instant t(long seconds) {
    return START.plusSeconds(seconds);
  }

  /** A clock stopped at {@link #START}. */
  public static Clock clock() {
    return Clock.fixed(START, ZoneOffset.UTC);
  }

  /** The standard validator, with now = {@link #START}. */
  public static EventValidator validator() {
    return EventValidator.withClock(clock());
  }

  public static ApiRequestEvent.Builder api() {
    return ApiRequestEvent.newBuilder()
        .setEventId("6f1c2a9e-3b4d-4c5e-8f70-112233445566")
        .setTenantId("uni-tartu")
        .setEventTime(t(-5))
        .setService("courses-api")
        .setEndpoint("/courses/{id}/sessions")
        .setMethod(HttpMethod.GET)
        .setStatusCode(200)
        .setLatencyUs(12_500)
        .setRegion("eu-north")
        .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  public static ClassroomEvent.Builder classroom() {
    return ClassroomEvent.newBuilder()
        .setEventId("0d3e4f5a-6b7c-4d8e-9fa0-b1c2d3e4f5a6")
        .setTenantId("uni-tartu")
        .setEventTime(t(-60))
        .setCourseId("course-algebra-101")
        .setSessionId("session-2025-03-04-a")
        .setUserId("learner-17")
        .setRole(ClassroomRole.LEARNER)
        .setType(ClassroomEventType.JOINED)
        .setDevice("laptop")
        .setRegion("eu-north")
        .setAppVersion("5.2.1");
  }

  public static PlaybackEvent.Builder playback() {
    return PlaybackEvent.newBuilder()
        .setEventId("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
        .setTenantId("uni-tartu")
        .setEventTime(t(-30))
        .setViewId("view-42")
        .setVideoId("video-lecture-3")
        .setCourseId("course-algebra-101")
        .setUserId("learner-17")
        .setType(PlaybackEventType.FIRST_FRAME)
        .setBitrateKbps(2_400)
        .setPlayheadMs(0)
        .setCdn("fastly")
        .setRegion("eu-north")
        .setDevice("tablet")
        .setPlayer("pulse-player 2.1");
  }

  public static ProbeResult.Builder probe() {
    return ProbeResult.newBuilder()
        .setEventId("11111111-2222-4333-8444-555555555555")
        .setTenantId("platform")
        .setEventTime(t(-1))
        .setTarget("courses-api/health")
        .setRegion("us-east")
        .setSuccess(true)
        .setLatencyMs(87);
  }
}
