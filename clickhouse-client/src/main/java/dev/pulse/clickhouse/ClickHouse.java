package dev.pulse.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The Pulse ClickHouse client for statements and reads: a thin wrapper over {@code
 * com.clickhouse:client-v2}, built by {@link ClickHouseClients} with the rules ClickHouse 18.16
 * imposes (docs/clickhouse-18.16.md), so callers cannot get them wrong.
 *
 * <ul>
 *   <li>uncompressed responses ({@code compressServerResponse(false)}): with compression, 18.16
 *       results come back empty or lose their first bytes;
 *   <li>reads put {@code FORMAT JSONEachRow} in the SQL and parse it with Jackson: the client's
 *       binary reader needs RowBinaryWithNamesAndTypes, which 18.16 lacks. 64-bit integers arrive
 *       as JSON strings ({@code JsonNode.asLong()} parses them);
 *   <li>the default database is a server setting ({@code database}), which 18.16 honours;
 *   <li>values reach SQL only through {@link SqlLiteral}: 18.16 has no query parameters.
 * </ul>
 *
 * Thread-safe; one instance per (server, database), closed when done.
 */
public final class ClickHouse implements AutoCloseable {

  /**
   * Longest a single statement may run before the client gives up; DDL and test-sized queries take
   * milliseconds.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] SERVER_ERROR_PREFIX = "Code: ".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern TRAILING_FORMAT =
      Pattern.compile("(?is).*\\bFORMAT\\s+[A-Za-z]+\\s*;?\\s*$");
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern SERVER_ERROR_CODE = Pattern.compile("Code: (\\d+)");

  private final String httpUrl;
  private final String user;
  private final String password;
  private final String database;
  private final Duration timeout;
  private final Map<String, String> settings;
  private final Client client;

  private ClickHouse(
      String httpUrl,
      String user,
      String password,
      String database,
      Duration timeout,
      Map<String, String> settings) {
    this.httpUrl = httpUrl;
    this.user = user;
    this.password = password;
    this.database = database;
    this.timeout = timeout;
    this.settings = Map.copyOf(settings);
    Client.Builder builder =
        ClickHouseClients.builder(
            httpUrl, user, password, database, CONNECT_TIMEOUT, timeout, "pulse");
    settings.forEach(builder::serverSetting);
    this.client = builder.build();
  }

  /**
   * Connects to the HTTP interface at {@code httpUrl} (e.g. {@code http://127.0.0.1:8123}) with
   * {@code database} as the default database, or the server's default when {@code database} is
   * null. Nothing is sent until the first query.
   */
  public static ClickHouse connect(String httpUrl, String user, String password, String database) {
    return connect(httpUrl, user, password, database, DEFAULT_TIMEOUT);
  }

  /** As {@link #connect(String, String, String, String)} with a per-statement timeout. */
  public static ClickHouse connect(
      String httpUrl, String user, String password, String database, Duration timeout) {
    return connect(httpUrl, user, password, database, timeout, Map.of());
  }

  /**
   * As {@link #connect(String, String, String, String, Duration)}, sending {@code settings} (server
   * settings such as {@code log_queries} or {@code max_execution_time}, by name) with every
   * statement.
   */
  public static ClickHouse connect(
      String httpUrl,
      String user,
      String password,
      String database,
      Duration timeout,
      Map<String, String> settings) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(httpUrl, "httpUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(timeout, "timeout");
    if (database != null) {
      SqlLiteral.identifier(database); // rejects a name that could not be a database
    }
    settings.keySet().forEach(SqlLiteral::identifier); // a setting name is a plain identifier
    return new ClickHouse(
        httpUrl.replaceAll("/+$", ""), user, password, database, timeout, settings);
  }

  /**
   * A new client for the same server with {@code database} as the default database; close it
   * separately.
   */
  public ClickHouse withDatabase(String database) {
    return connect(httpUrl, user, password, database, timeout, settings);
  }

  /** As {@link #withDatabase(String)}, with another per-statement timeout. */
  public ClickHouse withDatabase(String database, Duration timeout) {
    return connect(httpUrl, user, password, database, timeout, settings);
  }

