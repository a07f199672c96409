package dev.pulse.flink.sink;

import dev.pulse.clickhouse.SqlLiteral;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the rollups of a stored batch whose rollup views did not all run on it.
 *
 * <p>ClickHouse 18.16 stores an INSERT's part in the table first, then pushes the block through the
 * table's materialized views one after the other, in name order, and stops at the first that fails
 * ("while pushing to view"): the table then holds the batch while that view and every view after it
 * lack it, and the exactly-once look finds the batch stored. Every rollup view {@code V} therefore
 * has a ledger view {@code V_ledger}, next in name order, that records {@code (V, batch_id)} in
 * {@value #LEDGER} only when {@code V} succeeded, and {@code _<table>_ledger}, first of all ('_'
 * sorts before every letter), records each batch under its own name before any rollup view runs.
 * For a batch found stored (on a retry, or after a restore), the committer reads the ledger and,
 * for each rollup view missing there, inserts the batch's contribution into the view's table,
 * computed by the view's own query over the batch's rows (read from the server, so it follows any
 * change of the view), and records that in the ledger.
 *
 * <p>What is left: a process killed between a rollup's part and its ledger row (the same insert, a
 * few milliseconds apart), or between a repair and its ledger row, makes the ledger wrong for that
 * batch, and a repair adds it once more. {@code pulse reconcile} finds and repairs any such bucket.
 * Batches logged before the ledger started (its marker row, written by the migration) are never
 * repaired from it: a savepoint taken before the migration holds batches whose views ran
 * unrecorded.
 */
final class RollupLedger {
  private static final Logger LOG = LoggerFactory.getLogger(RollupLedger.class);

  static final String LEDGER = "pulse_rollup_ledger";
  static final String LEDGER_SUFFIX = "_ledger";

  /** {@code CREATE MATERIALIZED VIEW db.v TO db.t (columns) AS SELECT ...} as 18.16 prints it. */
  private static final Pattern VIEW =
      Pattern.compile("(?s)^CREATE MATERIALIZED VIEW \\S+ TO (\\S+) .*? AS (SELECT .*)$");

  /** A rollup view: its name, the table it writes and its query. */
  record Rollup(String view, String target, String select) {}

  private final ClickHouseSinkConfig config;
  private final ClickHouseConnection connection;
  private final Fences fences;
  private final SinkCounters counters;

  /** The rollup views with a ledger view, read once; null until then. */
  private List<Rollup> rollups;

  RollupLedger(
      ClickHouseSinkConfig config,
      ClickHouseConnection connection,
      Fences fences,
      SinkCounters counters) {
    this.config = config;
    this.connection = connection;
    this.fences = fences;
    this.counters = counters;
  }

