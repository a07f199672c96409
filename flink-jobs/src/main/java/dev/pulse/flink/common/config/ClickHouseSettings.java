package dev.pulse.flink.common.config;

import dev.pulse.flink.sink.ClickHouseSink;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Where a job's ClickHouse tables are and how its at-least-once sinks batch.
 *
 * @param url ClickHouse HTTP endpoint
 * @param database the database holding the migrated tables
 * @param user ClickHouse user
 * @param password ClickHouse password (may be empty; never printed)
 * @param rawBatchSize rows per INSERT into a raw events table at most
 * @param maxBatchDelay longest a row waits in an open batch of the at-least-once tables (raw
 *     events, late events, dead letters); exactly-once facts wait for the checkpoint instead
 * @param socketTimeout longest a sink waits for one answer of the server before it counts the
 *     request as failed and retries it
 */
public record ClickHouseSettings(
    String url,
    String database,
    String user,
    String password,
    int rawBatchSize,
    Duration maxBatchDelay,
    Duration socketTimeout)
    implements Serializable {

  public static final ConfigOption<String> URL =
      ConfigOptions.key("clickhouse.url")
          .stringType()
          .defaultValue("http://localhost:8123")
          .withDescription("ClickHouse HTTP endpoint.");

  public static final ConfigOption<String> DATABASE =
      ConfigOptions.key("clickhouse.database")
          .stringType()
          .defaultValue("pulse")
          .withDescription("The database holding the migrated tables.");

  public static final ConfigOption<String> USER =
      ConfigOptions.key("clickhouse.user")
          .stringType()
          .defaultValue("default")
          .withDescription("ClickHouse user.");

  public static final ConfigOption<String> PASSWORD =
      ConfigOptions.key("clickhouse.password")
          .stringType()
          .defaultValue("")
          .withDescription("ClickHouse password (may be empty; never logged).");

  /**
   * 100,000 raw rows per INSERT: large parts are what ClickHouse ingests fastest (at least
   * thousands of rows per insert, at most about one insert per second per table and writer); at 175
   * k events/s per writer a batch fills in about 0.6 s, and in RowBinary it is about 10 MB.
   */
  public static final ConfigOption<Integer> RAW_BATCH_SIZE =
      ConfigOptions.key("clickhouse.raw-batch-size")
          .intType()
          .defaultValue(100_000)
          .withDescription(
              "Rows per INSERT into a raw events table at most (1.."
                  + ClickHouseSink.MAX_BATCH_ROWS
                  + ").");

  /** At low rates (the demo) a raw, late or dead-letter row is stored within about a second. */
  public static final ConfigOption<Duration> MAX_BATCH_DELAY =
      ConfigOptions.key("clickhouse.max-batch-delay")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription(
              "Longest a row waits in an open batch of the at-least-once tables (raw events, late"
                  + " events, dead letters); facts are committed at checkpoints instead.");

  /**
   * 60 s: far above any INSERT of a healthy server, so a timeout means a stalled server or network.
   * A request that timed out is retried; an exactly-once commit whose INSERT landed anyway is found
   * stored, not sent again (flink-clickhouse-sink's DESIGN.md).
   */
  public static final ConfigOption<Duration> SOCKET_TIMEOUT =
      ConfigOptions.key("clickhouse.socket-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(60))
          .withDescription(
              "Longest a sink waits for one answer of ClickHouse before it retries the request.");

  /** TCP connect timeout of every sink: the server is reached in milliseconds or not at all. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Every option of this group, in the order the README lists them. */
  public static final List<ConfigOption<?>> OPTIONS =
      List.of(URL, DATABASE, USER, PASSWORD, RAW_BATCH_SIZE, MAX_BATCH_DELAY, SOCKET_TIMEOUT);

  public ClickHouseSettings {
    Objects.requireNonNull(url, URL.key());
    Objects.requireNonNull(database, DATABASE.key());
    Objects.requireNonNull(user, USER.key());
    Objects.requireNonNull(password, PASSWORD.key());
    Objects.requireNonNull(maxBatchDelay, MAX_BATCH_DELAY.key());
    Objects.requireNonNull(socketTimeout, SOCKET_TIMEOUT.key());
    if (rawBatchSize < 1 || rawBatchSize > ClickHouseSink.MAX_BATCH_ROWS) {
      throw new IllegalArgumentException(
          "--"
              + RAW_BATCH_SIZE.key()
              + " must be 1.."
              + ClickHouseSink.MAX_BATCH_ROWS
              + ", got "
              + rawBatchSize);
    }
    Durations.positive(MAX_BATCH_DELAY, maxBatchDelay);
    Durations.positive(SOCKET_TIMEOUT, socketTimeout);
  }

  /** The settings in {@code config}, defaults for what it does not set. */
  public static ClickHouseSettings from(ReadableConfig config) {
    return new ClickHouseSettings(
        JobConfig.get(config, URL),
        JobConfig.get(config, DATABASE),
        JobConfig.get(config, USER),
        JobConfig.get(config, PASSWORD),
        JobConfig.get(config, RAW_BATCH_SIZE),
        JobConfig.get(config, MAX_BATCH_DELAY),
        JobConfig.get(config, SOCKET_TIMEOUT));
  }

  /** A sink builder for {@code table} of this database, credentials and timeouts set. */
  public <T> ClickHouseSink.Builder<T> sinkTo(String table) {
    return ClickHouseSink.<T>builder()
        .endpoint(url)
        .credentials(user, password)
        .database(database)
        .table(table)
        .timeouts(CONNECT_TIMEOUT, socketTimeout);
  }

  @Override
  public String toString() {
    // Never print the password: settings end up in logs and the Flink web UI.
    return "ClickHouseSettings["
        + url
        + " db "
        + database
        + " user "
        + user
        + ", raw batch "
        + rawBatchSize
        + " rows/"
        + maxBatchDelay
        + ", socket timeout "
        + socketTimeout
        + "]";
  }
}
