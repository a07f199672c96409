package dev.pulse.clickhouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One database per tenant for analysts, on a ClickHouse without row policies (18.16): each table of
 * {@code tenant-tables.txt} appears there under its own name, with the tenant's rows only.
 *
 * <p>A view in the analyst's database over Pulse's database would not do: 18.16 checks {@code
 * allow_databases} for the tables a view reads too. So the filter lives one step away. A hidden
 * database ({@code <database>_tenant_views}) holds one filtered view per tenant and table, and the
 * tenant's database holds {@code Distributed} tables over those views on the cluster {@link
 * #CLUSTER}, which connects back to the same server as the reader user. The analyst's own user may
 * read only the tenant database. Its profile sets {@code prefer_localhost_replica=0}, so the remote
 * part runs as the reader and never with the analyst's rights (docs/access.md, "Analysts").
 */
public final class TenantDatabases {

  /** The cluster, defined in the server's configuration, that reads the tenant views. */
  public static final String CLUSTER = "pulse_tenants";

  /** Tenant ids a tenant database can be made for: a slug of letters, digits and hyphens. */
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,62}");

  private static final String RESOURCE = "tenant-tables.txt";

  /**
   * A table analysts see.
   *
   * @param name the table's name, the same in Pulse's database and in each tenant database
   * @param deduplicated whether the tenant view reads it with {@code FINAL} (ReplacingMergeTree)
   */
  public record Table(String name, boolean deduplicated) {
    public Table {
      SqlLiteral.identifier(name);
    }
  }

  /**
   * What was made for one tenant.
   *
   * @param tenant the tenant id
   * @param database the tenant database analysts read
   * @param tables the tables in it
   * @param dropped tables that were there and are no longer listed
   */
  public record TenantDatabase(
      String tenant, String database, List<String> tables, List<String> dropped) {}

  private TenantDatabases() {}

  /**
   * Refuses a tenant id that cannot name a database and a user unambiguously: letters, digits and
   * hyphens, at most 63 characters, starting with a letter or digit.
   *
   * @throws IllegalArgumentException naming the id and the rule
   */
  public static String requireTenant(String tenant) {
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException(
          "tenant id "
              + (tenant == null ? "null" : SqlLiteral.string(abbreviate(tenant)))
              + " cannot name a tenant database: it must be 1-63 letters, digits and hyphens,"
              + " starting with a letter or digit");
    }
    return tenant;
  }

  /**
   * The tenant's part of database and user names: its id with hyphens as underscores (ids have no
   * underscores, so two tenants never share it).
   */
  public static String nameOf(String tenant) {
    return requireTenant(tenant).replace('-', '_');
  }

  /** The database analysts of {@code tenant} read: {@code <database>_<tenant>}. */
  public static String tenantDatabase(String database, String tenant) {
    return checked(database + "_" + nameOf(tenant));
  }

  /** The hidden database of tenant views: {@code <database>_tenant_views}. */
  public static String viewsDatabase(String database) {
    return checked(database + "_tenant_views");
  }

  /** The tables listed in {@code tenant-tables.txt} (shipped by the clickhouse module). */
  public static List<Table> packagedTables() {
    InputStream in = TenantDatabases.class.getClassLoader().getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException(
          "no " + RESOURCE + " on the classpath: it comes with the dev.pulse:clickhouse module");
    }
    List<Table> tables = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split("\\s+");
        if (parts.length != 2 || !Set.of("final", "plain").contains(parts[1])) {
          throw new IllegalStateException(
              RESOURCE + ": expected '<table> final|plain', got '" + line + "'");
        }
        tables.add(new Table(parts[0], parts[1].equals("final")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(tables);
  }

  /**
   * Makes (or remakes, after a migration changed a table) {@code tenant}'s database of {@code
   * database}'s {@code tables}, as an administrator; drops tables there that are no longer listed.
   * The cluster {@link #CLUSTER} must be defined first: a Distributed table needs it.
   */
  public static TenantDatabase create(
      ClickHouse admin, String database, String tenant, List<Table> tables) {
    Objects.requireNonNull(admin, "admin");
    String source = SqlLiteral.identifier(database);
    String views = viewsDatabase(database);
    String target = tenantDatabase(database, tenant);
    admin.execute("CREATE DATABASE IF NOT EXISTS " + SqlLiteral.identifier(views));
    admin.execute("CREATE DATABASE IF NOT EXISTS " + SqlLiteral.identifier(target));
    Set<String> listed = new LinkedHashSet<>();
    for (Table table : tables) {
      listed.add(table.name());
      String view = viewName(tenant, table.name());
      String qualifiedView = SqlLiteral.identifier(views) + "." + SqlLiteral.identifier(view);
      String qualifiedTable =
          SqlLiteral.identifier(target) + "." + SqlLiteral.identifier(table.name());
      // 18.16 has no CREATE OR REPLACE: each is dropped and made again, so a new column shows.
      admin.execute("DROP TABLE IF EXISTS " + qualifiedView);
      admin.execute(
          "CREATE VIEW "
              + qualifiedView
              + " AS SELECT * FROM "
              + source
              + "."
              + SqlLiteral.identifier(table.name())
              + (table.deduplicated() ? " FINAL" : "")
              + " WHERE tenant_id = "
              + SqlLiteral.string(tenant));
      admin.execute("DROP TABLE IF EXISTS " + qualifiedTable);
      admin.execute(
          "CREATE TABLE "
              + qualifiedTable
              + " AS "
              + source
              + "."
              + SqlLiteral.identifier(table.name())
              + " ENGINE = Distributed("
              + CLUSTER
              + ", "
              + SqlLiteral.string(views)
              + ", "
              + SqlLiteral.string(view)
              + ")");
    }
    List<String> dropped = new ArrayList<>();
    for (JsonNode row :
        admin.query(
            "SELECT name FROM system.tables WHERE database = "
                + SqlLiteral.string(target)
                + " ORDER BY name")) {
      String name = row.get("name").asText();
      if (!listed.contains(name)) {
        admin.execute(
            "DROP TABLE IF EXISTS "
                + SqlLiteral.identifier(target)
                + "."
                + SqlLiteral.identifier(name));
        admin.execute(
            "DROP TABLE IF EXISTS "
                + SqlLiteral.identifier(views)
                + "."
                + SqlLiteral.identifier(viewName(tenant, name)));
        dropped.add(name);
      }
    }
    return new TenantDatabase(tenant, target, List.copyOf(listed), List.copyOf(dropped));
  }

  /** A tenant view's name in the hidden database: {@code t_<tenant>__<table>}. */
  static String viewName(String tenant, String table) {
    return checked("t_" + nameOf(tenant) + "__" + table);
  }

  /** {@code name}, once {@link SqlLiteral#identifier} accepts it. */
  private static String checked(String name) {
    SqlLiteral.identifier(name);
    return name;
  }

  private static String abbreviate(String value) {
    return value.length() <= 80 ? value : value.substring(0, 80) + "...";
  }
}
