package dev.pulse.api.services;

import dev.pulse.api.series.Granularity;
import dev.pulse.api.series.SeriesWindow;
import java.time.Instant;
import java.util.List;

/**
 * A time series of one service's (or endpoint's) metrics: what it was asked for ({@code filter},
 * the caller's tenant included), the whole buckets it covers ({@code window}) and its points. The
 * late-event fields are resolved from {@code filter} and {@code window} only when a query selects
 * them ({@link ServiceMetricsController}).
 */
public record ServiceMetricsSeries(
    MetricsFilter filter, SeriesWindow window, List<ServiceMetricsPoint> points) {

  public String service() {
    return filter.service();
  }

  public String endpoint() {
    return filter.endpoint();
  }

  public String method() {
    return filter.method();
  }

  public String region() {
    return filter.region();
  }

  /** Start of the first bucket covered. */
  public Instant from() {
    return window.from();
  }

  /** End of the last bucket covered (exclusive). */
  public Instant to() {
    return window.to();
  }

  public Granularity granularity() {
    return window.granularity();
  }
}
