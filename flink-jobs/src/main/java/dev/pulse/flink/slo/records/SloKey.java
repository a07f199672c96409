package dev.pulse.flink.slo.records;

/** One SLO as one tenant's: each tenant has its own budget, burn rates and alerts. */
public record SloKey(String tenantId, String slo) {}
