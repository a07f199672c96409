package dev.pulse.api.uptime;

import static dev.pulse.clickhouse.SqlLiteral.dateTime;
import static dev.pulse.clickhouse.SqlLiteral.string;
import static dev.pulse.clickhouse.SqlLiteral.uint64;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Tenant;
import dev.pulse.api.series.MinuteBuckets;
import dev.pulse.api.uptime.UptimeShapes.Incident;
import dev.pulse.api.uptime.UptimeShapes.RegionUptime;
import dev.pulse.api.uptime.UptimeShapes.TargetUptime;
import dev.pulse.api.uptime.UptimeShapes.Uptime;
import dev.pulse.api.uptime.UptimeShapes.UptimePoint;
import dev.pulse.clickhouse.ClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.stereotype.Repository;

/**
 * {@code probe_minutes} (migration 0028) as the GraphQL API reads it for one tenant: uptime per
 * target and region over a range, a series per target, and the incidents found at read time by the
 * rule and query of docs/slo.md, "Uptime and incidents". A minute may have several rows (the
 * on-time one, then one per late firing), so every read sums them. Every statement starts with the
 * caller's tenant; every value is rendered by {@link dev.pulse.clickhouse.SqlLiteral}.
 *
 * <p>The range's minutes are those that start in [from, to): [{@code lo}, {@code hi}) below, both
 * whole minutes, {@code hi} bounded as {@code minute <= hi - 1 s} because hi itself may be one
 * second past what a DateTime can hold.
 */
@Repository
public class UptimeQueries {

  /**
   * Bucket widths of a series' points, in minutes, finest first (as the SLO burn-down's): the
   * finest whose buckets fit the configured most points is used; beyond a day, whole days.
   */
  /**
   * The first window an incident cut at a bound is followed into; each next one is twice as wide.
   */
  private static final long FIRST_EXTENSION_S = Duration.ofDays(1).toSeconds();

  private final ClickHouse clickHouse;

  public UptimeQueries(ClickHouse clickHouse) {
    this.clickHouse = clickHouse;
  }

  /**
   * The uptime of the tenant's targets (only {@code target} when not null) over the minutes that
   * start in [from, to), the lowest uptime first (then by target), each with its regions by name
   * and, when {@code withSeries}, its series over {@code buckets} (buckets without a check absent).
   */
  Uptime uptime(
      Tenant tenant,
      String target,
      Instant from,
      Instant to,
      MinuteBuckets buckets,
      boolean withSeries,
      Operation operation) {
    long lo = ceilMinute(from);
    long hi = ceilMinute(to);
    if (lo >= hi) {
      return new Uptime(from, to, buckets.minutes(), List.of());
    }
    String where = where(tenant, target == null ? null : List.of(target), lo, hi);
    Map<String, List<RegionUptime>> regions = new LinkedHashMap<>();
    // Per target over all regions: checks, successes, summed latency.
    Map<String, long[]> sums = new HashMap<>();
    for (JsonNode r :
        query(
            "SELECT target, region, sum(checks) AS c, sum(successes) AS s,"
                + " sum(latency_ms_sum) AS l FROM probe_minutes WHERE "
                + where
                + " GROUP BY target, region HAVING c > 0 ORDER BY target, region",
            operation)) {
      String t = r.get("target").asText();
      long checks = r.get("c").asLong();
      long successes = r.get("s").asLong();
      long latency = r.get("l").asLong();
      regions
          .computeIfAbsent(t, k -> new ArrayList<>())
          .add(
              new RegionUptime(
                  r.get("region").asText(),
                  checks,
                  successes,
                  UptimeShapes.ratio(successes, checks),
                  UptimeShapes.ratio(latency, checks)));
      long[] sum = sums.computeIfAbsent(t, k -> new long[3]);
      sum[0] += checks;
      sum[1] += successes;
      sum[2] += latency;
    }
    Map<String, List<UptimePoint>> series = new HashMap<>();
    if (withSeries && !regions.isEmpty()) {
      long w = buckets.minutes() * 60L;
      for (JsonNode r :
          query(
              "SELECT target, intDiv(toUInt32(minute), "
                  + uint64(w)
                  + ") * "
                  + uint64(w)
                  + " AS t, sum(checks) AS c, sum(successes) AS s, sum(latency_ms_sum) AS l"
                  + " FROM probe_minutes WHERE "
                  + where
                  + " GROUP BY target, t HAVING c > 0 ORDER BY target, t",
              operation)) {
        long checks = r.get("c").asLong();
        series
            .computeIfAbsent(r.get("target").asText(), k -> new ArrayList<>())
            .add(
                new UptimePoint(
                    Instant.ofEpochSecond(r.get("t").asLong()),
                    checks,
                    r.get("s").asLong(),
                    UptimeShapes.ratio(r.get("s").asLong(), checks),
                    UptimeShapes.ratio(r.get("l").asLong(), checks)));
      }
    }
    List<TargetUptime> targets = new ArrayList<>();
    for (Map.Entry<String, List<RegionUptime>> t : regions.entrySet()) {
      long[] sum = sums.get(t.getKey());
      targets.add(
          new TargetUptime(
              t.getKey(),
              sum[0],
              sum[1],
              UptimeShapes.ratio(sum[1], sum[0]),
              UptimeShapes.ratio(sum[2], sum[0]),
              t.getValue(),
              series.getOrDefault(t.getKey(), List.of())));
    }
    targets.sort(
        Comparator.comparingDouble(TargetUptime::uptime).thenComparing(TargetUptime::target));
    return new Uptime(from, to, buckets.minutes(), targets);
  }

