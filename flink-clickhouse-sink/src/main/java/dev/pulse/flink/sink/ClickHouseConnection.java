package dev.pulse.flink.sink;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import dev.pulse.clickhouse.ClickHouseClients;
import dev.pulse.clickhouse.SqlLiteral;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One client-v2 client for one sink writer or committer: sends INSERT bodies and small count
 * queries to the configured table, the way ClickHouse 18.16 accepts them (docs/clickhouse-18.16.md;
 * the client comes from {@link ClickHouseClients}).
 */
final class ClickHouseConnection implements AutoCloseable {

  private final ClickHouseSinkConfig config;
  private final Client client;

  ClickHouseConnection(ClickHouseSinkConfig config) {
    this.config = config;
    this.client =
        ClickHouseClients.builder(
                config.endpoint(),
                config.user(),
                config.password(),
                config.database(),
                config.connectTimeout(),
                config.socketTimeout(),
                "pulse-flink-sink")
            .build();
  }

  /**
   * Inserts one encoded batch as one INSERT statement; throws what the client or server reported.
   */
  void insert(EncodedBatch batch) throws IOException, InterruptedException {
    insert(batch.columns(), batch.buffer().inputStream());
  }

  /** Inserts {@code body}, RowBinary rows of {@code columns} (its values are positional). */
  void insert(List<String> columns, InputStream body) throws IOException, InterruptedException {
    insert(config.table(), columns, body);
  }

  /** Inserts {@code body} into {@code table} of the configured database. */
  void insert(String table, List<String> columns, InputStream body)
      throws IOException, InterruptedException {
    InsertSettings settings = new InsertSettings().serverSetting("database", config.database());
    String qualified = config.database() + "." + table;
    await(() -> client.insert(qualified, columns, body, ClickHouseFormat.RowBinary, settings))
        .close();
  }

  /**
   * Runs a statement without a result (DDL, INSERT ... SELECT) as the query {@code queryId} (null:
   * the client draws one). While a query with that id runs, the server refuses another one with the
   * same id (code {@link #QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING}), and {@link #isRunning} sees it.
   */
  void execute(String sql, String queryId) throws IOException, InterruptedException {
    QuerySettings settings = new QuerySettings().serverSetting("database", config.database());
    if (queryId != null) {
      settings.setQueryId(queryId);
    }
    try (QueryResponse response = await(() -> client.query(sql, settings))) {
      response.getInputStream().readAllBytes();
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) { // QueryResponse.close() declares Exception
      throw new IOException(e);
    }
  }

  /** ClickHouse's answer to a second query with the id of one still running. */
  static final int QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING = 216;

  /**
   * Whether the server is still executing a query with this id (from any connection, including one
   * the client has already given up on): {@code system.processes} lists a query from the moment it
   * is parsed until its last block is written.
   */
  boolean isRunning(String queryId) throws IOException, InterruptedException {
    return queryLong(
            "SELECT count() FROM system.processes WHERE query_id = " + SqlLiteral.string(queryId))
        > 0;
  }

  /** Runs a query that returns one string per line (TabSeparated) and returns the lines. */
  List<String> queryLines(String sql) throws IOException, InterruptedException {
    return queryLines(sql, "TabSeparated");
  }

  /**
   * As {@link #queryLines(String)}, unescaped (TabSeparatedRaw): for values with quotes or
   * backslashes and without tabs or newlines, such as the one-line queries in {@code
   * system.tables}.
   */
  List<String> queryRawLines(String sql) throws IOException, InterruptedException {
    return queryLines(sql, "TabSeparatedRaw");
  }

  private List<String> queryLines(String sql, String format)
      throws IOException, InterruptedException {
    QuerySettings settings = new QuerySettings().serverSetting("database", config.database());
    try (QueryResponse response = await(() -> client.query(sql + " FORMAT " + format, settings))) {
      String text = new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) { // QueryResponse.close() declares Exception
      throw new IOException(e);
    }
  }

  /**
   * Runs a query that returns one unsigned number (e.g. {@code SELECT count() ...}) and returns it.
   */
  long queryLong(String sql) throws IOException, InterruptedException {
    QuerySettings settings = new QuerySettings().serverSetting("database", config.database());
    // 18.16: client-v2's binary reader cannot parse its output; the SQL names a text format.
    try (QueryResponse response =
        await(() -> client.query(sql + " FORMAT TabSeparated", settings))) {
      String text =
          new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      try {
        return Long.parseUnsignedLong(text);
      } catch (NumberFormatException e) {
        throw new IOException("expected one number from '" + sql + "', got '" + text + "'", e);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) { // QueryResponse.close() declares Exception
      throw new IOException(e);
    }
  }

  private <R> R await(Supplier<CompletableFuture<R>> call)
      throws IOException, InterruptedException {
    try {
      // The socket timeout bounds each read; this bounds the whole request, so a writer never
      // hangs.
      long limit = config.connectTimeout().toMillis() + 2 * config.socketTimeout().toMillis();
      return call.get().get(limit, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new InterruptedIOException(
          "no answer from ClickHouse " + config.endpoint() + " within the request time limit");
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
