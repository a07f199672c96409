package dev.pulse.slo;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * One SLO as Pulse evaluates it (docs/slo.md): of {@code service}, over {@code indicator}, at least
 * {@code target} of the eligible events good over {@code window}, budgeted by {@code method},
 * alerting by the workbook rows of {@code alertRows}.
 *
 * @param target the objective, a fraction in (0, 1)
 * @param timeSlice for TIMESLICES: the slice length; null for OCCURRENCES
 * @param timeSliceTarget for TIMESLICES: the good fraction that makes a slice good; null otherwise
 * @param alertRows the rows that alert: all four unless alert policies narrow them
 */
public record Slo(
    String name,
    String displayName,
    String description,
    String service,
    Indicator indicator,
    double target,
    TimeWindow window,
    BudgetingMethod method,
    Duration timeSlice,
    Double timeSliceTarget,
    List<AlertRow> alertRows)
    implements Serializable {

  /**
   * How the budget counts: good events of all (Occurrences), or good slices of all (Timeslices).
   */
  public enum BudgetingMethod {
    OCCURRENCES("Occurrences"),
    TIMESLICES("Timeslices");

    private final String openSlo;

    BudgetingMethod(String openSlo) {
      this.openSlo = openSlo;
    }

    /** The value as OpenSLO writes it. */
    public String openSlo() {
      return openSlo;
    }
  }

  /** The alert rows with their windows scaled to this SLO's period ({@link AlertWindow}). */
  public List<AlertWindow> alertWindows() {
    return alertRows.stream().map(r -> AlertWindow.of(r, window.period())).toList();
  }
}
