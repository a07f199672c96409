package dev.pulse.api.qoe;

/**
 * The {@code QoeMetrics} type: the QoE numbers of some minutes and views (docs/qoe.md). Rates and
 * means are null where their denominator is zero.
 */
public record QoeMetrics(
    long viewsStarted,
    long viewsEnded,
    long startFailures,
    long exitsBeforeStart,
    long playbackFailures,
    long successes,
    Double startFailureRate,
    Double exitBeforeStartRate,
    Double playbackFailureRate,
    Double failureRate,
    long startups,
    Double startupTimeMeanMs,
    Double startupTimeP50Ms,
    Double startupTimeP95Ms,
    Double startupTimeP99Ms,
    long rebuffers,
    long rebufferMs,
    Double rebufferPercentage,
    Double rebufferFrequency,
    long viewTimeMs,
    long playingTimeMs,
    Double averageBitrateKbps,
    long errors,
    Double startupScore,
    Double smoothnessScore,
    Double playbackSuccessScore,
    Double experienceScore,
    long scoredViews,
    double concurrentViewers) {}
