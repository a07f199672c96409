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

  /** One late event with event time {@code eventTime} (ISO-8601, milliseconds allowed). */
  public LateEvents event(
      String eventId,
      String tenant,
      String service,
      String endpoint,
      String method,
      String region,
      String eventTime) {
    Instant t = Instant.parse(eventTime);
    Instant seconds = t.truncatedTo(ChronoUnit.SECONDS);
    rows.add(
        "("
            + String.join(
                ", ",
                string(eventId),
                string(tenant),
                dateTime(seconds),
                uint64(t.toEpochMilli()),
                string(service),
                string(endpoint),
                string(method),
                "200",
                "1000",
                string(region),
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
