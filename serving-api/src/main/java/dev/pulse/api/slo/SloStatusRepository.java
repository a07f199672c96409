package dev.pulse.api.slo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.SqlLiteral;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Repository;

/**
 * The SLO tables the evaluation writes (docs/slo.md): each SLO's latest evaluation ({@code
 * slo_status_latest}) and each alert row's latest change ({@code slo_alerts_latest}), for every
 * tenant: what the Prometheus metrics and the Alertmanager notifier publish.
 */
@Repository
public class SloStatusRepository {

  /** The reported burn-rate windows, as {@code slo_status} names their columns. */
  static final List<String> WINDOWS = List.of("5m", "30m", "1h", "2h", "6h", "1d", "3d");

  private final ClickHouse clickHouse;

  public SloStatusRepository(ClickHouse clickHouse) {
    this.clickHouse = clickHouse;
  }

  /** One SLO of one tenant at its latest evaluation. */
  public record Latest(
      String tenant,
      String slo,
      String service,
      Instant minute,
      double objective,
      double remaining,
      double[] burnRates) {}

  /** One alert row's latest change. */
  public record AlertState(
      String tenant,
      String slo,
      String service,
      String row,
      String severity,
      boolean firing,
      Instant at,
      Instant since,
      double threshold,
      long longWindowMinutes,
      long shortWindowMinutes,
      double burnLong,
      double burnShort) {}

  /** Every SLO of every tenant evaluated in the last {@code within}, at its latest evaluation. */
  public List<Latest> latest(Duration within, Instant now) {
    // One row per SLO, whatever the months kept: slo_status_latest (migration 0030); the time
    // condition is tested outside FINAL, after the newest evaluation won.
    String sql =
        "SELECT * FROM (SELECT tenant_id, slo, service, toUnixTimestamp(minute) AS evaluated,"
            + " objective, remaining, "
            + String.join(", ", WINDOWS.stream().map(w -> "burn_" + w).toList())
            + " FROM slo_status_latest FINAL) WHERE evaluated >= toUnixTimestamp("
            + SqlLiteral.dateTime(now.minus(within).truncatedTo(ChronoUnit.SECONDS))
            + ") ORDER BY tenant_id, slo";
    return clickHouse.query(sql, queryId()).stream().map(SloStatusRepository::latest).toList();
  }

  /**
   * The latest change of every alert row that fires, or resolved in the last {@code
   * resolvedWithin}.
   */
  public List<AlertState> alerts(Duration resolvedWithin, Instant now) {
    // One row per alert row: slo_alerts_latest (migration 0031), filtered outside FINAL.
    String sql =
        "SELECT * FROM (SELECT tenant_id, slo, alert_row, service, severity, state AS last_state,"
            + " toUnixTimestamp(at) AS changed_at, toUnixTimestamp(since) AS since_at, threshold,"
            + " long_window_minutes, short_window_minutes, burn_long, burn_short"
            + " FROM slo_alerts_latest FINAL) WHERE last_state = 'firing' OR changed_at >="
            + " toUnixTimestamp("
            + SqlLiteral.dateTime(now.minus(resolvedWithin).truncatedTo(ChronoUnit.SECONDS))
            + ") ORDER BY tenant_id, slo, alert_row";
    return clickHouse.query(sql, queryId()).stream().map(SloStatusRepository::alert).toList();
  }

  private static Latest latest(JsonNode r) {
    double[] burns = new double[WINDOWS.size()];
    for (int i = 0; i < burns.length; i++) {
      burns[i] = r.get("burn_" + WINDOWS.get(i)).asDouble();
    }
    return new Latest(
        r.get("tenant_id").asText(),
        r.get("slo").asText(),
        r.get("service").asText(),
        Instant.ofEpochSecond(r.get("evaluated").asLong()),
        r.get("objective").asDouble(),
        r.get("remaining").asDouble(),
        burns);
  }

  private static AlertState alert(JsonNode r) {
    return new AlertState(
        r.get("tenant_id").asText(),
        r.get("slo").asText(),
        r.get("service").asText(),
        r.get("alert_row").asText(),
        r.get("severity").asText(),
        r.get("last_state").asText().equals("firing"),
        Instant.ofEpochSecond(r.get("changed_at").asLong()),
        Instant.ofEpochSecond(r.get("since_at").asLong()),
        r.get("threshold").asDouble(),
        r.get("long_window_minutes").asLong(),
        r.get("short_window_minutes").asLong(),
        r.get("burn_long").asDouble(),
        r.get("burn_short").asDouble());
  }

  /** Queries of the metrics and the notifier are named slo/<uuid> in the server's query log. */
  private static String queryId() {
    return "slo/" + UUID.randomUUID();
  }
}
