package dev.pulse.api.qoe;

import dev.pulse.api.qoe.Qoe.Breakdown;
import dev.pulse.api.qoe.Qoe.BreakdownRow;
import dev.pulse.api.series.SeriesWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ranks a breakdown's combinations (docs/qoe.md, "Breakdowns"). A row's impact is how far it pulls
 * the overall experience score down, in scored views: (overall mean - row mean) x the row's scored
 * views. It is large for a combination that is both bad and busy, near zero for one that is average
 * however busy, negative for one better than average; summed over all rows it is zero.
 */
final class QoeBreakdowns {

  private QoeBreakdowns() {}

  static Breakdown rank(
      List<QoeDimension> by,
      QoeFilter filter,
      SeriesWindow window,
      Map<List<String>, QoeSums> combinations,
      QoeSort sort,
      int limit) {
    long span = Duration.between(window.from(), window.to()).toMillis();
    QoeSums total = new QoeSums();
    combinations.values().forEach(total::add);
    Double overall = total.experienceScore();
    List<BreakdownRow> rows = new ArrayList<>();
    combinations.forEach(
        (values, sums) -> {
          Double mean = sums.experienceScore();
          double impact =
              overall == null || mean == null ? 0.0 : (overall - mean) * sums.scoredViews();
          String[] v = new String[QoeDimension.values().length];
          for (int i = 0; i < by.size(); i++) {
            v[by.get(i).ordinal()] = values.get(i);
          }
          rows.add(
              new BreakdownRow(
                  v[QoeDimension.VIDEO.ordinal()],
                  v[QoeDimension.COURSE.ordinal()],
                  v[QoeDimension.CDN.ordinal()],
                  v[QoeDimension.REGION.ordinal()],
                  v[QoeDimension.DEVICE.ordinal()],
                  v[QoeDimension.PLAYER.ordinal()],
                  impact,
                  sums.metrics(span)));
        });
    rows.sort(sort.worstFirst());
    return new Breakdown(
        by,
        filter,
        window.from(),
        window.to(),
        sort,
        total.metrics(span),
        rows.size(),
        List.copyOf(rows.subList(0, Math.min(limit, rows.size()))));
  }
}
