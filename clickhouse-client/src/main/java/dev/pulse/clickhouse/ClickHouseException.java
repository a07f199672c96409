package dev.pulse.clickhouse;

/**
 * A query or insert that ClickHouse refused or that could not reach it; the message carries
 * ClickHouse's own error text.
 */
public class ClickHouseException extends RuntimeException {

  private final int code;

  public ClickHouseException(String message, int code, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * ClickHouse's error code (e.g. 60 for an unknown table, 57 for a table that already exists), or
   * 0 when unknown.
   */
  public int code() {
    return code;
  }
}
