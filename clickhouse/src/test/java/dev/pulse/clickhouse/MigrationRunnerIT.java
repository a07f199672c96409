package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The production migrations and the runner against the real server. */
@ExtendWith(ClickHouseExtension.class)
class MigrationRunnerIT {

  private static ClickHouse client;
  private static String prefix;

  @BeforeAll
  static void connect(TestClickHouse ch) {
    client = ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), null);
    prefix = ch.database(); // unique per class and run: databases below are named after it
  }

  @AfterAll
  static void close() {
    client.close();
  }

  private static String schema(String database) {
    return client.queryText(
            "SELECT name, engine, create_table_query FROM system.tables WHERE database = "
                + SqlLiteral.string(database)
                + " ORDER BY name FORMAT TabSeparated")
        // What system.columns says of the schema (18.16 and current servers both have these); not
        // the stored sizes, which depend on the rows (schema_migrations' timestamps).
        + client.queryText(
            "SELECT database, table, name, type, default_kind, default_expression, comment,"
                + " is_in_partition_key, is_in_sorting_key, is_in_primary_key, is_in_sampling_key"
                + " FROM system.columns WHERE database = "
                + SqlLiteral.string(database)
                + " ORDER BY table, name FORMAT TabSeparated");
  }

  @Test
  void applyingAllMigrationsTwiceChangesNothing() {
    String db = prefix + "_twice";
    List<MigrationRunner.MigrationResult> first = new MigrationRunner(client, db).migrate();
    int packaged = Migration.fromClasspath().size();
    assertThat(first)
        .hasSize(packaged)
        .extracting(MigrationRunner.MigrationResult::name)
        .startsWith(
            "classroom_events_raw", "playback_events_raw", "api_requests_raw", "probe_results_raw");
    String before = schema(db);
    assertThat(before)
        .contains(
            "classroom_events_raw\tReplacingMergeTree",
            "probe_results_raw\tReplacingMergeTree",
            "schema_migrations\tReplacingMergeTree");

    assertThat(new MigrationRunner(client, db).migrate()).isEmpty();

    assertThat(schema(db)).isEqualTo(before);
    assertThat(
            client
                .query("SELECT count() AS n FROM " + db + ".schema_migrations")
                .get(0)
                .get("n")
                .asLong())
        .isEqualTo(packaged);
    assertThat(
            client
                .query(
                    "SELECT count() AS n FROM system.tables WHERE database = "
                        + SqlLiteral.string(db)
                        + " AND name = 'schema_migrations_lock'")
                .get(0)
                .get("n")
                .asLong())
        .isZero();
  }

  @Test
  void statusListsEveryMigrationAsAppliedWithTheServerVersion(TestClickHouse ch) {
    String db = prefix + "_status";
    MigrationRunner runner = new MigrationRunner(client, db);
    assertThat(runner.status()).allMatch(s -> !s.applied());
    runner.migrate();
    assertThat(runner.status())
        .hasSize(Migration.fromClasspath().size())
        .allMatch(
            s ->
                s.applied()
                    && s.serverVersion().equals(ch.version())
                    && s.skippedStatements() == 0);
  }

  @Test
  void theSameEventInsertedTwiceLeavesOneRowAfterMerge() {
    String db = prefix + "_dedup";
    new MigrationRunner(client, db).migrate();
    try (ClickHouse c = client.withDatabase(db)) {
      String row =
          "{\"event_id\":\"e-1\",\"tenant_id\":\"t\",\"event_time\":\"2026-03-01 12:00:05\",\"event_time_ms\":1772366405123,"
              + "\"view_id\":\"v\",\"video_id\":\"vid\",\"course_id\":\"c\",\"user_id\":\"u\",\"type\":\"FIRST_FRAME\","
              + "\"bitrate_kbps\":null,\"playhead_ms\":0,\"error_code\":null,\"fatal\":0,\"cdn\":\"a\",\"region\":\"eu\","
              + "\"device\":\"web\",\"player\":\"p\"}";
      String other = row.replace("e-1", "e-2");
      c.insertJsonEachRow("playback_events_raw", List.of(row, other));
      c.insertJsonEachRow(
          "playback_events_raw", List.of(row)); // replay: a second part with the duplicate
      assertThat(c.query("SELECT count() AS n FROM playback_events_raw").get(0).get("n").asLong())
          .isEqualTo(3);
      c.execute("OPTIMIZE TABLE playback_events_raw FINAL");
      var rows =
          c.query("SELECT event_id, event_time_ms FROM playback_events_raw ORDER BY event_id");
      assertThat(rows).extracting(r -> r.get("event_id").asText()).containsExactly("e-1", "e-2");
      assertThat(rows.get(0).get("event_time_ms").asLong()).isEqualTo(1772366405123L);
    }
  }

  @Test
  void gatedStatementIsSkippedOnAnOlderServerAndCounted(TestClickHouse ch) throws Exception {
    String db = prefix + "_gated";
    List<Migration> gated =
        Migration.fromDirectory(Path.of(getClass().getResource("/gated-migrations").toURI()));
    List<MigrationRunner.MigrationResult> r = new MigrationRunner(client, db, gated).migrate();
    assertThat(r)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.statements()).isEqualTo(2);
              assertThat(m.skippedStatements()).isEqualTo(1);
            });
    assertThat(
            client.queryText(
                "SELECT name FROM system.tables WHERE database = "
                    + SqlLiteral.string(db)
                    + " AND name != 'schema_migrations' ORDER BY name FORMAT TabSeparated"))
        .isEqualTo("from_the_past\ngated\n");
    assertThat(
            client
                .query("SELECT skipped_statements FROM " + db + ".schema_migrations")
                .get(0)
                .get("skipped_statements")
                .asInt())
        .isEqualTo(1);
  }

  @Test
  void aMigrationChangedAfterItWasAppliedFailsLoudly() {
    String db = prefix + "_changed";
    new MigrationRunner(
            client,
            db,
            List.of(
                Migration.parse(
                    "0001_t.sql", "CREATE TABLE IF NOT EXISTS t (x UInt8) ENGINE = TinyLog;")))
        .migrate();
    MigrationRunner edited =
        new MigrationRunner(
            client,
            db,
            List.of(
                Migration.parse(
                    "0001_t.sql", "CREATE TABLE IF NOT EXISTS t (x UInt16) ENGINE = TinyLog;")));
    assertThatThrownBy(edited::migrate)
        .isInstanceOf(MigrationRunner.MigrationException.class)
        .hasMessageContaining(
            "migration 0001 (0001_t) changed after it was applied; add a new migration instead");
    assertThat(
            client
                .query(
                    "SELECT count() AS n FROM system.tables WHERE database = "
                        + SqlLiteral.string(db)
                        + " AND name = 'schema_migrations_lock'")
                .get(0)
                .get("n")
                .asLong())
        .as("lock released after failure")
        .isZero();
  }

  @Test
  void failingStatementNamesTheMigrationAndIsNotRecorded() {
    String db = prefix + "_failing";
    MigrationRunner runner =
        new MigrationRunner(
            client,
            db,
            List.of(
                Migration.parse(
                    "0001_ok.sql", "CREATE TABLE IF NOT EXISTS ok (x UInt8) ENGINE = TinyLog;"),
                Migration.parse(
                    "0002_bad.sql",
                    "CREATE TABLE IF NOT EXISTS bad (x UInt8) ENGINE = NoSuchEngine;")));
    assertThatThrownBy(runner::migrate)
        .isInstanceOf(MigrationRunner.MigrationException.class)
        .hasMessageContaining("migration 0002_bad statement 1 failed")
        .hasMessageContaining("NoSuchEngine");
    assertThat(runner.status())
        .extracting(MigrationRunner.MigrationStatus::applied)
        .containsExactly(true, false);
  }

  @Test
  void twoRunnersAtOnceBothSucceedAndApplyEachMigrationOnce(TestClickHouse ch) throws Exception {
    String db = prefix + "_race";
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<MigrationRunner.MigrationResult>>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        futures.add(
            pool.submit(
                () -> {
                  try (ClickHouse own =
                      ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), null)) {
                    go.await();
                    return new MigrationRunner(
                            own, db, Migration.fromClasspath(), Duration.ofSeconds(60))
                        .migrate();
                  }
                }));
      }
      go.countDown();
      List<String> applied = new ArrayList<>();
      for (Future<List<MigrationRunner.MigrationResult>> f : futures) {
        f.get(90, TimeUnit.SECONDS).forEach(r -> applied.add(r.name()));
      }
      // The lock lets one runner apply everything; the other finds nothing left to do.
      assertThat(applied)
          .containsExactlyInAnyOrderElementsOf(
              Migration.fromClasspath().stream().map(Migration::name).toList());
    } finally {
      pool.shutdownNow();
    }
    assertThat(
            client
                .query("SELECT count() AS n FROM " + db + ".schema_migrations")
                .get(0)
                .get("n")
                .asLong())
        .isEqualTo(Migration.fromClasspath().size());
    String reference = prefix + "_race_reference";
    new MigrationRunner(client, reference).migrate();
    assertThat(schema(db).replace(db, "DB")).isEqualTo(schema(reference).replace(reference, "DB"));
  }

  /**
   * A statement that runs longer than the stale-lock time (a table copy of 0010 on a large table)
   * must not let a second runner take the lock over and apply the same migration alongside.
   */
  @Test
  void aRunnerWhoseStatementsOutlastTheStaleLockTimeRenewsItsLockAndKeepsIt(TestClickHouse ch)
      throws Exception {
    String db = prefix + "_renewed";
    Duration stale = Duration.ofSeconds(3);
    List<Migration> slow =
        List.of(
            Migration.parse(
                "0001_slow.sql",
                "CREATE TABLE IF NOT EXISTS slow (x UInt8) ENGINE = TinyLog;"
                    + " SELECT sleep(3); SELECT sleep(3); SELECT sleep(3);"
                    + " INSERT INTO slow VALUES (1);"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ClickHouse ownA = ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), null);
        ClickHouse ownB = ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), null)) {
      Future<List<MigrationRunner.MigrationResult>> first =
          pool.submit(
              () ->
                  new MigrationRunner(
                          ownA, db, slow, Duration.ofSeconds(30), stale, Duration.ofMillis(500))
                      .migrate());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (client
              .query(
                  "SELECT count() AS n FROM system.tables WHERE database = "
                      + SqlLiteral.string(db)
                      + " AND name = 'slow'")
              .get(0)
              .get("n")
              .asLong()
          == 0) {
        assertThat(System.nanoTime()).as("first runner started its migration").isLessThan(deadline);
        Thread.sleep(50);
      }
      Future<List<MigrationRunner.MigrationResult>> second =
          pool.submit(
              () ->
                  new MigrationRunner(
                          ownB, db, slow, Duration.ofSeconds(30), stale, Duration.ofMillis(500))
                      .migrate());

      List<MigrationRunner.MigrationResult> applied = first.get(60, TimeUnit.SECONDS);
      assertThat(applied).singleElement();
      // The fault really happened: the holder's statements ran for more than twice the stale time.
      assertThat(applied.get(0).millis()).isGreaterThan(2 * stale.toMillis());
      assertThat(second.get(60, TimeUnit.SECONDS))
          .as("the waiting runner applied nothing")
          .isEmpty();
      assertThat(client.queryText("SELECT count() FROM " + db + ".slow FORMAT TabSeparated"))
          .as("the migration's INSERT ran once")
          .isEqualTo("1\n");
    } finally {
      pool.shutdownNow();
    }
  }
}
