package dev.pulse.flink.sink;

import dev.pulse.clickhouse.Utf16;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rows encoded in ClickHouse's RowBinary format, ready to be sent as the body of one INSERT, with
 * what the sink needs to know about them: row count, column order (RowBinary values are positional,
 * so the INSERT names the columns), partition-time range (exactly-once).
 *
 * <p>RowBinary is the one format of every Pulse sink: the cheapest for the server to parse (up to
 * 1.6x faster than JSONEachRow for the raw table), and written by the small typed writer below
 * rather than client-v2's experimental RowBinaryFormatWriter, which needs a table schema read with
 * a format 18.16 lacks.
 *
 * <p>Rows are encoded as they arrive rather than kept as objects: the buffer's size is then the
 * real memory cost, and a committable is the INSERT body itself.
 */
final class EncodedBatch {
  private final GrowableBytes buffer;
  private final RowWriter out = new BinaryRowWriter();
  private final List<String> columns = new ArrayList<>();
  private boolean columnsFixed;
  private int rows;
  private long minTime = Long.MAX_VALUE;
  private long maxTime = Long.MIN_VALUE;

  EncodedBatch(int initialCapacity) {
    this.buffer = new GrowableBytes(initialCapacity);
  }

  /**
   * Appends one row: {@code prefix} first (e.g. the batch id column), then the encoder's columns.
   * On an encoder failure the batch is left exactly as before, so one bad element cannot corrupt a
   * batch.
   */
  <T> void append(T element, RowEncoder<T> encoder, String prefixColumn, String prefixValue) {
    int mark = buffer.size();
    out.begin();
    try {
      if (prefixColumn != null) {
        out.string(prefixColumn, prefixValue);
      }
      encoder.encode(element, out);
      out.end();
    } catch (RuntimeException e) {
      buffer.truncate(mark);
      out.abort();
      throw e;
    }
    rows++;
  }

  void notePartitionTime(long epochSeconds) {
    minTime = Math.min(minTime, epochSeconds);
    maxTime = Math.max(maxTime, epochSeconds);
  }

  int rows() {
    return rows;
  }

  int bytes() {
    return buffer.size();
  }

  GrowableBytes buffer() {
    return buffer;
  }

  /**
   * The column names in the order the encoder wrote them (the INSERT's column list for RowBinary).
   */
  List<String> columns() {
    return List.copyOf(columns);
  }

  long minTime() {
    return minTime;
  }

  long maxTime() {
    return maxTime;
  }

  /** Writes columns, and checks that every row names the same columns in the same order. */
  private abstract class RowWriter implements RowOut {
    private int column;

    void begin() {
      column = 0;
    }

    void end() {
      if (!columnsFixed) {
        if (column == 0) {
          throw new IllegalStateException("the row encoder wrote no column");
        }
        columnsFixed = true;
      } else if (column != columns.size()) {
        throw new IllegalStateException(
            "the row encoder wrote "
                + column
                + " columns, the first row of the batch "
                + columns.size()
                + " "
                + columns
                + ": every row must write the same columns in the same order");
      }
    }

    void abort() {
      if (!columnsFixed) {
        columns.clear();
      }
    }

    /** Records or checks the column name; returns true for the row's first column. */
    boolean column(String name) {
      Objects.requireNonNull(name, "column");
      if (!columnsFixed) {
        columns.add(name);
      } else if (column >= columns.size() || !name.equals(columns.get(column))) {
        throw new IllegalStateException(
            "the row encoder wrote column '"
                + name
                + "' at position "
                + column
                + ", the first row of the batch wrote "
                + columns
                + ": every row must write the same columns in the same order");
      }
      return column++ == 0;
    }
  }

  /**
   * RowBinary: values in column order, little-endian, strings and arrays prefixed by a varint
   * length.
   */
  private final class BinaryRowWriter extends RowWriter {
    @Override
    public RowOut string(String column, String value) {
      column(column);
      Objects.requireNonNull(value, () -> "null value for String column '" + column + "'");
      requireUtf16(column, value);
      byte[] b = value.getBytes(StandardCharsets.UTF_8);
      buffer.writeVarUInt(b.length);
      buffer.write(b, 0, b.length);
      return this;
    }

    @Override
    public RowOut nullableString(String column, String value) {
      if (value == null) {
        column(column);
        buffer.write(1); // Nullable: a 1 byte means NULL, no value follows
        return this;
      }
      buffer.write(0);
      return string(column, value);
    }

    @Override
    public RowOut nullableInt32(String column, Integer value) {
      if (value == null) {
        column(column);
        buffer.write(1); // Nullable: a 1 byte means NULL, no value follows
        return this;
      }
      buffer.write(0);
      return int32(column, value);
    }

    @Override
    public RowOut uint8(String column, int value) {
      column(column);
      buffer.writeLittleEndian(value, 1);
      return this;
    }

    @Override
    public RowOut uint16(String column, int value) {
      column(column);
      buffer.writeLittleEndian(value, 2);
      return this;
    }

    @Override
    public RowOut uint32(String column, long value) {
      column(column);
      buffer.writeLittleEndian(value, 4);
      return this;
    }

    @Override
    public RowOut uint64(String column, long value) {
      column(column);
      buffer.writeLittleEndian(value, 8);
      return this;
    }

    @Override
    public RowOut int32(String column, int value) {
      column(column);
      buffer.writeLittleEndian(value, 4);
      return this;
    }

    @Override
    public RowOut int64(String column, long value) {
      column(column);
      buffer.writeLittleEndian(value, 8);
      return this;
    }

    @Override
    public RowOut float64(String column, double value) {
      requireFinite(column, value);
      column(column);
      buffer.writeLittleEndian(Double.doubleToRawLongBits(value), 8);
      return this;
    }

    @Override
    public RowOut dateTime(String column, long epochSeconds) {
      requireDateTime(column, epochSeconds);
      column(column);
      buffer.writeLittleEndian(epochSeconds, 4);
      return this;
    }

    @Override
    public RowOut int32Array(String column, int[] values) {
      column(column);
      buffer.writeVarUInt(values.length);
      for (int v : values) {
        buffer.writeLittleEndian(v, 4);
      }
      return this;
    }

    @Override
    public RowOut uint64Array(String column, long[] values) {
      column(column);
      buffer.writeVarUInt(values.length);
      for (long v : values) {
        buffer.writeLittleEndian(v, 8);
      }
      return this;
    }
  }

  /**
   * An unpaired surrogate has no UTF-8 form: {@code getBytes} would store '?' in its place, a value
   * nobody sent. Refused instead, so the caller decides.
   */
  private static void requireUtf16(String column, String value) {
    int at = Utf16.unpairedSurrogateAt(value);
    if (at >= 0) {
      throw new IllegalArgumentException(
          "column '"
              + column
              + "': unpaired UTF-16 surrogate at index "
              + at
              + " has no UTF-8 form");
    }
  }

  private static void requireFinite(String column, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("column '" + column + "': not a finite Float64: " + value);
    }
  }

  /** DateTime is a UInt32 of seconds: anything outside would wrap around silently. */
  private static void requireDateTime(String column, long epochSeconds) {
    if (epochSeconds < 0 || epochSeconds > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          "column '" + column + "': DateTime out of range (0..2^32-1 s): " + epochSeconds);
    }
  }
}
