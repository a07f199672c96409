package dev.pulse.api.slo;

import static dev.pulse.clickhouse.SqlLiteral.dateTime;
import static dev.pulse.clickhouse.SqlLiteral.string;
import static dev.pulse.clickhouse.SqlLiteral.uint64;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Tenant;
import dev.pulse.api.series.MinuteBuckets;
import dev.pulse.api.slo.SloShapes.AlertChange;
import dev.pulse.api.slo.SloShapes.BudgetPoint;
import dev.pulse.api.slo.SloShapes.BurnRate;
import dev.pulse.api.slo.SloShapes.BurnRatePoint;
import dev.pulse.api.slo.SloShapes.Slo;
import dev.pulse.clickhouse.ClickHouse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Repository;

/**
 * The SLO tables (docs/slo.md) as the GraphQL API reads them for one tenant: {@code slo_status}
 * (one evaluation per SLO and minute, read with FINAL: a copy written again after a restore
 * replaces the earlier one), {@code slo_status_latest} (each SLO's latest evaluation, FINAL),
 * {@code slo_alerts} (one row per alert state change, FINAL) and {@code slo_alerts_latest} (each
 * alert row's latest change, FINAL). Every statement starts with the caller's tenant; every value
 * is rendered by {@link dev.pulse.clickhouse.SqlLiteral}. Unlike {@link SloStatusRepository} (every
 * tenant, for the metrics and the notifier), nothing here reads another tenant's rows.
 */
@Repository
public class SloQueries {

  /** The reported burn-rate windows, as {@code slo_status} names their columns. */
  static final List<String> WINDOWS = SloStatusRepository.WINDOWS;

  /**
   * Bucket widths of a range's points, in minutes, finest first: the finest whose buckets fit the
   * configured most points is used; beyond a day, whole days.
   */
  private static final String STATUS_COLUMNS =
      "slo, service, toUnixTimestamp(minute) AS minute_s, objective,"
          + " toUnixTimestamp(window_start) AS window_start_s, eligible, bad, remaining, "
          + String.join(", ", WINDOWS.stream().map(w -> "burn_" + w).toList());

  private final ClickHouse clickHouse;

  public SloQueries(ClickHouse clickHouse) {
    this.clickHouse = clickHouse;
  }

  /**
   * The tenant's SLOs at their latest evaluation (only {@code name} when not null), least budget
   * left first, without their firing rows.
   */
  List<Slo> latest(Tenant tenant, String name, Operation operation) {
    String where =
        "tenant_id = " + string(tenant.id()) + (name == null ? "" : " AND slo = " + string(name));
    // One row per SLO, whatever the months kept: slo_status_latest (migration 0030).
    String sql =
        "SELECT "
            + STATUS_COLUMNS
            + " FROM slo_status_latest FINAL WHERE "
            + where
            + " ORDER BY remaining, slo";
    List<Slo> out = new ArrayList<>();
    for (JsonNode r : query(sql, operation)) {
      List<BurnRate> burns = new ArrayList<>();
      for (String w : WINDOWS) {
        burns.add(new BurnRate(w, r.get("burn_" + w).asDouble()));
      }
      out.add(
          new Slo(
              r.get("slo").asText(),
              r.get("service").asText(),
              r.get("objective").asDouble(),
              Instant.ofEpochSecond(r.get("window_start_s").asLong()),
              r.get("eligible").asLong(),
              r.get("bad").asLong(),
              r.get("remaining").asDouble(),
              burns,
              Instant.ofEpochSecond(r.get("minute_s").asLong() + 60),
              List.of()));
    }
    // The store sorts by its doubles too; this keeps the order exact whatever it returns.
    out.sort(Comparator.comparingDouble(Slo::remainingBudget).thenComparing(Slo::name));
    return out;
  }

  /**
   * The alert rows of the tenant's SLOs (only {@code name} when not null) firing now: each row
   * whose latest change is "firing", as that change; by SLO, then row.
   */
  Map<String, List<AlertChange>> firing(Tenant tenant, String name, Operation operation) {
    // One row per alert row, whatever the months kept: slo_alerts_latest (migration 0031). The
    // state is tested outside FINAL: a filter inside could be applied before the newest change
    // wins.
    String sql =
        "SELECT * FROM (SELECT slo, alert_row, severity, state AS last_state,"
            + " toUnixTimestamp(at) AS at_s, toUnixTimestamp(since) AS since_s, threshold,"
            + " long_window_minutes, short_window_minutes, burn_long, burn_short"
            + " FROM slo_alerts_latest FINAL WHERE tenant_id = "
            + string(tenant.id())
            + (name == null ? "" : " AND slo = " + string(name))
            + ") WHERE last_state = 'firing' ORDER BY slo, alert_row";
    Map<String, List<AlertChange>> out = new LinkedHashMap<>();
    for (JsonNode r : query(sql, operation)) {
      out.computeIfAbsent(r.get("slo").asText(), k -> new ArrayList<>())
          .add(change(r, "last_state"));
    }
    return out;
  }

