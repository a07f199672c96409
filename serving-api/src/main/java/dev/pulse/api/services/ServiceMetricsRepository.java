package dev.pulse.api.services;

import static dev.pulse.clickhouse.SqlLiteral.date;
import static dev.pulse.clickhouse.SqlLiteral.dateTime;
import static dev.pulse.clickhouse.SqlLiteral.string;
import static dev.pulse.clickhouse.SqlLiteral.uint64;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Tenant;
import dev.pulse.api.series.Granularity;
import dev.pulse.api.series.SeriesWindow;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.metrics.LatencyBuckets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.stereotype.Repository;

/**
 * Reads service metrics from the API request facts: {@code api_request_minutes} for MINUTE points,
 * the {@code api_request_hours} / {@code api_request_days} rollups (AggregatingMergeTree, read with
 * -Merge) for HOUR and DAY, and counts the late events beside them from {@code api_requests_late}
 * (ReplacingMergeTree, so counted by {@code uniqExact(event_id)}: a copy stored twice by the
 * at-least-once sink counts once, merged or not). Rows are additive deltas, so every read sums them
 * per bucket; percentiles come from the merged latency histogram through {@link
 * LatencyBuckets#quantile}. Every value in the SQL is rendered by {@link
 * dev.pulse.clickhouse.SqlLiteral}; the tenant condition is part of every query.
 */
@Repository
public class ServiceMetricsRepository {

  private final ClickHouse clickHouse;

  public ServiceMetricsRepository(ClickHouse clickHouse) {
    this.clickHouse = clickHouse;
  }

  /**
   * The points of {@code window} with at least one request, oldest first; buckets without traffic
   * are absent.
   */
  public List<ServiceMetricsPoint> series(
      MetricsFilter filter, SeriesWindow window, Operation operation) {
    String sql =
        switch (window.granularity()) {
          case MINUTE ->
              minutesSql(
                  filter,
                  "minute >= %s AND minute <= %s"
                      .formatted(dateTime(window.from()), dateTime(window.lastSecond())),
                  "t",
                  window.points());
          case HOUR ->
              rollupSql(
                  filter,
                  "api_request_hours",
                  "hour",
                  "toUInt32(hour)",
                  dateTime(window.from()),
                  dateTime(window.lastSecond()),
                  window.points());
          case DAY ->
              rollupSql(
                  filter,
                  "api_request_days",
                  "day",
                  "toString(day)",
                  date(utcDate(window.from())),
                  date(utcDate(window.lastSecond())),
                  window.points());
        };
    List<ServiceMetricsPoint> points = new ArrayList<>();
    for (JsonNode row : rows(sql, operation)) {
      String t = row.get("t").asText();
      Instant time =
          window.granularity() == Granularity.DAY
              ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant()
              : Instant.ofEpochSecond(Long.parseLong(t));
      points.add(point(time, row));
    }
    return points;
  }

  /**
   * How many late events (in {@code api_requests_late}: later than the stream processor's allowed
   * lateness, so in no point) the filter has in {@code window}, each event id once.
   */
  public long lateEvents(MetricsFilter filter, SeriesWindow window, Operation operation) {
    String sql =
        """
        SELECT uniqExact(event_id) AS late_events
        FROM api_requests_late
        WHERE %s
        """
            .formatted(lateCondition(filter, window));
    return rows(sql, operation).get(0).get("late_events").asLong();
  }

  /**
   * The late events of {@code window} per bucket (by event time, UTC, as the facts are bucketed),
   * oldest first; buckets without late events are absent.
   */
  public List<LateEventsBucket> lateEventsByBucket(
      MetricsFilter filter, SeriesWindow window, Operation operation) {
    long width = window.granularity().width().toSeconds();
    // Epoch arithmetic: the UTC bucket whatever the server's time zone (the facts' minutes are
    // epoch-aligned windows over the same event time, and event_time is its whole seconds).
    String sql =
        """
        SELECT intDiv(toUInt32(event_time), %s) * %s AS t, uniqExact(event_id) AS late_events
        FROM api_requests_late
        WHERE %s
        GROUP BY t
        ORDER BY t
        LIMIT %s
        """
            .formatted(
                uint64(width),
                uint64(width),
                lateCondition(filter, window),
                uint64(window.points()));
    return rows(sql, operation).stream()
        .map(
            r ->
                new LateEventsBucket(
                    Instant.ofEpochSecond(r.get("t").asLong()), r.get("late_events").asLong()))
        .toList();
  }

  /**
   * Minute points from {@code since} (inclusive) onwards, oldest first, at most {@code limit}: what
   * live updates poll.
   */
  public List<ServiceMetricsPoint> minutesSince(
      MetricsFilter filter, Instant since, int limit, Operation operation) {
    String sql = minutesSql(filter, "minute >= " + dateTime(since), "t", limit);
    return rows(sql, operation).stream()
        .map(r -> point(Instant.ofEpochSecond(r.get("t").asLong()), r))
        .toList();
  }

  /**
   * The latest minute with traffic for the filter and the minutes up to {@code before} earlier,
   * oldest first (empty without traffic): where a live subscription starts, and what it then
   * watches for changes.
   */
  public List<ServiceMetricsPoint> latestMinutes(
      MetricsFilter filter, Duration before, Operation operation) {
    // Integer epoch seconds: the latest minute minus the window, negative rather than wrapped
    // when the filter has no minutes (max of nothing is 0).
    String fromLatest =
        """
        toInt64(toUInt32(minute)) >= (
          SELECT toInt64(toUInt32(max(minute))) FROM api_request_minutes WHERE %s) - %s"""
            .formatted(where(filter), uint64(before.toSeconds()));
    String sql = minutesSql(filter, fromLatest, "t", before.toMinutes() + 1);
    return rows(sql, operation).stream()
        .map(r -> point(Instant.ofEpochSecond(r.get("t").asLong()), r))
        .toList();
  }

