package dev.pulse.flink.playback.sinks;

import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewFact;
import dev.pulse.flink.playback.records.ViewRow;
import dev.pulse.flink.sink.RowEncoder;
import dev.pulse.flink.sink.RowOut;

/**
 * How the playback job's records become rows of their tables, column for column as the migrations
 * declare them (0002 {@code playback_events_raw}, 0021, 0024, 0025).
 */
public final class PlaybackRowEncoders {

  /** A validated, deduplicated event as a row of {@code playback_events_raw}. */
  public static final RowEncoder<PlaybackActivity> RAW_EVENT = PlaybackRowEncoders::rawEvent;

  /** An event of a view no longer kept as a row of {@code playback_events_late}. */
  public static final RowEncoder<PlaybackActivity> LATE_EVENT = PlaybackRowEncoders::lateEvent;

  /** A row of {@code playback_minutes}, without batch_id and inserted_at. */
  public static final RowEncoder<QoeMinuteDelta> MINUTE = PlaybackRowEncoders::minute;

  /** A row of {@code playback_views}. */
  public static final RowEncoder<ViewRow> VIEW = PlaybackRowEncoders::view;

  private PlaybackRowEncoders() {}

  private static void rawEvent(PlaybackActivity e, RowOut out) {
    out.string("event_id", e.eventId())
        .string("tenant_id", e.tenantId())
        .dateTime("event_time", seconds(e.timeMs()))
        .uint64("event_time_ms", e.timeMs())
        .string("view_id", e.viewId())
        .string("video_id", e.videoId())
        .string("course_id", e.courseId())
        .string("user_id", e.userId())
        .string("type", e.type());
    out.nullableInt32("bitrate_kbps", e.hasBitrate() ? e.bitrateKbps() : null)
        .int64("playhead_ms", e.playheadMs())
        .nullableString("error_code", e.errorCode())
        .uint8("fatal", e.fatal() ? 1 : 0)
        .string("cdn", e.cdn())
        .string("region", e.region())
        .string("device", e.device())
        .string("player", e.player());
  }

  private static void lateEvent(PlaybackActivity e, RowOut out) {
    out.string("event_id", e.eventId())
        .string("tenant_id", e.tenantId())
        .dateTime("event_time", seconds(e.timeMs()))
        .uint64("event_time_ms", e.timeMs())
        .string("view_id", e.viewId())
        .string("video_id", e.videoId())
        .string("course_id", e.courseId())
        .string("type", e.type());
  }

  private static void minute(QoeMinuteDelta m, RowOut out) {
    out.string("tenant_id", m.tenantId())
        .string("video_id", m.videoId())
        .string("course_id", m.courseId())
        .string("cdn", m.cdn())
        .string("region", m.region())
        .string("device", m.device())
        .string("player", m.player())
        .dateTime("minute", seconds(m.minuteMs()))
        .int64("views_started", m.viewsStarted())
        .int64("views_ended", m.viewsEnded())
        .int64("start_failures", m.startFailures())
        .int64("exits_before_start", m.exitsBeforeStart())
        .int64("playback_failures", m.playbackFailures())
        .int64("successes", m.successes())
        .int64("errors", m.errors())
        .int64("startups", m.startups())
        .int64("startup_ms_sum", m.startupMsSum())
        .int32Array("startup_buckets", m.startupBuckets())
        .int64Array("startup_counts", m.startupCounts())
        .int64("rebuffers", m.rebuffers())
        .int64("rebuffer_ms", m.rebufferMs())
        .int64("view_ms", m.viewMs())
        .int64("playing_ms", m.playingMs())
        .int64("bitrate_kbps_ms", m.bitrateKbpsMs())
        .int64("bitrate_ms", m.bitrateMs())
        .int64("startup_score_sum", m.startupScoreSum())
        .int64("startup_scores", m.startupScores())
        .int64("smoothness_score_sum", m.smoothnessScoreSum())
        .int64("smoothness_scores", m.smoothnessScores())
        .int64("playback_score_sum", m.playbackScoreSum())
        .int64("playback_scores", m.playbackScores())
        .int64("experience_score_sum", m.experienceScoreSum())
        .int64("experience_scores", m.experienceScores())
        .int64("active_ms", m.activeMs());
  }

  private static void view(ViewRow row, RowOut out) {
    ViewFact f = row.fact();
    out.string("tenant_id", f.key().tenantId())
        .string("view_id", f.key().viewId())
        .string("video_id", f.dimensions().videoId())
        .string("course_id", f.dimensions().courseId())
        .string("user_id", f.dimensions().userId())
        .string("cdn", f.dimensions().cdn())
        .string("region", f.dimensions().region())
        .string("device", f.dimensions().device())
        .string("player", f.dimensions().player())
        .dateTime("view_start", seconds(f.startMs()))
        .uint64("view_start_ms", f.startMs())
        .uint64("view_end_ms", f.endMs())
        .string("ended_by", f.endedBy())
        .string("outcome", f.outcome())
        .int64("startup_ms", f.startupMs())
        .uint32("rebuffers", f.rebufferCount())
        .uint64("rebuffer_ms", f.rebufferMs())
        .uint64("view_ms", f.viewMs())
        .uint64("playing_ms", f.playingMs())
        .uint64("bitrate_kbps_ms", f.bitrateKbpsMs())
        .uint64("bitrate_ms", f.bitrateMs())
        .uint32("errors", f.errors())
        .uint64("exit_playhead_ms", f.exitPlayheadMs())
        .int32("startup_score", f.startupScore())
        .int32("smoothness_score", f.smoothnessScore())
        .int32("playback_score", f.playbackScore())
        .int32("experience_score", f.experienceScore())
        .uint32("version", row.version());
  }

  /** The DateTime (seconds) containing an epoch-millisecond instant. */
  static long seconds(long epochMillis) {
    return Math.floorDiv(epochMillis, 1000L);
  }

  /** The partition time of a minute row, for the exactly-once sink. */
  public static long minuteSeconds(QoeMinuteDelta m) {
    return seconds(m.minuteMs());
  }
}
