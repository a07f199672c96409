package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.local.ClickHouseUser;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * serving-api's ClickHouse user {@code pulse_api} on the real 18.16 server: it reads the facts and
 * can do nothing else (no INSERT, ALTER, DROP, CREATE, SET, overriding its limits, or table
 * functions that reach files and URLs), and its limits hold on the server: a result over its row
 * limit and a query over its time limit are stopped there, whatever the client does.
 */
@ExtendWith(ClickHouseExtension.class)
class WarehouseUsersIT {

  private static TestClickHouse server;
  private static ClickHouse api;

  @BeforeAll
  static void connect(TestClickHouse ch) {
    server = ch;
    Assumptions.assumeTrue(ch.apiUser() != null, "an external server has its own users");
    ch.migratedDatabase();
    ClickHouseUser user = ch.apiUser();
    api =
        ClickHouse.connect(
            ch.httpUrl(), user.name(), user.password(), ch.database(), Duration.ofSeconds(60));
  }

  /** The server's error code refusing {@code sql}. */
  private static int refusalCode(String sql) {
    try {
      api.query(sql);
    } catch (ClickHouseException e) {
      return e.code();
    }
    throw new AssertionError("pulse_api was allowed: " + sql);
  }

  private static void execute(String sql) {
    api.execute(sql);
  }

  @Test
  void itReadsTheFacts() {
    assertThat(api.query("SELECT count() AS n FROM api_request_minutes").get(0).get("n").asLong())
        .isZero();
  }

  @Test
  void itCannotWriteDropCreateAlterSetOrReachFilesAndUrls() {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("insert", "INSERT INTO api_request_minutes (tenant_id) VALUES ('x')");
    refused.put("drop", "DROP TABLE api_request_minutes");
    refused.put("truncate", "TRUNCATE TABLE api_request_minutes");
    refused.put("create", "CREATE TABLE pwned (x UInt8) ENGINE = Memory");
    refused.put("alter", "ALTER TABLE api_request_minutes DELETE WHERE 1");
    refused.put("set", "SET max_execution_time = 1000");
    refused.put("file()", "SELECT * FROM file('users.xml', TSV, 'x String')");
    refused.put("url()", "SELECT * FROM url('http://127.0.0.1:1/', TSV, 'x String')");
    refused.put("numbers()", "SELECT count() FROM numbers(10)");
    for (Map.Entry<String, String> r : refused.entrySet()) {
      assertThatThrownBy(() -> execute(r.getValue()))
          .as(r.getKey())
          .isInstanceOfSatisfying(
              ClickHouseException.class,
              e -> assertThat(e.code()).as(r.getKey() + ": " + e.getMessage()).isEqualTo(164));
    }
    // Its limits cannot be raised from the client either.
    try (ClickHouse raising =
        ClickHouse.connect(
            server.httpUrl(),
            server.apiUser().name(),
            server.apiUser().password(),
            server.database(),
            Duration.ofSeconds(10),
            Map.of("max_execution_time", "100000"))) {
      assertThatThrownBy(() -> raising.query("SELECT 1 AS x"))
          .isInstanceOfSatisfying(
              ClickHouseException.class, e -> assertThat(e.code()).isEqualTo(164));
    }
  }

  @Test
  void itsLimitsAreTheServersAndHold() {
    Map<String, String> changed = new LinkedHashMap<>();
    for (JsonNode row :
        api.query("SELECT name, value FROM system.settings WHERE changed ORDER BY name")) {
      changed.put(row.get("name").asText(), row.get("value").asText());
    }
    assertThat(changed)
        .containsEntry("readonly", "1")
        .containsEntry("log_queries", "1")
        .containsEntry("max_execution_time", "10")
        .containsEntry("max_result_rows", "1000000")
        .containsEntry("max_concurrent_queries_for_user", "20")
        .containsEntry("max_memory_usage", "2000000000");
    // A result over 1,000,000 rows: stopped by the server (TOO_MANY_ROWS_OR_BYTES, 396).
    assertThat(refusalCode("SELECT number FROM system.numbers LIMIT 2000000")).isEqualTo(396);
    // An endless scan: stopped by the server at whichever limit comes first, 2e9 rows read
    // (TOO_MANY_ROWS, 158) or 10 s (TIMEOUT_EXCEEDED, 159), and not left running.
    long start = System.nanoTime();
    assertThat(refusalCode("SELECT count() FROM system.numbers")).isIn(158, 159);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    List<JsonNode> running =
        server
            .client()
            .query(
                "SELECT count() AS n FROM system.processes WHERE user = 'pulse_api'"
                    + " AND query LIKE '%system.numbers%' AND query NOT LIKE '%system.processes%'");
    assertThat(running.get(0).get("n").asLong()).isZero();
  }

  @Test
  void onClickHouse1816ItCanStillReadTheSystemDatabase() {
    // 18.16 has no GRANTs: allow_databases cannot close `system` (docs/access.md). This test
    // keeps that documented limit true; on a current ClickHouse, REVOKE closes it.
    assertThat(api.query("SELECT count() AS n FROM system.tables").get(0).get("n").asLong())
        .isPositive();
  }
}
