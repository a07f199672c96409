package dev.pulse.flink.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Events of a simulated topic of two Kafka partitions as one source subtask delivers them in a
 * catch-up read: partition 1 runs {@code skewMs} of event time ahead of partition 0 (each partition
 * keeps the order of {@code inOrder}, so its out-of-order and late events stay where the simulator
 * put them), and event time is the jobs' watermark rule (per partition the highest event time seen
 * less the out-of-orderness less 1 ms, the minimum over the partitions, emitted when it has moved a
 * step, as {@code BoundedLagWatermarks} does). Throughput harnesses feed operators with it.
 *
 * @param <E> the event type
 */
public final class SkewedDelivery<E> {

  /** One step of the delivery: an event, or a watermark (event null). */
  public record Step<E>(E event, long timestamp, long watermark) {
    public boolean isWatermark() {
      return event == null;
    }
  }

  private final List<Step<E>> steps = new ArrayList<>();
  private final int events;

  /**
   * @param partitionKeys the Kafka record key of each event (hashed to a partition)
   */
  public SkewedDelivery(
      List<E> inOrder,
      List<String> partitionKeys,
      ToLongFunction<E> timeMs,
      long skewMs,
      long outOfOrdernessMs,
      long watermarkStepMs) {
    record Placed<E>(E event, long time, int partition, long deliverAt, int index) {}
    List<Placed<E>> placed = new ArrayList<>();
    long streamTime = Long.MIN_VALUE; // where the stream is: the highest event time so far
    for (int i = 0; i < inOrder.size(); i++) {
      E e = inOrder.get(i);
      long t = timeMs.applyAsLong(e);
      streamTime = Math.max(streamTime, t);
      int p = Math.floorMod(partitionKeys.get(i).hashCode(), 2);
      placed.add(new Placed<>(e, t, p, p == 1 ? streamTime - skewMs : streamTime, i));
    }
    placed.sort(
        Comparator.comparingLong((Placed<E> x) -> x.deliverAt()).thenComparingInt(Placed::index));
    long[] highest = {Long.MIN_VALUE, Long.MIN_VALUE};
    long emitted = Long.MIN_VALUE;
    for (Placed<E> x : placed) {
      steps.add(new Step<>(x.event(), x.time(), Long.MIN_VALUE));
      highest[x.partition()] = Math.max(highest[x.partition()], x.time());
      if (highest[0] == Long.MIN_VALUE || highest[1] == Long.MIN_VALUE) {
        continue;
      }
      long watermark = Math.min(highest[0], highest[1]) - outOfOrdernessMs - 1;
      if (emitted == Long.MIN_VALUE || watermark >= emitted + watermarkStepMs) {
        steps.add(new Step<>(null, Long.MIN_VALUE, watermark));
        emitted = watermark;
      }
    }
    steps.add(new Step<>(null, Long.MIN_VALUE, Long.MAX_VALUE)); // a bounded read's end
    this.events = placed.size();
  }

  public List<Step<E>> steps() {
    return steps;
  }

  public int events() {
    return events;
  }
}
