package dev.pulse.api.services;

import java.time.Instant;
import java.util.List;

/** A time series of one service's (or endpoint's) metrics, with the window actually served. */
public record ServiceMetricsSeries(
    String service,
    String endpoint,
    String method,
    String region,
    Instant from,
    Instant to,
    Granularity granularity,
    List<ServiceMetricsPoint> points) {}