  /**
   * The tenant's services with their endpoints and methods, by name. Read from {@code
   * api_endpoints} (one row per endpoint and method, however many days are kept; a repeated row
   * changes nothing here, so no FINAL).
   */
  public List<Service> services(Tenant tenant, Operation operation) {
    String sql =
        """
        SELECT service, endpoint, groupUniqArray(method) AS methods
        FROM api_endpoints
        WHERE tenant_id = %s
        GROUP BY service, endpoint
        ORDER BY service, endpoint
        """
            .formatted(string(tenant.id()));
    Map<String, List<Service.Endpoint>> byService = new LinkedHashMap<>();
    for (JsonNode row : rows(sql, operation)) {
      TreeSet<String> methods = new TreeSet<>();
      row.get("methods").forEach(m -> methods.add(m.asText()));
      byService
          .computeIfAbsent(row.get("service").asText(), s -> new ArrayList<>())
          .add(new Service.Endpoint(row.get("endpoint").asText(), List.copyOf(methods)));
    }
    List<Service> services = new ArrayList<>();
    byService.forEach((name, endpoints) -> services.add(new Service(name, List.copyOf(endpoints))));
    return services;
  }

  /**
   * Minute points of the filter's facts where {@code timeCondition} holds (rows are deltas, summed
   * per minute), ordered by {@code order} ({@code t} is the minute), at most {@code limit}.
   */
  private static String minutesSql(
      MetricsFilter filter, String timeCondition, String order, long limit) {
    return """
        SELECT toUInt32(minute) AS t, sum(requests) AS requests, sum(errors_5xx) AS errors_5xx,
          sum(errors_4xx) AS errors_4xx, max(latency_max_us) AS latency_max_us,
          sumMap(latency_buckets, latency_counts) AS hist, hist.1 AS buckets, hist.2 AS counts
        FROM api_request_minutes
        WHERE %s AND %s
        GROUP BY t
        ORDER BY %s
        LIMIT %s
        """
        .formatted(where(filter), timeCondition, order, uint64(limit));
  }

  /**
   * Points of a rollup (AggregatingMergeTree, read with -Merge) in [{@code from}, {@code last}] of
   * its {@code timeColumn}, oldest first: HOUR and DAY differ only in the table, its time column
   * and how a bucket's start is selected ({@code bucket}, as {@code t}). {@code from} and {@code
   * last} are literals from {@link dev.pulse.clickhouse.SqlLiteral}.
   */
  private static String rollupSql(
      MetricsFilter filter,
      String table,
      String timeColumn,
      String bucket,
      String from,
      String last,
      long limit) {
    return """
        SELECT %s AS t, sumMerge(requests) AS requests, sumMerge(errors_5xx) AS errors_5xx,
          sumMerge(errors_4xx) AS errors_4xx, maxMerge(latency_max_us) AS latency_max_us,
          sumMapMerge(latency_hist) AS hist, hist.1 AS buckets, hist.2 AS counts
        FROM %s
        WHERE %s AND %s >= %s AND %s <= %s
        GROUP BY t
        ORDER BY t
        LIMIT %s
        """
        .formatted(bucket, table, where(filter), timeColumn, from, timeColumn, last, uint64(limit));
  }

  /**
   * The late events of the filter in the window: the same tenant, service, endpoint, method and
   * region conditions as the facts (the late table has the same column names), by event time.
   */
  private static String lateCondition(MetricsFilter filter, SeriesWindow window) {
    return "%s AND event_time >= %s AND event_time <= %s"
        .formatted(where(filter), dateTime(window.from()), dateTime(window.lastSecond()));
  }

  /** The tenant and service always; endpoint, method, region when given. */
  private static String where(MetricsFilter f) {
    List<String> conditions = new ArrayList<>();
    conditions.add("tenant_id = " + string(f.tenant().id()));
    conditions.add("service = " + string(f.service()));
    if (f.endpoint() != null) {
      conditions.add("endpoint = " + string(f.endpoint()));
    }
    if (f.method() != null) {
      conditions.add("method = " + string(f.method()));
    }
    if (f.region() != null) {
      conditions.add("region = " + string(f.region()));
    }
    return String.join(" AND ", conditions);
  }

  /**
   * Runs {@code sql} for {@code operation}, named {@code <tenant>/<operation>/<n>} on the server:
   * the query log and {@code system.processes} say whose query each is and which operation sent it,
   * and a query the API gives up on is killed by that name.
   */
  private List<JsonNode> rows(String sql, Operation operation) {
    return clickHouse.query(sql, operation.nextQueryId());
  }

  private static ServiceMetricsPoint point(Instant time, JsonNode row) {
    long requests = row.get("requests").asLong();
    long errors5xx = row.get("errors_5xx").asLong();
    long errors4xx = row.get("errors_4xx").asLong();
    JsonNode b = row.get("buckets");
    JsonNode c = row.get("counts");
    int[] buckets = new int[b.size()];
    long[] counts = new long[c.size()];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = b.get(i).asInt();
      counts[i] = c.get(i).asLong();
    }
    double[] p = LatencyBuckets.quantiles(buckets, counts, 0.50, 0.95, 0.99);
    return new ServiceMetricsPoint(
        time,
        requests,
        errors5xx,
        errors4xx,
        requests == 0 ? 0.0 : (double) errors5xx / requests,
        millis(p[0]),
        millis(p[1]),
        millis(p[2]),
        row.get("latency_max_us").asLong() / 1000.0);
  }

  private static Double millis(double micros) {
    return Double.isNaN(micros) ? null : micros / 1000.0;
  }

  private static LocalDate utcDate(Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC);
  }
}
