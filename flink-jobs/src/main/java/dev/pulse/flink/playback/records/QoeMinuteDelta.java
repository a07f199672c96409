package dev.pulse.flink.playback.records;

/**
 * An additive change to one minute of QoE by video, course, CDN, region, device and player
 * (docs/qoe.md, "Per minute"): a view's contribution when a minute of it becomes final or when it
 * ends, or the difference a late event made to contributions already written (then some fields are
 * negative). A minute's numbers are the sums of its rows.
 *
 * @param minuteMs UTC start of the minute, epoch milliseconds
 * @param startupBuckets log-bucket indexes of startup times in milliseconds (1 % relative error),
 *     ascending, with {@code startupCounts} their counts
 */
public record QoeMinuteDelta(
    String tenantId,
    long minuteMs,
    String videoId,
    String courseId,
    String cdn,
    String region,
    String device,
    String player,
    long viewsStarted,
    long viewsEnded,
    long startFailures,
    long exitsBeforeStart,
    long playbackFailures,
    long successes,
    long errors,
    long startups,
    long startupMsSum,
    int[] startupBuckets,
    long[] startupCounts,
    long rebuffers,
    long rebufferMs,
    long viewMs,
    long playingMs,
    long bitrateKbpsMs,
    long bitrateMs,
    long startupScoreSum,
    long startupScores,
    long smoothnessScoreSum,
    long smoothnessScores,
    long playbackScoreSum,
    long playbackScores,
    long experienceScoreSum,
    long experienceScores,
    long activeMs) {}