  /**
   * The incidents of the tenant's targets (only {@code target} when not null) that overlap the
   * minutes starting in [from, to), newest first (by start, then target), at most {@code limit}:
   * each a maximal run of down minutes, so one running across a bound is followed past it to its
   * real start and end.
   */
  List<Incident> incidents(
      Tenant tenant, String target, Instant from, Instant to, int limit, Operation operation) {
    long lo = ceilMinute(from);
    long hi = ceilMinute(to);
    if (lo >= hi) {
      return List.of();
    }
    List<String> only = target == null ? null : List.of(target);
    List<Run> runs =
        runs(
            tenant,
            only,
            lo,
            hi,
            "",
            "ORDER BY start_s DESC, target LIMIT " + uint64(limit),
            operation);
    if (runs.size() == limit && runs.get(runs.size() - 1).start == lo) {
      // LIMIT may have cut among the runs that start at lo, whose real starts are found below:
      // take every one of them (at most one per target), then cut again once they are known.
      Map<String, Run> atLo = new HashMap<>();
      runs.stream().filter(r -> r.start == lo).forEach(r -> atLo.put(r.target, r));
      for (Run r : runs(tenant, only, lo, hi, "WHERE start_s = " + uint64(lo), "", operation)) {
        if (!atLo.containsKey(r.target)) {
          runs.add(r);
        }
      }
    }
    if (runs.isEmpty()) {
      return List.of();
    }
    followBack(tenant, runs, lo, operation);
    Map<String, Run> newest = new HashMap<>();
    for (Run r : runs) {
      newest.merge(r.target, r, (a, b) -> a.end >= b.end ? a : b);
    }
    Map<String, Long> latest = latestMinutes(tenant, newest.values(), operation);
    followForward(tenant, newest, latest, hi, operation);
    runs.sort(Comparator.comparingLong((Run r) -> -r.start).thenComparing((Run r) -> r.target));
    return runs.stream()
        .limit(limit)
        .map(
            r ->
                new Incident(
                    r.target,
                    Instant.ofEpochSecond(r.start),
                    Instant.ofEpochSecond(r.end),
                    r.end - r.start,
                    r.downMinutes,
                    List.copyOf(r.regions),
                    newest.get(r.target) == r && r.end - 60 == latest.getOrDefault(r.target, -1L)))
        .toList();
  }

  /** A run of down minutes as found so far: start and end in epoch seconds. */
  private static final class Run {
    final String target;
    long start;
    long end;
    long downMinutes;
    final TreeSet<String> regions = new TreeSet<>();

    Run(JsonNode r) {
      target = r.get("target").asText();
      start = r.get("start_s").asLong();
      end = r.get("end_s").asLong();
      downMinutes = r.get("down_minutes").asLong();
      r.get("regions").forEach(x -> regions.add(x.asText()));
    }

    /** The same incident's run in the minutes just before (or after) this one's. */
    void join(Run other) {
      start = Math.min(start, other.start);
      end = Math.max(end, other.end);
      downMinutes += other.downMinutes;
      regions.addAll(other.regions);
    }
  }

  /**
   * Follows the runs that start at {@code lo} (cut there) back in time, through windows of one day,
   * then two, four ...: as long as a run of the window ends where the incident starts, it is the
   * same incident; it stops once that run starts after the window's start (or at 1970).
   */
  private void followBack(Tenant tenant, List<Run> runs, long lo, Operation operation) {
    Map<String, Run> open = new HashMap<>();
    runs.stream().filter(r -> r.start == lo).forEach(r -> open.put(r.target, r));
    long edge = lo;
    long width = FIRST_EXTENSION_S;
    while (!open.isEmpty() && edge > 0) {
      long from = Math.max(0, edge - width);
      Map<String, Run> next = new HashMap<>();
      for (Run before :
          runs(tenant, open.keySet(), from, edge, "WHERE end_s = " + uint64(edge), "", operation)) {
        Run run = open.get(before.target);
        if (run != null) {
          run.join(before);
          if (before.start == from) {
            next.put(run.target, run);
          }
        }
      }
      open.clear();
      open.putAll(next);
      edge = from;
      width *= 2;
    }
  }

