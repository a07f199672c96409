package dev.pulse.api.services;

import java.time.Instant;

/**
 * One point of a service's metrics: the requests whose event time falls in [time, time +
 * granularity). Latencies are in milliseconds; percentiles are within
 * LatencyBuckets.RELATIVE_ACCURACY (1 %) of the exact nearest-rank value, maxMs is exact.
 */
public record ServiceMetricsPoint(
    Instant time,
    long requests,
    long errors5xx,
    long errors4xx,
    double errorRate,
    Double p50Ms,
    Double p95Ms,
    Double p99Ms,
    double maxMs) {}
