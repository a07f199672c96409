package dev.pulse.api.services;

import java.time.Instant;

/**
 * The late events of one bucket of a series: events whose event time falls in [time, time +
 * granularity) but that arrived after the stream processor's allowed lateness, so no point counts
 * them.
 */
public record LateEventsBucket(Instant time, long lateEvents) {}
