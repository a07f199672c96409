package dev.pulse.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Reconciles the rollups (hours, days) with the minute facts they are derived from, and repairs a
 * rollup bucket that differs: for every key and bucket, the rollup's merged values must equal the
 * same aggregation computed directly over the minutes.
 *
 * <p>Why it exists: on ClickHouse 18.16 a materialized view is not transactional with the INSERT
 * that feeds it. A write into the minutes stores its part first, then pushes the block through the
 * views one after another (in the order of their names); a view that fails (an error while pushing
 * to it, a server killed between the parts) leaves the minutes stored and that rollup, and every
 * view after it, short by the batch. The exactly-once committer then finds the batch stored and
 * does not write it again.
 *
 * <p>The SQL lives with the migrations (the clickhouse module's {@code rollups/}: one directory per
 * rollup with {@code check.sql}, {@code delete.sql}, {@code rebuild.sql}, listed in {@code
 * rollups.txt}), so a new domain's rollup is reconciled by adding files, not code.
 *
 * <p>A repair deletes the bucket's rollup rows (a mutation, awaited) and recomputes them from the
 * minutes. It is safe only for a bucket that no longer receives rows: repair only buckets that end
 * before {@code closedBefore} (at least the job's allowed lateness plus a checkpoint interval in
 * the past), or run it while the job is stopped.
 */
public final class RollupCheck {

  /** One rollup and its SQL (placeholders {@code {from}}, {@code {to}}, {@code {bucket}}). */
  public record Rollup(
      String table, long bucketSeconds, String check, String delete, String rebuild) {}

  /** A key and bucket where the rollup differs from the minutes. */
  public record Difference(
      String rollup, Instant bucket, List<String> key, String minutes, String rolledUp) {
    @Override
    public String toString() {
      return rollup + " " + bucket + " " + key + ": minutes " + minutes + ", rollup " + rolledUp;
    }
  }

  /** Longest wait for a repair's mutation to finish. */
  static final Duration MUTATION_WAIT = Duration.ofMinutes(5);

  private final ClickHouse client;
  private final List<Rollup> rollups;

  public RollupCheck(ClickHouse client) {
    this(client, onClasspath());
  }

  public RollupCheck(ClickHouse client, List<Rollup> rollups) {
    this.client = Objects.requireNonNull(client, "client");
    this.rollups = List.copyOf(rollups);
  }

  public List<Rollup> rollups() {
    return rollups;
  }

  /**
   * Every key and bucket in {@code [from, to)}, widened to whole buckets, where a rollup differs
   * from the minutes; empty when all agree.
   */
  public List<Difference> check(Instant from, Instant to) {
    List<Difference> out = new ArrayList<>();
    for (Rollup r : rollups) {
      out.addAll(check(r, from, to));
    }
    return out;
  }

  private List<Difference> check(Rollup r, Instant from, Instant to) {
    long start = Math.floorDiv(from.getEpochSecond(), r.bucketSeconds()) * r.bucketSeconds();
    long end = Math.floorDiv(to.getEpochSecond() + r.bucketSeconds() - 1, r.bucketSeconds());
    end *= r.bucketSeconds();
    String sql =
        r.check()
                .replace("{from}", SqlLiteral.dateTime(Instant.ofEpochSecond(start)))
                .replace("{to}", SqlLiteral.dateTime(Instant.ofEpochSecond(end)))
            + "\nFORMAT TabSeparated";
    List<Difference> out = new ArrayList<>();
    for (String line : client.queryText(sql).split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      out.add(
          new Difference(
              r.table(),
              Instant.ofEpochSecond(Long.parseLong(f[0])),
              List.of(f).subList(1, f.length - 2),
              f[f.length - 2],
              f[f.length - 1]));
    }
    return out;
  }

  /**
   * Repairs every differing bucket in {@code [from, to)} that ends before {@code closedBefore}, by
   * recomputing it from the minutes, and returns the differences that remain afterwards (buckets
   * still open are left as they are and reported again).
   */
  public List<Difference> repair(Instant from, Instant to, Instant closedBefore) {
    for (Rollup r : rollups) {
      TreeSet<Instant> buckets = new TreeSet<>();
      for (Difference d : check(r, from, to)) {
        if (!d.bucket().plusSeconds(r.bucketSeconds()).isAfter(closedBefore)) {
          buckets.add(d.bucket());
        }
      }
      for (Instant bucket : buckets) {
        String literal = SqlLiteral.dateTime(bucket);
        client.execute(r.delete().replace("{bucket}", literal));
        awaitMutations(client, r.table());
        client.execute(r.rebuild().replace("{bucket}", literal));
      }
    }
    return check(from, to);
  }

  /**
   * Waits until no mutation of {@code table} (in the client's database) is unfinished, at most
   * {@link #MUTATION_WAIT} (18.16 has no synchronous mutations).
   */
  public static void awaitMutations(ClickHouse client, String table) {
    String sql =
        "SELECT count() FROM system.mutations WHERE database = currentDatabase() AND table = "
            + SqlLiteral.string(table)
            + " AND is_done = 0 FORMAT TabSeparated";
    long deadline = System.nanoTime() + MUTATION_WAIT.toNanos();
    while (!client.queryText(sql).trim().equals("0")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the mutation on " + table + " did not finish within " + MUTATION_WAIT);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a mutation", e);
      }
    }
  }

  /** The rollups of {@code rollups/rollups.txt} on the classpath (the clickhouse module's). */
  public static List<Rollup> onClasspath() {
    List<Rollup> out = new ArrayList<>();
    for (String line : resource("rollups/rollups.txt").split("\n")) {
      String entry = line.strip();
      if (entry.isEmpty() || entry.startsWith("#")) {
        continue;
      }
      String[] parts = entry.split("\\s+");
      if (parts.length != 2) {
        throw new IllegalStateException("rollups/rollups.txt: expected 'table seconds': " + entry);
      }
      String table = parts[0];
      if (!table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalStateException("rollups/rollups.txt: not a table name: " + table);
      }
      out.add(
          new Rollup(
              table,
              Long.parseLong(parts[1]),
              resource("rollups/" + table + "/check.sql"),
              resource("rollups/" + table + "/delete.sql"),
              resource("rollups/" + table + "/rebuild.sql")));
    }
    return out;
  }

  private static String resource(String name) {
    try (InputStream in = RollupCheck.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "no " + name + " on the classpath: it comes with Pulse's clickhouse module");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
