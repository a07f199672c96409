package dev.pulse.flink.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * Drives one keyed operator in Flink's test harness with a {@link SkewedDelivery} and prints its
 * rate and CPU per event: a warm-up round, then {@code rounds} measured ones, each with a fresh
 * harness. It prints figures only and asserts nothing about them (the machine is shared).
 */
public final class OperatorThroughput {

  private OperatorThroughput() {}

  /** One operator to measure: what the figures call it, and a fresh (unopened) harness of it. */
  public record Contender<K, E, O>(
      String label, Callable<KeyedOneInputStreamOperatorTestHarness<K, E, O>> harness) {}

  public static <K, E, O> void run(
      String name,
      Callable<KeyedOneInputStreamOperatorTestHarness<K, E, O>> harness,
      List<OutputTag<?>> sideOutputs,
      SkewedDelivery<E> delivery,
      int rounds)
      throws Exception {
    run(name, List.of(new Contender<>("", harness)), sideOutputs, delivery, rounds);
  }

  /**
   * As {@link #run(String, Callable, List, SkewedDelivery, int)} for several operators, their
   * rounds taking turns (so that the machine's load changes hit all of them alike).
   */
  public static <K, E, O> void run(
      String name,
      List<Contender<K, E, O>> contenders,
      List<OutputTag<?>> sideOutputs,
      SkewedDelivery<E> delivery,
      int rounds)
      throws Exception {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int round = 0; round <= rounds; round++) {
      for (Contender<K, E, O> contender : contenders) {
        long main = 0;
        long side = 0;
        long wallStart;
        long cpuStart;
        try (var h = contender.harness().call()) {
          h.open();
          wallStart = System.nanoTime();
          cpuStart = cpu.getCurrentThreadCpuTime();
          int n = 0;
          for (SkewedDelivery.Step<E> s : delivery.steps()) {
            if (s.isWatermark()) {
              h.processWatermark(new Watermark(s.watermark()));
            } else {
              h.processElement(new StreamRecord<>(s.event(), s.timestamp()));
            }
            if (++n % 5_000 == 0) {
              main += h.getOutput().size();
              h.getOutput().clear();
              side += drainSideOutputs(h, sideOutputs);
            }
          }
          main += h.getOutput().size();
          side += drainSideOutputs(h, sideOutputs);
        }
        long wallNs = System.nanoTime() - wallStart;
        long cpuNs = cpu.getCurrentThreadCpuTime() - cpuStart;
        System.out.printf(
            Locale.ROOT,
            "[throughput] %s%s %s: %,d events in %,d ms: %,.0f events/s, %.2f us CPU/event;"
                + " outputs %,d main (watermarks included), %,d side%n",
            name,
            contender.label().isEmpty() ? "" : " " + contender.label(),
            round == 0 ? "warm-up" : "round " + round,
            delivery.events(),
            wallNs / 1_000_000,
            delivery.events() * 1e9 / wallNs,
            cpuNs / 1e3 / delivery.events(),
            main,
            side);
      }
    }
  }

  private static long drainSideOutputs(
      KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h, List<OutputTag<?>> tags) {
    long n = 0;
    for (OutputTag<?> tag : tags) {
      var queue = h.getSideOutput(tag);
      if (queue != null) {
        n += queue.size();
        queue.clear();
      }
    }
    return n;
  }
}
