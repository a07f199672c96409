package dev.pulse.flink.api.records;

/**
 * The grain of the API minute facts besides the minute itself: one row per tenant, service,
 * endpoint, method and region.
 */
public record ApiKey(
    String tenantId, String service, String endpoint, String method, String region) {}
