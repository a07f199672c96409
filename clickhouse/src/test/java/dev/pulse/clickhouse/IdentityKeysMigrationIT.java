package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Migrations 0010, 0011 and 0012 rebuild three tables under new sorting keys (18.16 cannot alter
 * one): the rows written under 0003, 0008 and 0009 survive, event ids become canonical (lower
 * case), the same id in two tenants and the same offset in two Kafka clusters stay apart, and a run
 * interrupted between any two statements is finished by the next one.
 */
@ExtendWith(ClickHouseExtension.class)
class IdentityKeysMigrationIT {

  private static final String ID = "abcdef00-0000-4000-8000-000000000001";

  /** One request of tenant t1 with its id in upper case, its retry in lower case, and t2's. */
  private static final List<String> RAW_ROWS =
      List.of(raw(ID.toUpperCase(Locale.ROOT), "t1"), raw(ID, "t1"), raw(ID, "t2"));

  private static final String RAW_KEY = "service, endpoint, event_time, tenant_id, event_id";
  private static final String DEAD_LETTERS_KEY =
      "kafka_cluster_id, source_topic, partition, offset";

  private static ClickHouse server;
  private static String prefix;

  @BeforeAll
  static void connect(TestClickHouse ch) {
    server = ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), null);
    prefix = ch.database();
  }

  @AfterAll
  static void close() {
    server.close();
  }

  private static String raw(String id, String tenant) {
    return "{\"event_id\":\""
        + id
        + "\",\"tenant_id\":\""
        + tenant
        + "\",\"event_time\":1772366405,\"event_time_ms\":1772366405123,\"service\":\"s\","
        + "\"endpoint\":\"/a\",\"method\":\"GET\",\"status_code\":200,\"latency_us\":1500,"
        + "\"region\":\"eu\",\"trace_id\":null";
  }

  @Test
  void rowsOfTheOldTablesAreCopiedWithCanonicalIdsPerTenantAndTheSortingKeysChange() {
    String db = prefix + "_copied";
    try (ClickHouse c = server.withDatabase(db)) {
      migrateBefore(10, db);
      writeOldRows(c);

      new MigrationRunner(server, db).migrate();

      assertRebuilt(c, db);
      // New rows: the same id in two tenants stays two rows even after every merge.
      c.insertJsonEachRow(
          "api_requests_raw",
          List.of(raw(ID.replace('1', '2'), "t1") + "}", raw(ID.replace('1', '2'), "t2") + "}"));
      c.execute("OPTIMIZE TABLE api_requests_raw FINAL");
      assertThat(c.queryText("SELECT count() FROM api_requests_raw FORMAT TabSeparated"))
          .isEqualTo("4\n");
    }
  }

  /**
   * Each run stops after {@code done} statements of the migration (run here by hand, as a runner
   * that died would have left them), then the runner runs everything.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void aRunInterruptedAfterAnyStatementOf0010IsFinishedByTheNextRun(int done) {
    interruptedThenResumed(10, done);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void aRunInterruptedAfterAnyStatementOf0011IsFinishedByTheNextRun(int done) {
    interruptedThenResumed(11, done);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void aRunInterruptedAfterAnyStatementOf0012IsFinishedByTheNextRun(int done) {
    interruptedThenResumed(12, done);
  }

  private static void interruptedThenResumed(int version, int done) {
    String db = prefix + "_resumed_" + version + "_" + done;
    Migration migration =
        Migration.fromClasspath().stream().filter(m -> m.version() == version).findFirst().get();
    assertThat(migration.statements()).hasSize(4);
    try (ClickHouse c = server.withDatabase(db)) {
      migrateBefore(10, db);
      writeOldRows(c);
      migrateBefore(version, db);
      for (Migration.Statement s : migration.statements().subList(0, done)) {
        c.execute(s.sql());
      }

      new MigrationRunner(server, db).migrate();

      assertRebuilt(c, db);
    }
  }

  private static List<Migration> below(int version) {
    return Migration.fromClasspath().stream().filter(m -> m.version() < version).toList();
  }

  private static void migrateBefore(int version, String db) {
    new MigrationRunner(server, db, below(version)).migrate();
  }

  /** Rows as 0003, 0008 and 0009 hold them, written before the rebuild. */
  private static void writeOldRows(ClickHouse c) {
    c.insertJsonEachRow("api_requests_raw", RAW_ROWS.stream().map(r -> r + "}").toList());
    c.insertJsonEachRow(
        "api_requests_late",
        RAW_ROWS.stream()
            .map(r -> r + ",\"watermark\":1772366500,\"lateness_ms\":94877}")
            .toList());
    c.insertJsonEachRow(
        "dead_letters",
        List.of(
            "{\"source_topic\":\"pulse.api.requests\",\"partition\":0,\"offset\":5,"
                + "\"reason\":\"UNDECODABLE\",\"message\":\"bad magic\",\"value_base64\":\"AAE=\","
                + "\"detected_at\":1772366405}"));
  }

  private static void assertRebuilt(ClickHouse c, String db) {
    for (String table : List.of("api_requests_raw", "api_requests_late")) {
      assertThat(
              c.queryText(
                  "SELECT tenant_id, event_id, event_time_ms FROM "
                      + table
                      + " FINAL ORDER BY tenant_id FORMAT TabSeparated"))
          .as(table)
          .isEqualTo("t1\t" + ID + "\t1772366405123\nt2\t" + ID + "\t1772366405123\n");
    }
    assertThat(c.queryText("SELECT lateness_ms FROM api_requests_late FINAL FORMAT TabSeparated"))
        .isEqualTo("94877\n94877\n");
    assertThat(
            c.queryText(
                "SELECT kafka_cluster_id, source_topic, partition, offset, value_base64"
                    + " FROM dead_letters FINAL FORMAT TabSeparated"))
        .isEqualTo("\tpulse.api.requests\t0\t5\tAAE=\n");
    assertThat(
            server.queryText(
                "SELECT name, sorting_key FROM system.tables WHERE database = "
                    + SqlLiteral.string(db)
                    + " AND name IN ('api_requests_raw', 'api_requests_late', 'dead_letters')"
                    + " ORDER BY name FORMAT TabSeparated"))
        .isEqualTo(
            "api_requests_late\t"
                + RAW_KEY
                + "\napi_requests_raw\t"
                + RAW_KEY
                + "\ndead_letters\t"
                + DEAD_LETTERS_KEY
                + "\n");
    assertThat(
            server.queryText(
                "SELECT name FROM system.tables WHERE database = "
                    + SqlLiteral.string(db)
                    + " AND match(name, '_(by_tenant|by_cluster|0003|0008|0009)$')"
                    + " FORMAT TabSeparated"))
        .as("no table of the rebuild is left behind")
        .isEmpty();
    assertThat(new MigrationRunner(server, db).status())
        .allMatch(MigrationRunner.MigrationStatus::applied);
  }
}
