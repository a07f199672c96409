package dev.pulse.flink.sink;

import dev.pulse.clickhouse.SqlLiteral;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sort-key values of one row of a batch as an SQL condition ({@code tenant_id = 'a' AND ... AND
 * minute = toDateTime(...)}): with the batch id, it finds that row through the table's primary
 * index, so the committer's "is this batch stored?" reads a granule or two per part instead of
 * every batch id of the partition. One row suffices because a batch is one atomic part: one of its
 * rows is stored exactly when all are.
 *
 * <p>Captured by running the sink's own {@link RowEncoder} on the batch's first element, so the
 * literals are the values the row was stored with.
 */
final class LookupKey {

  private LookupKey() {}

  /**
   * The condition on {@code columns} (each written by the encoder with a scalar type) for {@code
   * element}'s row.
   *
   * @throws IllegalStateException when the encoder writes one of the columns as a float or an array
   *     (not a sort-key type) or not at all
   */
  static <T> String of(T element, RowEncoder<T> encoder, List<String> columns) {
    Capture capture = new Capture(columns);
    encoder.encode(element, capture);
    List<String> conditions = new ArrayList<>(columns.size());
    for (String column : columns) {
      String literal = capture.literals.get(column);
      if (literal == null) {
        throw new IllegalStateException(
            "the row encoder wrote no value for the lookup column '" + column + "'");
      }
      conditions.add(literal);
    }
    return String.join(" AND ", conditions);
  }

  /** Records {@code column = literal} for the lookup columns and ignores the others. */
  private static final class Capture implements RowOut {
    private final List<String> columns;
    private final Map<String, String> literals = new LinkedHashMap<>();

    Capture(List<String> columns) {
      this.columns = columns;
    }

    private RowOut equal(String column, String literal) {
      if (columns.contains(column)) {
        literals.put(column, SqlLiteral.identifier(column) + " = " + literal);
      }
      return this;
    }

    private RowOut notAKey(String column, String type) {
      if (columns.contains(column)) {
        throw new IllegalStateException(
            "lookup column '" + column + "' is written as " + type + ", not a sort-key type");
      }
      return this;
    }

    @Override
    public RowOut string(String column, String value) {
      return equal(column, SqlLiteral.string(Objects.requireNonNull(value, column)));
    }

    @Override
    public RowOut nullableString(String column, String value) {
      if (value == null && columns.contains(column)) {
        literals.put(column, "isNull(" + SqlLiteral.identifier(column) + ")");
        return this;
      }
      return value == null ? this : equal(column, SqlLiteral.string(value));
    }

    @Override
    public RowOut nullableInt32(String column, Integer value) {
      if (value == null && columns.contains(column)) {
        literals.put(column, "isNull(" + SqlLiteral.identifier(column) + ")");
        return this;
      }
      return value == null ? this : equal(column, Integer.toString(value));
    }

    @Override
    public RowOut uint8(String column, int value) {
      return equal(column, Integer.toString(value & 0xFF));
    }

    @Override
    public RowOut uint16(String column, int value) {
      return equal(column, Integer.toString(value & 0xFFFF));
    }

    @Override
    public RowOut uint32(String column, long value) {
      return equal(column, Long.toString(value & 0xFFFF_FFFFL));
    }

    @Override
    public RowOut uint64(String column, long value) {
      return equal(column, Long.toUnsignedString(value));
    }

    @Override
    public RowOut int32(String column, int value) {
      return equal(column, Integer.toString(value));
    }

    @Override
    public RowOut int64(String column, long value) {
      return equal(column, Long.toString(value));
    }

    @Override
    public RowOut float64(String column, double value) {
      return notAKey(column, "a Float64");
    }

    @Override
    public RowOut dateTime(String column, long epochSeconds) {
      return equal(column, SqlLiteral.dateTime(Instant.ofEpochSecond(epochSeconds)));
    }

    @Override
    public RowOut int32Array(String column, int[] values) {
      return notAKey(column, "an array");
    }

    @Override
    public RowOut uint64Array(String column, long[] values) {
      return notAKey(column, "an array");
    }
  }
}
