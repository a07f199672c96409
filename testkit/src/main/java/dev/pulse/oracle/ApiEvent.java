package dev.pulse.oracle;

import java.util.Locale;
import java.util.Objects;

/**
 * One API request as the oracle reads it from the wire: the fields of the contract's
 * ApiRequestEvent by their schema names, in plain Java types ({@code event_time} as epoch
 * milliseconds, {@code method} as its enum symbol, {@code trace_id} null when absent). The oracle's
 * own type: it does not use the pipeline's generated Avro class.
 */
public record ApiEvent(
    String eventId,
    String tenantId,
    long eventTimeMs,
    String service,
    String endpoint,
    String method,
    int statusCode,
    long latencyUs,
    String region,
    String traceId) {

  public ApiEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(region, "region");
  }

  /**
   * The identity two deliveries of one request share: the tenant and the canonical (lower-case)
   * UUID. The contract deduplicates per tenant on the canonical id: {@code A1B2...} and {@code
   * a1b2...} are one request, the same id from two tenants are two.
   */
  public String dedupKey() {
    return tenantId + '\u0000' + canonicalEventId();
  }

  /**
   * The event id as the contract's tables store it: the UUID in lower case (RFC 4122's output
   * form), whichever case was delivered. Every valid event's id is a UUID (a record with another
   * form is invalid), so this is defined for every counted event.
   */
  public String canonicalEventId() {
    return eventId.toLowerCase(Locale.ROOT);
  }

  /** A copy with another event id. */
  public ApiEvent withEventId(String id) {
    return new ApiEvent(
        id,
        tenantId,
        eventTimeMs,
        service,
        endpoint,
        method,
        statusCode,
        latencyUs,
        region,
        traceId);
  }

  /** A copy with another tenant. */
  public ApiEvent withTenantId(String tenant) {
    return new ApiEvent(
        eventId,
        tenant,
        eventTimeMs,
        service,
        endpoint,
        method,
        statusCode,
        latencyUs,
        region,
        traceId);
  }
}
