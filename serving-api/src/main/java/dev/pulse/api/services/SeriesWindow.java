package dev.pulse.api.services;

import java.time.Instant;

/**
 * The buckets a series covers: points start at {@code from} (aligned to the granularity), step by
 * its width and start before {@code to}; {@code points} is the most the series can hold.
 */
public record SeriesWindow(Instant from, Instant to, Granularity granularity, long points) {}
