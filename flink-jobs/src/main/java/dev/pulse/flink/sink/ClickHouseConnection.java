package dev.pulse.flink.sink;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One client-v2 client for one sink writer or committer: sends INSERT bodies and small count
 * queries to the configured table, the way ClickHouse 18.16 accepts them (STACK.md).
 */
final class ClickHouseConnection implements AutoCloseable {

  private final ClickHouseSinkConfig config;
  private final Client client;

  ClickHouseConnection(ClickHouseSinkConfig config) {
    this.config = config;
    this.client =
        new Client.Builder()
            .addEndpoint(config.endpoint())
            .setUsername(config.user())
            .setPassword(config.password())
            // 18.16: with a compressed response client-v2 loses the first bytes or reads nothing
            // (STACK.md).
            .compressServerResponse(false)
            .compressClientRequest(false)
            // 18.16 ignores the client's default database; the server setting is honoured.
            .serverSetting("database", config.database())
            .setConnectTimeout(config.connectTimeout().toMillis(), ChronoUnit.MILLIS)
            .setSocketTimeout(config.socketTimeout().toMillis(), ChronoUnit.MILLIS)
            // The sink retries by its own policy and counts each retry; no hidden retries
            // underneath.
            .setMaxRetries(0)
            // Otherwise the client asks the server for its version in a way 18.16 does not answer
            // (clickhouse module does the same).
            .setServerVersion("18.16")
            .setClientName("pulse-flink-sink")
            .build();
  }

  /**
   * Inserts one encoded batch as one INSERT statement; throws what the client or server reported.
   */
  void insert(EncodedBatch batch) throws IOException, InterruptedException {
    insert(batch.format(), batch.columns(), batch.buffer().inputStream());
  }

  /**
   * Inserts {@code body}, rows in {@code format}; the column list is sent for RowBinary, whose
   * values are positional.
   */
  void insert(RowFormat format, List<String> columns, InputStream body)
      throws IOException, InterruptedException {
    InsertSettings settings = new InsertSettings().serverSetting("database", config.database());
    String table = config.database() + "." + config.table();
    await(
            () ->
                format == RowFormat.ROW_BINARY
                    ? client.insert(table, columns, body, format.clickHouseFormat(), settings)
                    : client.insert(table, body, format.clickHouseFormat(), settings))
        .close();
  }

  /**
   * Runs a query that returns one unsigned number (e.g. {@code SELECT count() ...}) and returns it.
   */
  long queryLong(String sql) throws IOException, InterruptedException {
    QuerySettings settings = new QuerySettings().serverSetting("database", config.database());
    // 18.16: client-v2's binary reader cannot parse its output; the SQL names a text format
    // (STACK.md).
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

  private <R> R await(Supplier<java.util.concurrent.CompletableFuture<R>> call)
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
