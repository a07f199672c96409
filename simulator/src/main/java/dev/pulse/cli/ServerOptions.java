package dev.pulse.cli;

import picocli.CommandLine.Option;

/**
 * {@code --kafka} and {@code --clickhouse} for the commands that start their own servers unless
 * pointed at external ones ({@code pulse demo}, {@code pulse bench}): a picocli mixin, so both
 * commands declare, validate and describe them the same way ({@link ConnectionFlags}' rules).
 */
public final class ServerOptions {

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      converter = ConnectionFlags.KafkaServers.class,
      description = "Use this Kafka cluster instead of starting a broker in this JVM.")
  String kafka;

  @Option(
      names = "--clickhouse",
      paramLabel = "URL",
      converter = ConnectionFlags.ClickHouseUrl.class,
      description = "Use this ClickHouse (http://host:8123) instead of starting a private server.")
  String clickhouse;

  /** The external Kafka's bootstrap servers, or null to start a broker. */
  public String kafka() {
    return kafka;
  }

  /** The external ClickHouse's HTTP URL, or null to start a private server. */
  public String clickhouse() {
    return clickhouse;
  }
}
