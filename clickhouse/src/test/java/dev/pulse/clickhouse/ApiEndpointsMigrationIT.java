package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Migration 0032 lists the endpoints of a database that already holds minute facts: each endpoint
 * and method of the day rollup once, with its last day, and the minutes written after it add to the
 * same rows.
 */
@ExtendWith(ClickHouseExtension.class)
class ApiEndpointsMigrationIT {

  private static ClickHouse server;
  private static String db;

  @BeforeAll
  static void connect(TestClickHouse ch) {
    server = ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), null);
    db = ch.database() + "_endpoints";
  }

  @AfterAll
  static void close() {
    server.close();
  }

  private static String minute(String endpoint, String method, String minute) {
    return "{\"tenant_id\":\"t1\",\"service\":\"s\",\"endpoint\":\""
        + endpoint
        + "\",\"method\":\""
        + method
        + "\",\"region\":\"eu\",\"minute\":\""
        + minute
        + "\",\"requests\":1,\"batch_id\":\"b\"}";
  }

  @Test
  void theEndpointsOfTheDaysAlreadyKeptAreListedWithTheirLastDay() {
    try (ClickHouse c = server.withDatabase(db)) {
      new MigrationRunner(
              server, db, Migration.fromClasspath().stream().filter(m -> m.version() < 32).toList())
          .migrate();
      c.insertJsonEachRow(
          "api_request_minutes",
          List.of(
              minute("/a", "GET", "2025-01-01 10:00:00"),
              minute("/a", "GET", "2025-06-30 23:59:00"),
              minute("/a", "POST", "2025-02-01 00:00:00")));

      new MigrationRunner(server, db).migrate();

      assertThat(rows(c)).isEqualTo("/a\tGET\t2025-06-30\n/a\tPOST\t2025-02-01\n");
      c.insertJsonEachRow(
          "api_request_minutes",
          List.of(
              minute("/a", "POST", "2025-07-01 00:00:00"),
              minute("/b", "GET", "2025-07-01 00:00:00")));
      assertThat(rows(c))
          .isEqualTo("/a\tGET\t2025-06-30\n/a\tPOST\t2025-07-01\n/b\tGET\t2025-07-01\n");
    }
  }

  private static String rows(ClickHouse c) {
    return c.queryText(
        "SELECT endpoint, method, toString(last_day) FROM api_endpoints FINAL"
            + " ORDER BY endpoint, method FORMAT TabSeparated");
  }
}
