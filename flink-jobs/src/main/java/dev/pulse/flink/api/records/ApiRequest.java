package dev.pulse.flink.api.records;

import dev.pulse.events.ApiRequestEvent;
import java.time.Instant;

/**
 * One validated API request event, as the job carries it and as it lands in the raw api-requests
 * table: the fields of {@code ApiRequestEvent}, the method as its enum name.
 *
 * @param eventId UUID, the deduplication key
 * @param tenantId the institution
 * @param eventTime when the request completed (producer clock)
 * @param service serving service
 * @param endpoint route template
 * @param method HTTP method name (OTHER for unlisted methods)
 * @param statusCode HTTP status, 100..599
 * @param latencyUs latency in microseconds
 * @param region serving region, empty when not reported
 * @param traceId distributed trace id, or null
 */
public record ApiRequest(
    String eventId,
    String tenantId,
    Instant eventTime,
    String service,
    String endpoint,
    String method,
    int statusCode,
    long latencyUs,
    String region,
    String traceId) {

  /** The job's form of a decoded, validated event. */
  public static ApiRequest of(ApiRequestEvent e) {
    return new ApiRequest(
        e.getEventId(),
        e.getTenantId(),
        e.getEventTime(),
        e.getService(),
        e.getEndpoint(),
        e.getMethod().name(),
        e.getStatusCode(),
        e.getLatencyUs(),
        e.getRegion(),
        e.getTraceId());
  }

  /** The minute-facts grouping key of this request. */
  public ApiKey key() {
    return new ApiKey(tenantId, service, endpoint, method, region);
  }
}
