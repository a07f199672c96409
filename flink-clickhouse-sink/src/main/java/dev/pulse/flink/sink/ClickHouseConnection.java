package dev.pulse.flink.sink;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import dev.pulse.clickhouse.ClickHouseClients;
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
    InsertSettings settings = new InsertSettings().serverSetting("database", config.database());
    String table = config.database() + "." + config.table();
    await(() -> client.insert(table, columns, body, ClickHouseFormat.RowBinary, settings)).close();
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
