package dev.pulse.flink.sink;

/**
 * Where a {@link RowEncoder} writes one row: one call per column, named as in the table, typed as
 * in the table. Unsigned types take the Java value's bits ({@code uint64(-1L)} is 2^64 - 1).
 */
public interface RowOut {
  RowOut string(String column, String value);

  /** A Nullable(String): {@code null} is SQL NULL. */
  RowOut nullableString(String column, String value);

  /** A Nullable(Int32): null writes NULL. */
  RowOut nullableInt32(String column, Integer value);

  RowOut uint8(String column, int value);

  RowOut uint16(String column, int value);

  RowOut uint32(String column, long value);

  RowOut uint64(String column, long value);

  RowOut int32(String column, int value);

  RowOut int64(String column, long value);

  /** A finite Float64; NaN and infinities are refused (no metric should be one). */
  RowOut float64(String column, double value);

  /** A DateTime as seconds since the epoch, so the server's time zone never reinterprets it. */
  RowOut dateTime(String column, long epochSeconds);

  RowOut int32Array(String column, int[] values);

  RowOut uint64Array(String column, long[] values);

  /** An Array(Int64): the same eight little-endian bytes per value as {@link #uint64Array}. */
  default RowOut int64Array(String column, long[] values) {
    return uint64Array(column, values);
  }
}
