package dev.pulse.testing;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.MigrationRunner;
import dev.pulse.local.ClickHouseUser;
import dev.pulse.local.LocalClickHouse;
import java.util.Optional;

/**
 * One test class's view of the test ClickHouse server: its HTTP address, credentials and a database
 * of its own, read and written through Pulse's own ClickHouse client ({@link ClickHouse}), so the
 * tests follow the same server rules as the product.
 */
public final class TestClickHouse implements AutoCloseable {

  private final ClickHouseExtension.Server server;
  private final String database;
  private ClickHouse client;
  private boolean migrated;

  TestClickHouse(ClickHouseExtension.Server server, String database) {
    this.server = server;
    this.database = database;
  }

  /**
   * Base URL of the HTTP interface, e.g. {@code http://127.0.0.1:41234}, without a trailing slash.
   */
  public String httpUrl() {
    return server.httpUrl();
  }

  /** User to sign in as ({@code default} for the private server). */
  public String user() {
    return server.user();
  }

  /** Password of {@link #user()} (empty for the private server). */
  public String password() {
    return server.password();
  }

  /**
   * The private server's read-only {@code pulse_api} user (what serving-api signs in as), or null
   * for an external server.
   */
  public ClickHouseUser apiUser() {
    return server.apiUser();
  }

  /**
   * The private server the tests started (its configuration directory and ports), or empty for an
   * external server.
   */
  public Optional<LocalClickHouse> localServer() {
    return Optional.ofNullable(server.local());
  }

  /**
   * True when the server was not started as a private process by the tests (external URL or
   * Testcontainers).
   */
  public boolean external() {
    return server.external();
  }

  /**
   * The database of this test class, e.g. {@code t_myclassit_1x2y3z_ab12} (letters, digits,
   * underscores), created on first call.
   */
  public String database() {
    client();
    return database;
  }

  /**
   * A client whose default database is this class's {@link #database()}; shared by the class and
   * closed by the extension after the last test of the run (the JUnit store closes it).
   */
  public synchronized ClickHouse client() {
    if (client == null) {
      try (ClickHouse admin = connect(null)) {
        admin.execute("CREATE DATABASE IF NOT EXISTS " + database);
      }
      client = connect(database);
    }
    return client;
  }

  /**
   * This class's database built by the production migrations ({@code dev.pulse:clickhouse} must be
   * on the test classpath), applied once, and a client on it.
   */
  public synchronized ClickHouse migratedDatabase() {
    if (!migrated) {
      new MigrationRunner(client(), database).migrate();
      migrated = true;
    }
    return client();
  }

  /** A new client on the same server with {@code database} as its default (null: none). */
  public ClickHouse connect(String database) {
    return ClickHouse.connect(httpUrl(), user(), password(), database);
  }

  /** The server's version string from {@code SELECT version()}, e.g. {@code 18.16.1}. */
  public String version() {
    return client().serverVersion();
  }

  /**
   * Runs {@code sql} in this class's {@link #database()} and returns the body exactly as the server
   * sent it: TabSeparated unless the SQL names another FORMAT, with its trailing newline.
   *
   * @throws dev.pulse.clickhouse.ClickHouseException carrying ClickHouse's error text when the
   *     server refuses the query
   */
  public String query(String sql) {
    return client().queryText(sql);
  }

  /**
   * Runs a statement that returns nothing of interest (DDL, INSERT ... VALUES) in this class's
   * database.
   */
  public void execute(String sql) {
    client().execute(sql);
  }

  /** Closes the shared client; called by the JUnit store at the end of the run. */
  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  @Override
  public String toString() {
    return "TestClickHouse["
        + httpUrl()
        + ", database "
        + database
        + (external() ? ", external" : "")
        + "]";
  }
}
