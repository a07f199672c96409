package dev.pulse.flink.slo.records;

/**
 * An alert's state change (docs/slo.md, "Alerts"): a row of the alert table started firing for one
 * SLO of one tenant, or stopped. Both burn rates are those of the evaluation that changed it.
 *
 * @param row the workbook row: page-fast, page-slow, ticket-fast, ticket-slow
 * @param severity page or ticket
 * @param firing true when the row started firing, false when it resolved
 * @param atMs the end of the evaluated minute that changed it (epoch milliseconds)
 * @param sinceMs when the row started firing (equal to {@code atMs} for a firing change)
 * @param threshold the burn rate both windows had to exceed
 */
public record AlertChange(
    String tenantId,
    String slo,
    String service,
    String row,
    String severity,
    boolean firing,
    long atMs,
    long sinceMs,
    double threshold,
    long longWindowMinutes,
    long shortWindowMinutes,
    double burnLong,
    double burnShort,
    double objective) {

  /** "firing" or "resolved". */
  public String state() {
    return firing ? "firing" : "resolved";
  }
}
