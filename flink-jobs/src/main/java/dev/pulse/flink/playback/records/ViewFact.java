package dev.pulse.flink.playback.records;

/**
 * One ended view's facts (docs/qoe.md). Durations in milliseconds; scores in thousandths of a
 * point; -1 where the view has none.
 *
 * @param endedBy {@code VIEW_END}, {@code fatal-error}, {@code idle} or {@code max-length}
 * @param outcome {@code success}, {@code start-failure}, {@code exit-before-start} or {@code
 *     playback-failure}
 * @param startupMs video startup time, or -1
 * @param bitrateKbpsMs playing time at a known bitrate, weighted by it (kbps x ms)
 * @param bitrateMs playing time at a known bitrate
 * @param errors non-fatal errors
 */
public record ViewFact(
    ViewKey key,
    ViewDimensions dimensions,
    long startMs,
    long endMs,
    String endedBy,
    String outcome,
    long startupMs,
    int rebufferCount,
    long rebufferMs,
    long viewMs,
    long playingMs,
    long bitrateKbpsMs,
    long bitrateMs,
    int errors,
    long exitPlayheadMs,
    int startupScore,
    int smoothnessScore,
    int playbackScore,
    int experienceScore) {}
