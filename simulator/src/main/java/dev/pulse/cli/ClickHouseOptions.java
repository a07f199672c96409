package dev.pulse.cli;

import picocli.CommandLine.Option;

/**
 * {@code --clickhouse}, {@code --database} and {@code --user} for the commands that work on an
 * existing ClickHouse server ({@code pulse migrate}, {@code pulse reconcile}), and the password
 * from {@value #PASSWORD_ENV}: a picocli mixin, so each of them declares, validates ({@link
 * ConnectionFlags}' rules) and describes the connection the same way. (The commands that start
 * their own server unless given one use {@link ServerOptions}.)
 */
public final class ClickHouseOptions {

  /**
   * Where the password comes from: never a flag, which would show it in {@code ps} and the shell's
   * history.
   */
  public static final String PASSWORD_ENV = "PULSE_CLICKHOUSE_PASSWORD";

  @Option(
      names = "--clickhouse",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8123",
      converter = ConnectionFlags.ClickHouseUrl.class,
      description = "ClickHouse HTTP URL (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--database",
      paramLabel = "NAME",
      defaultValue = "pulse",
      converter = ConnectionFlags.Identifier.class,
      description = "Database of Pulse's tables (default: ${DEFAULT-VALUE}).")
  String database;

  @Option(
      names = "--user",
      paramLabel = "USER",
      defaultValue = "default",
      description = "ClickHouse user (default: ${DEFAULT-VALUE}).")
  String user;

  /** The HTTP endpoint, as given. */
  public String url() {
    return url;
  }

  /** The database, a plain identifier. */
  public String database() {
    return database;
  }

  public String user() {
    return user;
  }

  /** The password from {@value #PASSWORD_ENV}, or empty when it is not set. */
  public String password() {
    return System.getenv().getOrDefault(PASSWORD_ENV, "");
  }
}
