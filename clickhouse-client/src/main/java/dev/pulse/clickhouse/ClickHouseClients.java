package dev.pulse.clickhouse;

import com.clickhouse.client.api.Client;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The one place a client-v2 {@link Client} is configured for Pulse, with the rules ClickHouse 18.16
 * imposes (docs/clickhouse-18.16.md): every writer and reader builds its client here.
 *
 * <ul>
 *   <li>uncompressed responses and requests: with compression, 18.16 results come back empty or
 *       lose their first bytes;
 *   <li>the default database as the server setting {@code database}: 18.16 ignores the client's own
 *       default-database option;
 *   <li>a fixed server version: otherwise the client asks the server for its version in a way 18.16
 *       does not answer (Pulse reads it with {@code SELECT version()});
 *   <li>no hidden retries: retrying a non-idempotent INSERT could duplicate rows; callers retry by
 *       their own policy.
 * </ul>
 */
public final class ClickHouseClients {

  private ClickHouseClients() {}

  /**
   * A builder for the server at {@code httpUrl} signed in as {@code user}, with {@code database} as
   * the default database (null: the server's default) and the 18.16 rules applied; callers may add
   * their own settings before {@code build()}.
   *
   * @param connectTimeout how long to wait for a connection
   * @param requestTimeout how long one request may take, reading its answer included
   */
  public static Client.Builder builder(
      String httpUrl,
      String user,
      String password,
      String database,
      Duration connectTimeout,
      Duration requestTimeout,
      String clientName) {
    Objects.requireNonNull(httpUrl, "httpUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Client.Builder builder =
        new Client.Builder()
            .addEndpoint(httpUrl)
            .setUsername(user)
            .setPassword(password)
            .compressServerResponse(false)
            .compressClientRequest(false)
            .setConnectTimeout(connectTimeout.toMillis(), ChronoUnit.MILLIS)
            .setSocketTimeout(requestTimeout.toMillis(), ChronoUnit.MILLIS)
            .setExecutionTimeout(requestTimeout.toMillis(), ChronoUnit.MILLIS)
            .setMaxRetries(0)
            .setServerVersion("18.16")
            .setClientName(clientName);
    if (database != null) {
      SqlLiteral.identifier(database); // rejects a name that could not be a database
      builder.serverSetting("database", database);
    }
    return builder;
  }
}
