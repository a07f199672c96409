package dev.pulse.api.it;

import static dev.pulse.clickhouse.SqlLiteral.dateTime;
import static dev.pulse.clickhouse.SqlLiteral.string;
import static dev.pulse.clickhouse.SqlLiteral.uint64;

import dev.pulse.clickhouse.ClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written rows of api_requests_late, as the Flink job's late-event sink would store them: one
 * row per event that arrived after the allowed lateness. Tests state the event id, key and event
 * time; how late it was does not matter to what is served, so every event is 10 minutes behind the
 * watermark. Time literals are UTC ({@code toDateTime(..., 'UTC')}), whatever the server's zone.
 */
public final class LateEvents {

  private static final Duration LATENESS = Duration.ofMinutes(10);

  private final List<String> rows = new ArrayList<>();
  private List<String> key;

  /** The key (tenant, service, endpoint, method, region) of the events that follow. */
  public LateEvents key(
      String tenant, String service, String endpoint, String method, String region) {
    key = List.of(tenant, service, endpoint, method, region);
    return this;
  }

  /**
   * One late event of the current {@link #key}, with event time {@code eventTime} (ISO-8601,
   * milliseconds allowed).
   */
  public LateEvents event(String eventId, String eventTime) {
    Instant t = Instant.parse(eventTime);
    Instant seconds = t.truncatedTo(ChronoUnit.SECONDS);
    rows.add(
        "("
            + String.join(
                ", ",
                string(eventId),
                string(key.get(0)),
                dateTime(seconds),
                uint64(t.toEpochMilli()),
                string(key.get(1)),
                string(key.get(2)),
                string(key.get(3)),
                "200",
                "1000",
                string(key.get(4)),
                "NULL",
                dateTime(seconds.plus(LATENESS)),
                uint64(LATENESS.toMillis()),
                string("test-late"))
            + ")");
    return this;
  }

  /** Inserts the rows in one INSERT (one part) and forgets them. */
  public void insertInto(ClickHouse clickHouse) {
    clickHouse.execute(
        "INSERT INTO api_requests_late (event_id, tenant_id, event_time, event_time_ms, service,"
            + " endpoint, method, status_code, latency_us, region, trace_id, watermark,"
            + " lateness_ms, batch_id) VALUES "
            + String.join(", ", rows));
    rows.clear();
  }
}
