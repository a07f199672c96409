package dev.pulse.api.services;

import static dev.pulse.clickhouse.SqlLiteral.date;
import static dev.pulse.clickhouse.SqlLiteral.dateTime;
import static dev.pulse.clickhouse.SqlLiteral.string;
import static dev.pulse.clickhouse.SqlLiteral.uint64;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.security.Tenant;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.metrics.LatencyBuckets;
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
 * -Merge) for HOUR and DAY. Rows are additive deltas, so every read sums them per bucket;
 * percentiles come from the merged latency histogram through {@link LatencyBuckets#quantile}. Every
 * value in the SQL is rendered by {@link dev.pulse.clickhouse.SqlLiteral}; the tenant condition is
 * part of every query.
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
  public List<ServiceMetricsPoint> series(MetricsFilter filter, SeriesWindow window) {
    String sql =
        switch (window.granularity()) {
          case MINUTE ->
              minutesSql(
                      filter,
                      "minute >= "
                          + dateTime(window.from())
                          + " AND minute < "
                          + dateTime(window.to()))
                  + " ORDER BY t LIMIT "
                  + uint64(window.points());
          case HOUR ->
              "SELECT toUInt32(hour) AS t, sumMerge(requests) AS requests, sumMerge(errors_5xx) AS errors_5xx,"
                  + " sumMerge(errors_4xx) AS errors_4xx, maxMerge(latency_max_us) AS latency_max_us,"
                  + " sumMapMerge(latency_hist) AS hist, hist.1 AS buckets, hist.2 AS counts"
                  + " FROM api_request_hours WHERE "
                  + where(filter)
                  + " AND hour >= "
                  + dateTime(window.from())
                  + " AND hour < "
                  + dateTime(window.to())
                  + " GROUP BY t ORDER BY t LIMIT "
                  + uint64(window.points());
          case DAY ->
              "SELECT toString(day) AS d, sumMerge(requests) AS requests, sumMerge(errors_5xx) AS errors_5xx,"
                  + " sumMerge(errors_4xx) AS errors_4xx, maxMerge(latency_max_us) AS latency_max_us,"
                  + " sumMapMerge(latency_hist) AS hist, hist.1 AS buckets, hist.2 AS counts"
                  + " FROM api_request_days WHERE "
                  + where(filter)
                  + " AND day >= "
                  + date(utcDate(window.from()))
                  + " AND day < "
                  + date(utcDate(window.to().minusSeconds(1)).plusDays(1))
                  + " GROUP BY d ORDER BY d LIMIT "
                  + uint64(window.points());
        };
    List<ServiceMetricsPoint> points = new ArrayList<>();
    for (JsonNode row : clickHouse.query(sql)) {
      Instant time =
          row.has("d")
              ? LocalDate.parse(row.get("d").asText()).atStartOfDay(ZoneOffset.UTC).toInstant()
              : Instant.ofEpochSecond(row.get("t").asLong());
      points.add(point(time, row));
    }
    return points;
  }

  /**
   * Minute points from {@code since} (inclusive) onwards, oldest first, at most {@code limit}: what
   * live updates poll.
   */
  public List<ServiceMetricsPoint> minutesSince(MetricsFilter filter, Instant since, int limit) {
    String sql =
        minutesSql(filter, "minute >= " + dateTime(since)) + " ORDER BY t LIMIT " + uint64(limit);
    return clickHouse.query(sql).stream()
        .map(r -> point(Instant.ofEpochSecond(r.get("t").asLong()), r))
        .toList();
  }

  /**
   * The latest minute with traffic for the filter, if any: where a new live subscription starts.
   */
  public List<ServiceMetricsPoint> latestMinute(MetricsFilter filter) {
    String sql = minutesSql(filter, "1") + " ORDER BY t DESC LIMIT 1";
    return clickHouse.query(sql).stream()
        .map(r -> point(Instant.ofEpochSecond(r.get("t").asLong()), r))
        .toList();
  }

  /**
   * The tenant's services with their endpoints and methods, by name. Read from the day rollup: its
   * size grows with days, not with requests.
   */
  public List<Service> services(Tenant tenant) {
    String sql =
        "SELECT service, endpoint, groupUniqArray(method) AS methods FROM api_request_days"
            + " WHERE tenant_id = "
            + string(tenant.id())
            + " GROUP BY service, endpoint ORDER BY service, endpoint";
    Map<String, List<Service.Endpoint>> byService = new LinkedHashMap<>();
    for (JsonNode row : clickHouse.query(sql)) {
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

  private static String minutesSql(MetricsFilter filter, String timeCondition) {
    return "SELECT toUInt32(minute) AS t, sum(requests) AS requests, sum(errors_5xx) AS errors_5xx,"
        + " sum(errors_4xx) AS errors_4xx, max(latency_max_us) AS latency_max_us,"
        + " sumMap(latency_buckets, latency_counts) AS hist, hist.1 AS buckets, hist.2 AS counts"
        + " FROM api_request_minutes WHERE "
        + where(filter)
        + " AND "
        + timeCondition
        + " GROUP BY t";
  }

  /** The tenant and service always; endpoint, method, region when given. */
  private static String where(MetricsFilter f) {
    StringBuilder sql =
        new StringBuilder("tenant_id = ")
            .append(string(f.tenant().id()))
            .append(" AND service = ")
            .append(string(f.service()));
    if (f.endpoint() != null) {
      sql.append(" AND endpoint = ").append(string(f.endpoint()));
    }
    if (f.method() != null) {
      sql.append(" AND method = ").append(string(f.method()));
    }
    if (f.region() != null) {
      sql.append(" AND region = ").append(string(f.region()));
    }
    return sql.toString();
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
    return new ServiceMetricsPoint(
        time,
        requests,
        errors5xx,
        errors4xx,
        requests == 0 ? 0.0 : (double) errors5xx / requests,
        millis(LatencyBuckets.quantile(buckets, counts, 0.50)),
        millis(LatencyBuckets.quantile(buckets, counts, 0.95)),
        millis(LatencyBuckets.quantile(buckets, counts, 0.99)),
        row.get("latency_max_us").asLong() / 1000.0);
  }

  private static Double millis(double micros) {
    return Double.isNaN(micros) ? null : micros / 1000.0;
  }

  private static LocalDate utcDate(Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC);
  }
}
