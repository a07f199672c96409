package dev.pulse.flink.sink;

import com.clickhouse.data.ClickHouseFormat;

/**
 * The ClickHouse input format a sink sends its rows in; both work with 18.16 and client-v2 0.11
 * (STACK.md).
 */
public enum RowFormat {
  /**
   * One JSON object per line, columns by name: readable, tolerant of column order, slower to encode
   * and parse.
   */
  JSON_EACH_ROW(ClickHouseFormat.JSONEachRow),
  /**
   * Little-endian binary values in an explicit column order: compact and cheapest for the server to
   * parse.
   */
  ROW_BINARY(ClickHouseFormat.RowBinary);

  private final ClickHouseFormat clickHouseFormat;

  RowFormat(ClickHouseFormat clickHouseFormat) {
    this.clickHouseFormat = clickHouseFormat;
  }

  ClickHouseFormat clickHouseFormat() {
    return clickHouseFormat;
  }
}