  /** The default database of this client, or null for the server's default. */
  public String database() {
    return database;
  }

  public String httpUrl() {
    return httpUrl;
  }

  /**
   * The server's version, e.g. {@code 18.16.1}, from {@code SELECT version()} (client-v2 reports
   * "unknown" on 18.16).
   */
  public String serverVersion() {
    return query("SELECT version() AS v").get(0).get("v").asText();
  }

  /**
   * Runs a statement whose result is not needed: DDL, {@code INSERT ... VALUES}, {@code OPTIMIZE}.
   */
  public void execute(String sql) {
    Objects.requireNonNull(sql, "sql");
    try (QueryResponse ignored = await(() -> client.query(sql), sql)) {
      // The response is fully received once the future completes; nothing to read.
    } catch (ClickHouseException e) {
      throw e;
    } catch (Exception e) {
      throw translate(e, sql);
    }
  }

  /**
   * Runs a SELECT and returns its rows as JSON objects keyed by column name. {@code FORMAT
   * JSONEachRow} is appended here, so {@code sql} must not name a format. 64-bit integers are JSON
   * strings (read them with {@code asLong()}, which parses strings).
   */
  public List<JsonNode> query(String sql) {
    return query(sql, null);
  }

  /**
   * As {@link #query(String)}, named {@code queryId} on the server ({@code system.processes},
   * {@code system.query_log}), or by the server when null. A query the client gives up on (its
   * timeout, or the calling thread interrupted) is killed on the server: 18.16 would otherwise run
   * it to the end.
   */
  public List<JsonNode> query(String sql, String queryId) {
    Objects.requireNonNull(sql, "sql");
    String trimmed = stripTrailingSemicolon(sql);
    if (TRAILING_FORMAT.matcher(trimmed).matches()) {
      throw new IllegalArgumentException(
          "query() appends FORMAT JSONEachRow itself; use queryText() for another format: "
              + abbreviate(sql));
    }
    String full = trimmed + "\nFORMAT JSONEachRow";
    List<JsonNode> rows = new ArrayList<>();
    QuerySettings named = queryId == null ? null : new QuerySettings().setQueryId(queryId);
    try (QueryResponse response =
        await(
            () -> named == null ? client.query(full) : client.query(full, named), full, queryId)) {
      // Each row parsed from the body's bytes where it lies (Jackson's UTF-8 parser), not decoded
      // into a String line first: a page's rows are most of what serving a page parses.
      byte[] body = response.getInputStream().readAllBytes();
      for (int start = 0, end; start < body.length; start = end + 1) {
        end = start;
        while (end < body.length && body[end] != '\n') {
          end++;
        }
        if (end == start) {
          continue;
        }
        if (startsWith(body, start, SERVER_ERROR_PREFIX)) {
          // The server stopped the query after the answer had begun (a limit, a timeout): 18.16
          // writes its error into the body, where a row would be.
          String line = new String(body, start, end - start, StandardCharsets.UTF_8);
          java.util.regex.Matcher m = SERVER_ERROR_CODE.matcher(line);
          throw new ClickHouseException(
              "ClickHouse at " + httpUrl + " stopped " + abbreviate(sql) + ": " + line,
              m.lookingAt() ? Integer.parseInt(m.group(1)) : 0,
              null);
        }
        rows.add(JSON.readTree(body, start, end - start));
      }
    } catch (ClickHouseException e) {
      throw e;
    } catch (Exception e) {
      throw translate(e, sql);
    }
    return rows;
  }

