package dev.pulse.testing;

import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.oracle.ClassEvent;
import dev.pulse.oracle.PlayEvent;

/**
 * The records a test sent, as the oracles read them. Outside the oracle package: the oracle itself
 * shares no code with the pipeline, generated classes included.
 */
public final class SentEvents {

  private SentEvents() {}

  /** A classroom record's fields, as sent. */
  public static ClassEvent classEvent(ClassroomEvent e) {
    return new ClassEvent(
        e.getEventId(),
        e.getTenantId(),
        e.getCourseId(),
        e.getSessionId(),
        e.getUserId(),
        e.getRole().name(),
        e.getType().name(),
        e.getEventTime().toEpochMilli());
  }

  /** A player record's fields, as sent. */
  public static PlayEvent playEvent(PlaybackEvent e) {
    return new PlayEvent(
        e.getEventId(),
        e.getTenantId(),
        e.getViewId(),
        e.getVideoId(),
        e.getCourseId(),
        e.getUserId(),
        e.getType().name(),
        e.getEventTime().toEpochMilli(),
        e.getBitrateKbps(),
        e.getPlayheadMs(),
        e.getFatal(),
        e.getCdn(),
        e.getRegion(),
        e.getDevice(),
        e.getPlayer());
  }
}
