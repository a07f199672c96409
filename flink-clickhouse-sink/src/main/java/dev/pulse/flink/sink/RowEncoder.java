package dev.pulse.flink.sink;

import java.io.Serializable;

/**
 * Writes one element as one ClickHouse row, column by column, through a {@link RowOut}. Call the
 * {@code RowOut} methods in the same column order for every row (RowBinary depends on it, and the
 * sink checks it).
 *
 * <p>Serializable because it travels inside the sink to the task managers.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface RowEncoder<T> extends Serializable {
  void encode(T element, RowOut out);
}
