package dev.pulse.api.slo;

import java.time.Instant;
import java.util.List;

/**
 * The shapes of the SLO schema (slo.graphqls), field for field. {@link Slo} serves both {@code Slo}
 * (a row of {@code slos}, a {@code sloStatus} update) and {@code SloDetails} ({@code slo(name)}:
 * the same fields, plus the ranges the controller reads on demand).
 */
final class SloShapes {

  private SloShapes() {}

  /**
   * One SLO of the tenant at its latest evaluation (docs/slo.md, "Evaluation").
   *
   * @param evaluatedAt the end of the evaluated minute (its start + 60 s): every window ends there
   * @param firing the alert rows firing now: each row's latest change, when that is "firing"
   */
  record Slo(
      String name,
      String service,
      double objective,
      Instant windowStart,
      long eligible,
      long bad,
      double remainingBudget,
      List<BurnRate> burnRates,
      Instant evaluatedAt,
      List<AlertChange> firing) {

    Slo {
      burnRates = List.copyOf(burnRates);
      firing = List.copyOf(firing);
    }

    Slo withFiring(List<AlertChange> rows) {
      return new Slo(
          name,
          service,
          objective,
          windowStart,
          eligible,
          bad,
          remainingBudget,
          burnRates,
          evaluatedAt,
          rows);
    }
  }

  /** The burn rate over one of the reported windows (5m .. 3d) ending at the evaluation. */
  record BurnRate(String window, double rate) {}

  /** One alert state change of one row of the workbook's table ({@code slo_alerts}). */
  record AlertChange(
      String row,
      String severity,
      String state,
      Instant at,
      Instant since,
      double threshold,
      long longWindowMinutes,
      long shortWindowMinutes,
      double burnLong,
      double burnShort) {}

  /** The remaining budget over a range: the last evaluation of each bucket. */
  record BudgetBurnDown(Instant from, Instant to, int bucketMinutes, List<BudgetPoint> points) {}

  /**
   * @param time the bucket's start
   * @param evaluatedAt the end of the bucket's last evaluated minute, whose numbers these are
   */
  record BudgetPoint(
      Instant time, Instant evaluatedAt, double remainingBudget, long eligible, long bad) {}

  /** One window's burn rate over a range: the last evaluation of each bucket. */
  record BurnRateSeries(
      String window, Instant from, Instant to, int bucketMinutes, List<BurnRatePoint> points) {}

  record BurnRatePoint(Instant time, Instant evaluatedAt, double rate) {}
}