  /**
   * Inserts {@code c}'s contribution into every rollup whose view has not run on it; {@code c} is
   * stored in the table and no write of it is still running.
   */
  void complete(ClickHouseCommittable c) throws IOException, InterruptedException {
    if (rollups == null) {
      rollups = discover();
    }
    if (rollups.isEmpty()) {
      return;
    }
    Set<String> done = ran(c);
    List<Rollup> missing = new ArrayList<>();
    for (Rollup r : rollups) {
      if (!done.contains(r.view())) {
        missing.add(r);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    if (!done.contains("_" + config.table() + LEDGER_SUFFIX)) {
      LOG.warn(
          "batch {} of {} was stored before the rollup ledger saw it, which does not list {} for"
              + " it; not repaired automatically, 'pulse reconcile' checks its rollups",
          c.batchId(),
          config.qualifiedTable(),
          missing.stream().map(Rollup::view).toList());
      return;
    }
    for (Rollup r : missing) {
      repair(c, r);
    }
  }

  /**
   * Inserts {@code c}'s contribution into {@code r}'s table, fenced like a batch's write (see
   * {@link ClickHouseCommitter}): a numbered attempt under the key {@code <batch id>/<view>}, a
   * wait while an earlier repair still runs, a look at the ledger, and the insert conditioned on
   * this attempt being the newest, so a repair still on its way from a failed task copies nothing.
   */
  private void repair(ClickHouseCommittable c, Rollup r) throws IOException, InterruptedException {
    String key = c.batchId() + "/" + r.view();
    String queryId = c.queryId() + "-" + r.view();
    long attempt = fences.nextAttempt(key);
    fences.record(key, attempt);
    fences.awaitNotRunning(queryId, "repair of " + key);
    if (ran(c).contains(r.view())) {
      return;
    }
    connection.execute(
        "INSERT INTO "
            + r.target()
            + " "
            + overBatch(r, c, StageTables.newestAttempt(config.database(), key) + " = " + attempt),
        queryId);
    connection.execute(
        "INSERT INTO "
            + qualified(LEDGER)
            + " (view, batch_id, created) VALUES ("
            + SqlLiteral.string(r.view())
            + ", "
            + SqlLiteral.string(c.batchId())
            + ", now())",
        null);
    counters.rollupRepairs().inc();
    LOG.warn(
        "batch {} ({} rows) is stored in {} but rollup view {} had not run on it (it failed after"
            + " the table's part was stored); inserted the batch's contribution into {}",
        c.batchId(),
        c.rows(),
        config.qualifiedTable(),
        r.view(),
        r.target());
  }

  /** The rollup views the ledger lists for {@code c}. */
  private Set<String> ran(ClickHouseCommittable c) throws IOException, InterruptedException {
    return new HashSet<>(
        connection.queryLines(
            "SELECT view FROM "
                + qualified(LEDGER)
                + " WHERE batch_id = "
                + SqlLiteral.string(c.batchId())));
  }

  /**
   * The view's query over the batch's rows alone, and only while {@code fence} holds: its source
   * table replaced by those rows. The batch's time range keeps the read to its partition.
   */
  String overBatch(Rollup r, ClickHouseCommittable c, String fence) {
    String rows =
        "(SELECT * FROM "
            + qualified(config.table())
            + " WHERE "
            + SqlLiteral.identifier(config.batchIdColumn())
            + " = "
            + SqlLiteral.string(c.batchId())
            + " AND "
            + SqlLiteral.identifier(config.partitionTimeColumn())
            + " BETWEEN "
            + SqlLiteral.dateTime(Instant.ofEpochSecond(c.minTime()))
            + " AND "
            + SqlLiteral.dateTime(Instant.ofEpochSecond(c.maxTime()))
            + " AND "
            + fence
            + ")";
    return replaceSource(r.select(), config.database(), config.table(), rows);
  }

  /**
   * {@code select} with its one {@code FROM source} replaced by {@code FROM rows}; refuses a query
   * that reads the source other than once (a join or subquery the repair cannot narrow).
   */
  static String replaceSource(String select, String database, String table, String rows) {
    String source = database + "." + table;
    Matcher m =
        Pattern.compile(
                "\\bFROM\\s+`?"
                    + Pattern.quote(database)
                    + "`?\\.`?"
                    + Pattern.quote(table)
                    + "`?(?=\\s|\\)|$)")
            .matcher(select);
    if (!m.find()) {
      throw new IllegalStateException("the view's query does not read " + source + ": " + select);
    }
    int start = m.start();
    int end = m.end();
    if (m.find()) {
      throw new IllegalStateException(
          "the view's query reads " + source + " more than once: " + select);
    }
    return select.substring(0, start) + "FROM " + rows + select.substring(end);
  }

  /**
   * The table's views that have a ledger view, from the server; none when the ledger table does not
   * exist (a database before the migration that adds it).
   */
  private List<Rollup> discover() throws IOException, InterruptedException {
    String db = SqlLiteral.string(config.database());
    if (connection.queryLong(
            "SELECT count() FROM system.tables WHERE database = "
                + db
                + " AND name = "
                + SqlLiteral.string(LEDGER))
        == 0) {
      LOG.warn(
          "{} has no {} table: rollups of batches whose views failed are not repaired"
              + " automatically (apply the migrations)",
          config.database(),
          LEDGER);
      return List.of();
    }
    List<String> views =
        connection.queryLines(
            "SELECT arrayJoin(dependencies_table) FROM system.tables WHERE database = "
                + db
                + " AND name = "
                + SqlLiteral.string(config.table()));
    Set<String> names = new HashSet<>(views);
    String first = "_" + config.table() + LEDGER_SUFFIX;
    if (!names.contains(first)) {
      LOG.warn(
          "{} has no view {}: rollups of batches whose views failed are not repaired"
              + " automatically (apply the migrations)",
          config.qualifiedTable(),
          first);
      return List.of();
    }
    List<Rollup> found = new ArrayList<>();
    for (String view : views) {
      if (view.endsWith(LEDGER_SUFFIX) || view.equals(first)) {
        continue;
      }
      if (!names.contains(view + LEDGER_SUFFIX)) {
        LOG.warn(
            "view {} of {} has no {} view: not repaired automatically when it fails",
            view,
            config.qualifiedTable(),
            view + LEDGER_SUFFIX);
        continue;
      }
      try {
        Rollup r = parse(view, createQuery(view));
        replaceSource(r.select(), config.database(), config.table(), "(SELECT 1)");
        found.add(r);
      } catch (IllegalStateException e) {
        LOG.error("view {}: not repaired automatically: {}", view, e.getMessage());
      }
    }
    LOG.info(
        "{}: rollup views {} are completed from {} when a batch is found stored",
        config.qualifiedTable(),
        found.stream().map(Rollup::view).toList(),
        LEDGER);
    return List.copyOf(found);
  }

  private String createQuery(String view) throws IOException, InterruptedException {
    List<String> rows =
        connection.queryRawLines(
            "SELECT create_table_query FROM system.tables WHERE database = "
                + SqlLiteral.string(config.database())
                + " AND name = "
                + SqlLiteral.string(view));
    if (rows.size() != 1) {
      throw new IOException("view " + view + " not found in system.tables");
    }
    return rows.get(0);
  }

  static Rollup parse(String view, String createQuery) {
    Matcher m = VIEW.matcher(createQuery.trim());
    if (!m.matches()) {
      throw new IllegalStateException(
          "view " + view + " is not a materialized view writing to a table: " + createQuery);
    }
    return new Rollup(view, m.group(1), m.group(2));
  }

  private String qualified(String table) {
    return SqlLiteral.identifier(config.database()) + "." + SqlLiteral.identifier(table);
  }
}