  /** The tenant's SLOs with their firing rows, least budget left first. */
  List<Slo> slos(Tenant tenant, Operation operation) {
    Map<String, List<AlertChange>> firing = firing(tenant, null, operation);
    return latest(tenant, null, operation).stream()
        .map(s -> s.withFiring(firing.getOrDefault(s.name(), List.of())))
        .toList();
  }

  /** One SLO of the tenant with its firing rows, or null when it was never evaluated. */
  Slo slo(Tenant tenant, String name, Operation operation) {
    List<Slo> latest = latest(tenant, name, operation);
    if (latest.isEmpty()) {
      return null;
    }
    return latest.get(0).withFiring(firing(tenant, name, operation).getOrDefault(name, List.of()));
  }

  /**
   * The SLO's remaining budget over the evaluations of the minutes that start in [from, to): the
   * last evaluation of each bucket, oldest first; buckets without one are absent.
   */
  List<BudgetPoint> budget(Tenant tenant, String name, MinuteBuckets buckets, Operation operation) {
    String sql =
        bucketed(
            "argMax(remaining, minute) AS remaining, argMax(eligible, minute) AS eligible,"
                + " argMax(bad, minute) AS bad",
            tenant,
            name,
            buckets);
    return query(sql, operation).stream()
        .map(
            r ->
                new BudgetPoint(
                    Instant.ofEpochSecond(r.get("t").asLong()),
                    Instant.ofEpochSecond(r.get("last_s").asLong() + 60),
                    r.get("remaining").asDouble(),
                    r.get("eligible").asLong(),
                    r.get("bad").asLong()))
        .toList();
  }

  /** One window's burn rate, as {@link #budget} takes the remaining budget. */
  List<BurnRatePoint> burnRates(
      Tenant tenant, String name, String window, MinuteBuckets buckets, Operation operation) {
    if (!WINDOWS.contains(window)) {
      throw new IllegalArgumentException("not a reported window: " + window);
    }
    String sql = bucketed("argMax(burn_" + window + ", minute) AS rate", tenant, name, buckets);
    return query(sql, operation).stream()
        .map(
            r ->
                new BurnRatePoint(
                    Instant.ofEpochSecond(r.get("t").asLong()),
                    Instant.ofEpochSecond(r.get("last_s").asLong() + 60),
                    r.get("rate").asDouble()))
        .toList();
  }

  private static String bucketed(String values, Tenant tenant, String name, MinuteBuckets buckets) {
    long w = buckets.minutes() * 60L;
    return "SELECT intDiv(toUInt32(minute), "
        + uint64(w)
        + ") * "
        + uint64(w)
        + " AS t, toUInt32(max(minute)) AS last_s, "
        + values
        + " FROM slo_status FINAL WHERE tenant_id = "
        + string(tenant.id())
        + " AND slo = "
        + string(name)
        + " AND minute >= "
        + dateTime(MinuteBuckets.ceilSecond(buckets.from()))
        + " AND minute <= "
        + dateTime(MinuteBuckets.ceilSecond(buckets.to()).minusSeconds(1))
        + " GROUP BY t ORDER BY t LIMIT "
        + uint64(buckets.points());
  }

  /** The SLO's alert state changes with {@code at} in [from, to), newest first, at most limit. */
  List<AlertChange> history(
      Tenant tenant, String name, Instant from, Instant to, int limit, Operation operation) {
    String sql =
        "SELECT alert_row, severity, state, toUnixTimestamp(at) AS at_s,"
            + " toUnixTimestamp(since) AS since_s, threshold, long_window_minutes,"
            + " short_window_minutes, burn_long, burn_short FROM slo_alerts FINAL WHERE tenant_id"
            + " = "
            + string(tenant.id())
            + " AND slo = "
            + string(name)
            + " AND at >= "
            + dateTime(MinuteBuckets.ceilSecond(from))
            + " AND at <= "
            + dateTime(MinuteBuckets.ceilSecond(to).minusSeconds(1))
            + " ORDER BY at DESC, alert_row, state LIMIT "
            + uint64(limit);
    return query(sql, operation).stream().map(r -> change(r, "state")).toList();
  }

  private static AlertChange change(JsonNode r, String stateColumn) {
    return new AlertChange(
        r.get("alert_row").asText(),
        r.get("severity").asText(),
        r.get(stateColumn).asText(),
        Instant.ofEpochSecond(r.get("at_s").asLong()),
        Instant.ofEpochSecond(r.get("since_s").asLong()),
        r.get("threshold").asDouble(),
        r.get("long_window_minutes").asLong(),
        r.get("short_window_minutes").asLong(),
        r.get("burn_long").asDouble(),
        r.get("burn_short").asDouble());
  }

  private List<JsonNode> query(String sql, Operation operation) {
    return clickHouse.query(sql, operation.nextQueryId());
  }
}
