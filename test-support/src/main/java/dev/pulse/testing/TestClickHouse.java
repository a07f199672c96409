package dev.pulse.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * One test class's view of the test ClickHouse server: its HTTP address, credentials and a database
 * of its own, plus a minimal SQL interface over the HTTP protocol (test-support cannot use the
 * clickhouse module's client: that module's tests depend on test-support).
 */
public final class TestClickHouse {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

  private final ClickHouseExtension.Server server;
  private final String database;
  private volatile boolean databaseCreated;

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
    if (!databaseCreated) {
      synchronized (this) {
        if (!databaseCreated) {
          httpQuery(
              httpUrl(), user(), password(), null, "CREATE DATABASE IF NOT EXISTS " + database);
          databaseCreated = true;
        }
      }
    }
    return database;
  }

  /** The server's version string from {@code SELECT version()}, e.g. {@code 18.16.1}. */
  public String version() {
    return httpQuery(httpUrl(), user(), password(), null, "SELECT version()").trim();
  }

  /**
   * Runs {@code sql} with this class's {@link #database()} as the default database and returns the
   * body exactly as the server sent it: TabSeparated unless the SQL names another FORMAT, with its
   * trailing newline.
   *
   * @throws IllegalStateException carrying ClickHouse's error text when the server refuses the
   *     query
   */
  public String query(String sql) {
    return httpQuery(httpUrl(), user(), password(), database(), sql);
  }

  /**
   * Runs a statement that returns nothing of interest (DDL, INSERT ... VALUES) in this class's
   * database.
   */
  public void execute(String sql) {
    query(sql);
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

  static String httpQuery(String url, String user, String password, String database, String sql) {
    Objects.requireNonNull(sql, "sql");
    StringBuilder uri = new StringBuilder(url).append("/?");
    if (database != null) {
      uri.append("database=")
          .append(URLEncoder.encode(database, StandardCharsets.UTF_8))
          .append('&');
    }
    // Credentials as URL parameters: the form every ClickHouse version accepts.
    uri.append("user=").append(URLEncoder.encode(user, StandardCharsets.UTF_8));
    if (!password.isEmpty()) {
      uri.append("&password=").append(URLEncoder.encode(password, StandardCharsets.UTF_8));
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(uri.toString()))
            .timeout(QUERY_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
            .build();
    HttpResponse<String> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(
          "ClickHouse at " + url + " unreachable for query " + abbreviate(sql) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during ClickHouse query " + abbreviate(sql), e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "ClickHouse refused query "
              + abbreviate(sql)
              + " (HTTP "
              + response.statusCode()
              + "): "
              + response.body().trim());
    }
    return response.body();
  }

  private static String abbreviate(String sql) {
    String oneLine = sql.replaceAll("\\s+", " ").trim();
    return "'" + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine) + "'";
  }
}
