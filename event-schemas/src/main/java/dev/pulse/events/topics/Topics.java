package dev.pulse.events.topics;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.ProbeResult;
import java.util.List;

/** Every Kafka topic Pulse reads, one immutable constant each. */
public final class Topics {

  /** Live-classroom events, keyed by session so a session's events keep their order. */
  public static final Topic<ClassroomEvent> CLASSROOM =
      new Topic<>(
          "pulse.classroom.events",
          ClassroomEvent.class,
          ClassroomEvent.getClassSchema(),
          "session_id",
          ClassroomEvent::getSessionId,
          "pulse.classroom.events.dlq");

  /** Video player events, keyed by view so a view's events keep their order. */
  public static final Topic<PlaybackEvent> PLAYBACK =
      new Topic<>(
          "pulse.playback.events",
          PlaybackEvent.class,
          PlaybackEvent.getClassSchema(),
          "view_id",
          PlaybackEvent::getViewId,
          "pulse.playback.events.dlq");

  /**
   * API request logs, keyed by event id: spreads load evenly, and a retried duplicate lands in its
   * original's partition.
   */
  public static final Topic<ApiRequestEvent> API_REQUESTS =
      new Topic<>(
          "pulse.api.requests",
          ApiRequestEvent.class,
          ApiRequestEvent.getClassSchema(),
          "event_id",
          ApiRequestEvent::getEventId,
          "pulse.api.requests.dlq");

  /** Synthetic uptime probe results, keyed by target. */
  public static final Topic<ProbeResult> PROBES =
      new Topic<>(
          "pulse.probe.results",
          ProbeResult.class,
          ProbeResult.getClassSchema(),
          "target",
          ProbeResult::getTarget,
          "pulse.probe.results.dlq");

  /** All input topics, in a fixed order. */
  public static final List<Topic<?>> ALL = List.of(CLASSROOM, PLAYBACK, API_REQUESTS, PROBES);

  private Topics() {}
}
