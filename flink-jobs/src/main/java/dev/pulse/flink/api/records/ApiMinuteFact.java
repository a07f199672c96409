package dev.pulse.flink.api.records;

import java.time.Instant;

/**
 * One additive row of the ClickHouse table {@code api_request_minutes} (every column except the
 * sink's {@code batch_id} and the server's {@code inserted_at}): the requests of one key in one
 * event-time minute that arrived since the previous row for that key and minute. The first row of a
 * minute holds everything on time; each late firing adds a delta row with only the late requests,
 * so readers sum counts, {@code sumMap} the two histograms and take {@code max} of the maximum.
 *
 * @param tenantId grouping key
 * @param service grouping key
 * @param endpoint grouping key
 * @param method grouping key
 * @param region grouping key
 * @param minute UTC start of the event-time minute
 * @param requests requests in this row
 * @param errors5xx of which status 500..599
 * @param errors4xx of which status 400..499
 * @param latencySumUs sum of their latencies, microseconds
 * @param latencyMaxUs the minute's maximum latency so far (max is idempotent, so repeating it in a
 *     delta row is harmless)
 * @param latencyBuckets LatencyBuckets bucket indexes, ascending, only non-empty ones
 * @param latencyCounts the count in each of those buckets (parallel to latencyBuckets)
 * @param thresholdUs the configured latency thresholds, ascending
 * @param underThreshold per threshold, the requests with {@code latency_us <= threshold}
 */
public record ApiMinuteFact(
    String tenantId,
    String service,
    String endpoint,
    String method,
    String region,
    Instant minute,
    long requests,
    long errors5xx,
    long errors4xx,
    long latencySumUs,
    long latencyMaxUs,
    int[] latencyBuckets,
    long[] latencyCounts,
    long[] thresholdUs,
    long[] underThreshold) {}
