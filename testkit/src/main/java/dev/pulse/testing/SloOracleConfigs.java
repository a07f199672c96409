package dev.pulse.testing;

import dev.pulse.oracle.SloOracle;
import dev.pulse.slo.AlertRow;
import dev.pulse.slo.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An SLO as the SLO oracle's plain numbers, for the tests that compare the evaluation with it. */
public final class SloOracleConfigs {

  private SloOracleConfigs() {}

  /** The SLO as the oracle's plain numbers; the workbook's rows written out here. */
  public static SloOracle.Config of(Slo slo) {
    long period =
        slo.window().isCalendarMonth()
            ? SloOracle.WORKBOOK_PERIOD_MINUTES
            : slo.window().rolling().toMinutes();
    Map<AlertRow, long[]> workbook =
        Map.of(
            AlertRow.PAGE_FAST, new long[] {60, 5},
            AlertRow.PAGE_SLOW, new long[] {360, 30},
            AlertRow.TICKET_FAST, new long[] {1440, 120},
            AlertRow.TICKET_SLOW, new long[] {4320, 360});
    Map<AlertRow, Double> thresholds =
        Map.of(
            AlertRow.PAGE_FAST, 14.4,
            AlertRow.PAGE_SLOW, 6.0,
            AlertRow.TICKET_FAST, 3.0,
            AlertRow.TICKET_SLOW, 1.0);
    List<SloOracle.AlertRow> rows = new ArrayList<>();
    for (AlertRow r : slo.alertRows()) {
      rows.add(
          SloOracle.AlertRow.scaled(
              r.name().toLowerCase(Locale.ROOT).replace('_', '-'),
              thresholds.get(r),
              workbook.get(r)[0],
              workbook.get(r)[1],
              period));
    }
    boolean slices = slo.method() == Slo.BudgetingMethod.TIMESLICES;
    return new SloOracle.Config(
        slo.target(),
        slo.window().isCalendarMonth() ? 0 : slo.window().rolling().toMinutes(),
        slo.window().isCalendarMonth(),
        slices ? slo.timeSlice().toMinutes() : 0,
        slices ? slo.timeSliceTarget() : 0,
        rows);
  }
}
