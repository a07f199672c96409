package dev.pulse.flink.sink;

import java.io.Serializable;

/**
 * The value, in epoch seconds (UTC), of an element's partition time column (e.g. {@code minute}):
 * an exactly-once sink splits each batch by month of it, so that each INSERT lands in one partition
 * as one atomic part, and bounds its batch-id lookup by it.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface PartitionTime<T> extends Serializable {
  long epochSeconds(T element);
}
