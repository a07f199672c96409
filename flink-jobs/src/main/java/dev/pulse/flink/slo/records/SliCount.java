package dev.pulse.flink.slo.records;

/**
 * What one event adds to one SLO of its tenant: {@code total} eligible, {@code good} of them good,
 * at its event time. An ordinary event adds 1 and 0 or 1; a correction (a late event that changed
 * an ended view) adds the difference, which may be negative.
 */
public record SliCount(String tenantId, String slo, long timeMs, long good, long total) {

  /** The evaluation key: the SLO in the tenant. */
  public SloKey key() {
    return new SloKey(tenantId, slo);
  }
}