  /**
   * Runs {@code sql} (which names its own FORMAT, if any) and returns the response body as UTF-8
   * text, unchanged.
   */
  public String queryText(String sql) {
    Objects.requireNonNull(sql, "sql");
    try (QueryResponse response = await(() -> client.query(sql), sql);
        InputStream in = response.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (ClickHouseException e) {
      throw e;
    } catch (Exception e) {
      throw translate(e, sql);
    }
  }

  /**
   * Inserts rows given as JSON objects, one per element, into {@code table} (a plain identifier in
   * the default database).
   */
  public void insertJsonEachRow(String table, List<String> jsonRows) {
    Objects.requireNonNull(jsonRows, "jsonRows");
    StringBuilder body = new StringBuilder();
    for (String row : jsonRows) {
      if (row.indexOf('\n') >= 0) {
        throw new IllegalArgumentException(
            "a JSONEachRow row must be one line: " + abbreviate(row));
      }
      body.append(row).append('\n');
    }
    insertJsonEachRow(
        table, new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** Inserts newline-separated JSON objects from {@code rows} (UTF-8) into {@code table}. */
  public void insertJsonEachRow(String table, InputStream rows) {
    SqlLiteral.identifier(table);
    Objects.requireNonNull(rows, "rows");
    String what = "INSERT INTO " + table + " FORMAT JSONEachRow";
    try {
      await(() -> client.insert(table, rows, ClickHouseFormat.JSONEachRow), what).close();
    } catch (ClickHouseException e) {
      throw e;
    } catch (Exception e) {
      throw translate(e, what);
    }
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "ClickHouse[" + httpUrl + (database == null ? "" : ", database " + database) + "]";
  }

  /**
   * Waits for the client's future within the timeout and turns every failure into a {@link
   * ClickHouseException} with the server's text.
   */
  private <T> T await(Supplier<CompletableFuture<T>> call, String sql) {
    return await(call, sql, null);
  }

  private <T> T await(Supplier<CompletableFuture<T>> call, String sql, String queryId) {
    CompletableFuture<T> future;
    try {
      // client-v2 sometimes throws the server's error from the call itself rather than through the
      // future.
      future = call.get();
    } catch (RuntimeException e) {
      throw translate(e, sql);
    }
    try {
      return future.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw translate(e.getCause() == null ? e : e.getCause(), sql);
    } catch (TimeoutException e) {
      future.cancel(true);
      kill(queryId);
      throw new ClickHouseException(
          "no answer from ClickHouse at "
              + httpUrl
              + " within "
              + timeout.toSeconds()
              + " s for "
              + abbreviate(sql),
          0,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      kill(queryId);
      throw new ClickHouseException("interrupted while running " + abbreviate(sql), 0, e);
    } catch (RuntimeException e) {
      throw translate(e, sql);
    }
  }

  /**
   * Asks the server to stop the query named {@code queryId} (null: nothing to stop), without
   * waiting: {@code KILL QUERY ... ASYNC}. Best effort; a query already finished is no error.
   */
  private void kill(String queryId) {
    if (queryId == null) {
      return;
    }
    String sql = "KILL QUERY WHERE query_id = " + SqlLiteral.string(queryId) + " ASYNC";
    try {
      client.query(sql).whenComplete((response, error) -> closeQuietly(response));
    } catch (RuntimeException ignored) {
      // the server is unreachable: nothing runs there that we could stop
    }
  }

  private static void closeQuietly(QueryResponse response) {
    if (response != null) {
      try {
        response.close();
      } catch (Exception ignored) {
        // nothing to release
      }
    }
  }

  /**
   * The server's error code is on a ServerException somewhere in the cause chain, or at least in a
   * message.
   */
  private ClickHouseException translate(Throwable e, String sql) {
    int code = ClickHouseErrors.codeOf(e);
    return new ClickHouseException(
        "ClickHouse at " + httpUrl + " refused " + abbreviate(sql) + ": " + e.getMessage(),
        code,
        e);
  }

  private static String stripTrailingSemicolon(String sql) {
    String s = sql.strip();
    while (s.endsWith(";")) {
      s = s.substring(0, s.length() - 1).strip();
    }
    return s;
  }

  static String abbreviate(String sql) {
    String oneLine = sql.replaceAll("\\s+", " ").trim();
    return "'" + (oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine) + "'";
  }

  private static boolean startsWith(byte[] body, int at, byte[] prefix) {
    if (body.length - at < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (body[at + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
