package dev.pulse.flink.playback.records;

/**
 * What a view is reported by (docs/qoe.md, "Views"): those of its {@code VIEW_START}, or of its
 * first event when it has none.
 */
public record ViewDimensions(
    String videoId,
    String courseId,
    String userId,
    String cdn,
    String region,
    String device,
    String player) {

  /** The dimensions an event carries. */
  public static ViewDimensions of(PlaybackActivity e) {
    return new ViewDimensions(
        e.videoId(), e.courseId(), e.userId(), e.cdn(), e.region(), e.device(), e.player());
  }
}
