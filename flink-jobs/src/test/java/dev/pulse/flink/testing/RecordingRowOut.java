package dev.pulse.flink.testing;

import dev.pulse.flink.sink.RowOut;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link RowOut} that remembers each column's name, the ClickHouse type its method writes and the
 * value, so encoder tests can compare rows with hand-worked values and with the migrated tables'
 * columns.
 */
public final class RecordingRowOut implements RowOut {

  /** Column name to ClickHouse type, in write order. */
  public final Map<String, String> types = new LinkedHashMap<>();

  /** Column name to value (arrays as lists), in write order. */
  public final Map<String, Object> values = new LinkedHashMap<>();

  private RowOut put(String column, String type, Object value) {
    if (types.put(column, type) != null) {
      throw new AssertionError("column " + column + " written twice");
    }
    values.put(column, value);
    return this;
  }

  public List<String> columns() {
    return new ArrayList<>(types.keySet());
  }

  @Override
  public RowOut string(String column, String value) {
    return put(column, "String", value);
  }

  @Override
  public RowOut nullableString(String column, String value) {
    return put(column, "Nullable(String)", value);
  }

  @Override
  public RowOut nullableInt32(String column, Integer value) {
    return put(column, "Nullable(Int32)", value);
  }

  @Override
  public RowOut uint8(String column, int value) {
    return put(column, "UInt8", value);
  }

  @Override
  public RowOut uint16(String column, int value) {
    return put(column, "UInt16", value);
  }

  @Override
  public RowOut uint32(String column, long value) {
    return put(column, "UInt32", value);
  }

  @Override
  public RowOut uint64(String column, long value) {
    return put(column, "UInt64", value);
  }

  @Override
  public RowOut int32(String column, int value) {
    return put(column, "Int32", value);
  }

  @Override
  public RowOut int64(String column, long value) {
    return put(column, "Int64", value);
  }

  @Override
  public RowOut float64(String column, double value) {
    return put(column, "Float64", value);
  }

  @Override
  public RowOut dateTime(String column, long epochSeconds) {
    return put(column, "DateTime", epochSeconds);
  }

  @Override
  public RowOut int32Array(String column, int[] values) {
    return put(column, "Array(Int32)", Arrays.stream(values).boxed().toList());
  }

  @Override
  public RowOut uint64Array(String column, long[] values) {
    return put(column, "Array(UInt64)", Arrays.stream(values).boxed().toList());
  }
}
