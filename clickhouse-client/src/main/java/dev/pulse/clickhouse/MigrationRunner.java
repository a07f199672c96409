package dev.pulse.clickhouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the numbered migrations that a ClickHouse database has not seen yet, in order, and
 * records each in {@code schema_migrations}.
 *
 * <p>Safe to run twice: applied versions are skipped, and every statement is idempotent ({@code IF
 * NOT EXISTS}, a copy into a ReplacingMergeTree) or gated by {@code -- unless-exists:}. Safe from
 * two processes at once: a lock table ({@code schema_migrations_lock}, created without {@code IF
 * NOT EXISTS}, which only one creator can win) serializes runners; the holder renews it every
 * {@link #HEARTBEAT} while its statements run, the others wait (bounded) and take over a lock not
 * renewed for {@link #STALE_LOCK}, left by a runner that died. Statements gated with {@code --
 * requires: X.Y} run only on servers of at least that version; on older servers they are skipped
 * and counted in the record. Statements gated with {@code -- unless-exists: T} run only while table
 * {@code T} does not exist (checked just before the statement), so a migration that renames tables
 * resumes where an interrupted run stopped.
 */
public final class MigrationRunner {

  /**
   * A lock whose newest heartbeat is older than this was left by a runner that died: a live runner
   * renews it every {@link #HEARTBEAT}, however long its statements run.
   */
  public static final Duration STALE_LOCK = Duration.ofMinutes(10);

  /** How often a runner holding the lock renews it. */
  public static final Duration HEARTBEAT = Duration.ofMinutes(1);

  /**
   * Longest one migration statement may run: a migration that rebuilds a table copies every row
   * (0010 copied 10 million raw rows in 19 s on a shared 2-core machine, so a billion take about
   * half an hour), far beyond a client's usual timeout.
   */
  public static final Duration STATEMENT_TIMEOUT = Duration.ofHours(6);

  /** How long a runner waits for another one's lock before giving up. */
  public static final Duration LOCK_WAIT = Duration.ofMinutes(2);

  static final String RECORD_TABLE = "schema_migrations";
  static final String LOCK_TABLE = "schema_migrations_lock";
  private static final Logger LOG = LoggerFactory.getLogger(MigrationRunner.class);

  private final ClickHouse client;
  private final String database;
  private final List<Migration> migrations;
  private final Duration lockWait;
  private final Duration staleLock;
  private final Duration heartbeat;
  private final String owner =
      ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

  /** What one migration did in one run. */
  public record MigrationResult(
      int version, String name, int statements, int skippedStatements, long millis) {}

  /** The recorded state of one known migration. */
  public record MigrationStatus(
      int version,
      String name,
      boolean applied,
      Instant appliedAt,
      String serverVersion,
      int skippedStatements) {}

  /**
   * Runs the migrations on the classpath ({@code migrations/}, shipped by the clickhouse module)
   * against {@code database}.
   */
  public MigrationRunner(ClickHouse client, String database) {
    this(client, database, Migration.fromClasspath());
  }

  /**
   * Runs {@code migrations} against {@code database}; {@code client} may have any default database.
   */
  public MigrationRunner(ClickHouse client, String database, List<Migration> migrations) {
    this(client, database, migrations, LOCK_WAIT);
  }

  MigrationRunner(
      ClickHouse client, String database, List<Migration> migrations, Duration lockWait) {
    this(client, database, migrations, lockWait, STALE_LOCK, HEARTBEAT);
  }

  MigrationRunner(
      ClickHouse client,
      String database,
      List<Migration> migrations,
      Duration lockWait,
      Duration staleLock,
      Duration heartbeat) {
    this.client = Objects.requireNonNull(client, "client");
    SqlLiteral.identifier(database);
    this.database = database;
    this.migrations = List.copyOf(migrations);
    this.lockWait = lockWait;
    this.staleLock = staleLock;
    this.heartbeat = heartbeat;
  }

  /**
   * Entry point for the launcher: migrates {@code database} on the server at {@code httpUrl} with
   * the packaged migrations.
   */
  public static List<MigrationResult> migrate(
      String httpUrl, String user, String password, String database) {
    try (ClickHouse client = ClickHouse.connect(httpUrl, user, password, null)) {
      return new MigrationRunner(client, database).migrate();
    }
  }

  /**
   * Creates the database if needed, then applies every migration not yet recorded, in version
   * order.
   *
   * @return the migrations applied by this call (empty when the database was up to date)
   * @throws MigrationException when a statement fails, a lock cannot be had, or an applied
   *     migration's file changed
   */
  public List<MigrationResult> migrate() {
    createDatabase();
    try (ClickHouse db = client.withDatabase(database, STATEMENT_TIMEOUT)) {
      acquireLock(db);
      ScheduledExecutorService renewal = renewLock(db);
      try {
        return applyPending(db);
      } finally {
        stop(renewal);
        db.execute("DROP TABLE IF EXISTS " + LOCK_TABLE);
      }
    }
  }

  /**
   * Renews the lock every {@link #heartbeat} with a row of the current time, so that waiting
   * runners judge it by its newest row and never take over from a runner whose statement is still
   * running (a table copy can run for minutes).
   */
  private ScheduledExecutorService renewLock(ClickHouse db) {
    ScheduledExecutorService renewal =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "migration-lock-heartbeat");
              t.setDaemon(true);
              return t;
            });
    renewal.scheduleAtFixedRate(
        () -> {
          try {
            writeLockRow(db);
          } catch (RuntimeException e) {
            // The next beat tries again; a lock missed for staleLock is taken over, as it should.
            LOG.warn("could not renew the migration lock in {}: {}", database, e.getMessage());
          }
        },
        heartbeat.toMillis(),
        heartbeat.toMillis(),
        TimeUnit.MILLISECONDS);
    return renewal;
  }

  /** Stops the renewal before the lock is dropped, so no beat lands in another runner's lock. */
  private static void stop(ScheduledExecutorService renewal) {
    renewal.shutdownNow();
    try {
      renewal.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLockRow(ClickHouse db) {
    db.execute(
        "INSERT INTO "
            + LOCK_TABLE
            + " VALUES ("
            + SqlLiteral.string(owner)
            + ", "
            + SqlLiteral.dateTime(Instant.now().truncatedTo(ChronoUnit.SECONDS))
            + ")");
  }

  /** Every known migration and whether it is recorded as applied (read-only; creates nothing). */
  public List<MigrationStatus> status() {
    Map<Integer, JsonNode> applied = new HashMap<>();
    // Checked through the caller's client: a client whose default database does not exist fails
    // every query.
    if (tableExists(client, RECORD_TABLE)) {
      try (ClickHouse db = client.withDatabase(database)) {
        applied = recorded(db);
      }
    }
    List<MigrationStatus> out = new ArrayList<>();
    for (Migration m : migrations) {
      JsonNode r = applied.get(m.version());
      out.add(
          r == null
              ? new MigrationStatus(m.version(), m.name(), false, null, null, 0)
              : new MigrationStatus(
                  m.version(),
                  m.name(),
                  true,
                  Instant.ofEpochSecond(r.get("applied_at").asLong()),
                  r.get("server_version").asText(),
                  r.get("skipped_statements").asInt()));
    }
    return out;
  }

  private List<MigrationResult> applyPending(ClickHouse db) {
    // Why ReplacingMergeTree keyed by version: if a stale lock is ever taken over while its owner
    // still
    // runs, both may record the same version; FINAL then shows one row.
    db.execute(
        "CREATE TABLE IF NOT EXISTS "
            + RECORD_TABLE
            + " (\n"
            + "  version UInt32,\n  name String,\n  checksum String,\n  applied_at DateTime,\n"
            + "  server_version String,\n  statements UInt32,\n  skipped_statements UInt32\n"
            + ") ENGINE = ReplacingMergeTree ORDER BY version");
    String serverVersion = db.serverVersion();
    Map<Integer, JsonNode> applied = recorded(db);
    List<MigrationResult> results = new ArrayList<>();
    for (Migration m : migrations) {
      JsonNode record = applied.get(m.version());
      if (record != null) {
        if (!record.get("checksum").asText().equals(m.checksum())) {
          throw new MigrationException(
              String.format(
                  "migration %04d (%s) changed after it was applied; "
                      + "add a new migration instead",
                  m.version(), m.id()));
        }
        continue;
      }
      results.add(apply(db, m, serverVersion));
    }
    if (results.isEmpty()) {
      LOG.info("database {} is up to date ({} migrations)", database, migrations.size());
    }
    return results;
  }

  private MigrationResult apply(ClickHouse db, Migration m, String serverVersion) {
    long start = System.nanoTime();
    int run = 0;
    int skipped = 0;
    for (int i = 0; i < m.statements().size(); i++) {
      Migration.Statement s = m.statements().get(i);
      if (s.requires().isPresent()
          && Migration.compareVersions(serverVersion, s.requires().get()) < 0) {
        LOG.info(
            "{}: statement {} skipped: requires server {}, this is {}",
            m.id(),
            i + 1,
            s.requires().get(),
            serverVersion);
        skipped++;
        continue;
      }
      if (s.unlessExists().isPresent() && tableExists(db, s.unlessExists().get())) {
        // Not counted as skipped: only a rerun of an interrupted migration gets here, and the
        // statement's effect is already in place.
        LOG.info(
            "{}: statement {} not run: table {} exists (resuming an interrupted run)",
            m.id(),
            i + 1,
            s.unlessExists().get());
        continue;
      }
      try {
        db.execute(s.sql());
      } catch (ClickHouseException e) {
        throw new MigrationException(
            "migration "
                + m.id()
                + " statement "
                + (i + 1)
                + " failed: "
                + e.getMessage()
                + "\n"
                + s.sql(),
            e);
      }
      run++;
    }
    db.execute(
        "INSERT INTO "
            + RECORD_TABLE
            + " (version, name, checksum, applied_at, server_version, statements, skipped_statements) VALUES ("
            + m.version()
            + ", "
            + SqlLiteral.string(m.name())
            + ", "
            + SqlLiteral.string(m.checksum())
            + ", "
            + SqlLiteral.dateTime(Instant.now().truncatedTo(ChronoUnit.SECONDS))
            + ", "
            + SqlLiteral.string(serverVersion)
            + ", "
            + run
            + ", "
            + skipped
            + ")");
    long millis = (System.nanoTime() - start) / 1_000_000;
    LOG.info(
        "applied {} ({} statements{}) in {} ms",
        m.id(),
        run,
        skipped == 0 ? "" : ", " + skipped + " skipped",
        millis);
    return new MigrationResult(m.version(), m.name(), run, skipped, millis);
  }

  private Map<Integer, JsonNode> recorded(ClickHouse db) {
    Map<Integer, JsonNode> applied = new HashMap<>();
    for (JsonNode r :
        db.query(
            "SELECT version, name, checksum, toUInt32(applied_at) AS applied_at, server_version, "
                + "skipped_statements FROM "
                + RECORD_TABLE
                + " FINAL")) {
      applied.put(r.get("version").asInt(), r);
    }
    return applied;
  }

  private void createDatabase() {
    String sql = "CREATE DATABASE IF NOT EXISTS " + SqlLiteral.identifier(database);
    try {
      client.execute(sql);
    } catch (ClickHouseException e) {
      // Two runners racing on a new database: the loser may be told it exists despite IF NOT
      // EXISTS.
      client.execute(sql);
    }
  }

  /**
   * Takes the lock by creating the lock table; CREATE TABLE without IF NOT EXISTS succeeds for
   * exactly one runner. The owner and time are stored in it, and renewed ({@link #renewLock}), so a
   * stale lock can be recognised by its newest row and taken over.
   */
  private void acquireLock(ClickHouse db) {
    long deadline = System.nanoTime() + lockWait.toNanos();
    Instant firstSeenEmpty = null;
    while (true) {
      try {
        db.execute(
            "CREATE TABLE "
                + LOCK_TABLE
                + " (owner String, acquired_at DateTime) ENGINE = TinyLog");
        writeLockRow(db);
        return;
      } catch (ClickHouseException e) {
        if (e.code() != ClickHouseErrors.TABLE_ALREADY_EXISTS
            && !String.valueOf(e.getMessage()).contains("already exists")) {
          throw new MigrationException(
              "could not take the migration lock in " + database + ": " + e.getMessage(), e);
        }
      }
      Instant lockedAt = lockTime(db);
      Instant now = Instant.now();
      if (lockedAt == null && firstSeenEmpty == null) {
        firstSeenEmpty = now; // the holder created the table but has not written its row yet
      }
      Instant age = lockedAt != null ? lockedAt : firstSeenEmpty;
      if (age.plus(staleLock).isBefore(now)) {
        LOG.warn("taking over the migration lock in {}, last renewed at {}", database, age);
        db.execute("DROP TABLE IF EXISTS " + LOCK_TABLE);
        firstSeenEmpty = null;
        continue;
      }
      if (System.nanoTime() > deadline) {
        throw new MigrationException(
            "another migration runner holds the lock in "
                + database
                + " (last renewed at "
                + age
                + "); gave up after "
                + lockWait.toSeconds()
                + " s. If no runner is alive: DROP TABLE "
                + database
                + "."
                + LOCK_TABLE);
      }
      sleep(200);
    }
  }

  private static Instant lockTime(ClickHouse db) {
    try {
      List<JsonNode> rows =
          db.query("SELECT toUInt32(max(acquired_at)) AS t, count() AS n FROM " + LOCK_TABLE);
      return rows.isEmpty() || rows.get(0).get("n").asLong() == 0
          ? null
          : Instant.ofEpochSecond(rows.get(0).get("t").asLong());
    } catch (ClickHouseException e) {
      return null; // dropped by its holder between our CREATE and this read: retry the CREATE
    }
  }

  private boolean tableExists(ClickHouse db, String table) {
    return db.query(
                "SELECT count() AS n FROM system.tables WHERE database = "
                    + SqlLiteral.string(database)
                    + " AND name = "
                    + SqlLiteral.string(table))
            .get(0)
            .get("n")
            .asLong()
        > 0;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MigrationException("interrupted while waiting for the migration lock", e);
    }
  }

  /** A migration could not be applied, or the recorded history disagrees with the files. */
  public static final class MigrationException extends RuntimeException {
    public MigrationException(String message) {
      super(message);
    }

    public MigrationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
