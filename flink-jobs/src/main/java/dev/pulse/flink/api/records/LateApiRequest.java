package dev.pulse.flink.api.records;

import java.time.Instant;

/**
 * An API request that arrived after its minute was closed for good (later than the allowed
 * lateness): kept in the ClickHouse table {@code api_requests_late} instead of the facts.
 *
 * @param request the request, as validated and deduplicated
 * @param watermark the event-time watermark when it arrived
 * @param latenessMs how far behind the watermark its event time was, in milliseconds
 */
public record LateApiRequest(ApiRequest request, Instant watermark, long latenessMs) {}
