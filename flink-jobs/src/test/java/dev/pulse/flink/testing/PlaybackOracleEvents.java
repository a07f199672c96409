package dev.pulse.flink.testing;

import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.oracle.PlayEvent;

/** The playback job's events as the QoE oracle reads them (no bitrate: null). */
public final class PlaybackOracleEvents {

  private PlaybackOracleEvents() {}

  public static PlayEvent of(PlaybackActivity a) {
    return new PlayEvent(
        a.eventId(),
        a.tenantId(),
        a.viewId(),
        a.videoId(),
        a.courseId(),
        a.userId(),
        a.type(),
        a.timeMs(),
        a.hasBitrate() ? a.bitrateKbps() : null,
        a.playheadMs(),
        a.fatal(),
        a.cdn(),
        a.region(),
        a.device(),
        a.player());
  }
}