  /**
   * Follows each target's newest run that ends at {@code hi} (cut there) forward, as {@link
   * #followBack} does back, up to the target's latest minute with checks.
   */
  private void followForward(
      Tenant tenant,
      Map<String, Run> newest,
      Map<String, Long> latest,
      long hi,
      Operation operation) {
    Map<String, Run> open = new HashMap<>();
    newest.values().stream()
        .filter(r -> r.end == hi && latest.getOrDefault(r.target, 0L) >= hi)
        .forEach(r -> open.put(r.target, r));
    long edge = hi;
    long width = FIRST_EXTENSION_S;
    while (!open.isEmpty()) {
      long cap = open.keySet().stream().mapToLong(t -> latest.get(t) + 60).max().orElseThrow();
      long to = Math.min(edge + width, cap);
      Map<String, Run> next = new HashMap<>();
      for (Run after :
          runs(tenant, open.keySet(), edge, to, "WHERE start_s = " + uint64(edge), "", operation)) {
        Run run = open.get(after.target);
        if (run != null) {
          run.join(after);
          if (after.end == to && to < latest.get(run.target) + 60) {
            next.put(run.target, run);
          }
        }
      }
      open.clear();
      open.putAll(next);
      edge = to;
      width *= 2;
    }
  }

  /**
   * Each run's target's latest minute with checks (epoch seconds), at or after its last down
   * minute: a run is ongoing when that is its own last minute.
   */
  private Map<String, Long> latestMinutes(
      Tenant tenant, Collection<Run> runs, Operation operation) {
    long since = runs.stream().mapToLong(r -> r.end - 60).min().orElseThrow();
    List<String> targets = runs.stream().map(r -> r.target).sorted().toList();
    Map<String, Long> out = new HashMap<>();
    for (JsonNode r :
        query(
            "SELECT target, toUInt32(max(minute)) AS latest_s FROM probe_minutes WHERE tenant_id = "
                + string(tenant.id())
                + " AND target IN ("
                + targets.stream().map(t -> string(t)).collect(Collectors.joining(", "))
                + ") AND minute >= "
                + dateTime(Instant.ofEpochSecond(since))
                + " AND checks > 0 GROUP BY target",
            operation)) {
      out.put(r.get("target").asText(), r.get("latest_s").asLong());
    }
    return out;
  }

  private List<Run> runs(
      Tenant tenant,
      Collection<String> targets,
      long lo,
      long hi,
      String where,
      String order,
      Operation operation) {
    return query(
            "SELECT target, toUInt32(start) AS start_s, toUInt32(end) AS end_s, down_minutes,"
                + " regions FROM ("
                + incidentQuery(where(tenant, targets, lo, hi))
                + ") "
                + where
                + " "
                + order,
            operation)
        .stream()
        .map(Run::new)
        .collect(Collectors.toCollection(ArrayList::new));
  }

  /**
   * The documented incident query of docs/slo.md ("Uptime and incidents", ClickHouse 18.16: no
   * window functions; a minute's number minus its rank among its target's down minutes is the same
   * for every minute of one run), over the probe_minutes rows that {@code where} selects: the runs
   * of down minutes in those minutes, cut at their bounds.
   */
  static String incidentQuery(String where) {
    // As documented, but without tenant_id in the select lists and groupings: where holds
    // the one tenant, and every mention of tenant_id is its filter (TenantIsolationIT's audit).
    return "SELECT target, min(minute) AS start, max(minute) + 60 AS end,"
        + " toUInt32(end) - toUInt32(start) AS duration_s, count() AS down_minutes,"
        + " arraySort(groupUniqArrayArray(failed_regions)) AS regions"
        + " FROM ("
        + "SELECT target, m.1 AS minute, m.2 AS failed_regions,"
        + " intDiv(toUInt32(m.1), 60) - rank AS run"
        + " FROM ("
        + "SELECT target, arraySort(x -> x.1, groupArray((minute, failed_regions))) AS down"
        + " FROM ("
        + "SELECT target, minute, sum(region_checks) AS checks,"
        + " sum(region_successes) AS successes,"
        + " groupArrayIf(region, region_successes < region_checks) AS failed_regions"
        + " FROM ("
        + "SELECT target, minute, region, sum(checks) AS region_checks,"
        + " sum(successes) AS region_successes"
        + " FROM probe_minutes WHERE "
        + where
        + " GROUP BY target, minute, region"
        + ") GROUP BY target, minute HAVING (checks - successes) * 2 > checks"
        + ") GROUP BY target"
        + ") ARRAY JOIN down AS m, arrayEnumerate(down) AS rank"
        + ") GROUP BY target, run ORDER BY target, start";
  }

  /** The tenant's rows (of {@code targets} only, when not null) of the minutes in [lo, hi). */
  private static String where(Tenant tenant, Collection<String> targets, long lo, long hi) {
    return "tenant_id = "
        + string(tenant.id())
        + (targets == null
            ? ""
            : " AND target IN ("
                + targets.stream().sorted().map(t -> string(t)).collect(Collectors.joining(", "))
                + ")")
        + " AND minute >= "
        + dateTime(Instant.ofEpochSecond(lo))
        + " AND minute <= "
        + dateTime(Instant.ofEpochSecond(hi - 1));
  }

  /** The start of the first whole minute at or after {@code t}, epoch seconds. */
  static long ceilMinute(Instant t) {
    long s = MinuteBuckets.ceilSecond(t).getEpochSecond();
    return Math.floorDiv(s + 59, 60) * 60;
  }

  private List<JsonNode> query(String sql, Operation operation) {
    return clickHouse.query(sql, operation.nextQueryId());
  }
}
