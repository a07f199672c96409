package dev.pulse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's results: one row per phase, Pulse's ratios to the two ceilings, and the reference
 * figures of Pulse's targets beside them; printed as a table and optionally written as JSON.
 */
final class BenchReport {

  /**
   * Pulse's targets (benchmarks/README.md): ceilings measured earlier on this 2-core machine with
   * hand-written code.
   */
  static final double REFERENCE_CONSUMER = 2_800_000;

  static final double REFERENCE_LOADER = 700_000;
  static final double TARGET_PULSE = 350_000;

  private final long events;
  private final String traffic;
  private final int partitions;
  private final int parallelism;
  private final String kafka;
  private final String clickhouse;
  private final List<PhaseResult> phases = new ArrayList<>();

  BenchReport(
      long events,
      String traffic,
      int partitions,
      int parallelism,
      String kafka,
      String clickhouse) {
    this.events = events;
    this.traffic = traffic;
    this.partitions = partitions;
    this.parallelism = parallelism;
    this.kafka = kafka;
    this.clickhouse = clickhouse;
  }

  void add(PhaseResult result) {
    phases.add(result);
  }

  PhaseResult phase(String name) {
    return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }

  void print(PrintWriter out) {
    out.println();
    out.printf(
        Locale.ROOT,
        "Pulse benchmark: %,d %s, %d partitions, Pulse parallelism %d, %d cores%n",
        events,
        traffic,
        partitions,
        parallelism,
        Runtime.getRuntime().availableProcessors());
    out.println("  Kafka:      " + kafka);
    out.println("  ClickHouse: " + clickhouse);
    out.println(
        "  JVM:        max heap "
            + mib(Runtime.getRuntime().maxMemory())
            + ", Java "
            + System.getProperty("java.version"));
    out.println();
    out.printf(
        Locale.ROOT,
        "%-9s %11s %8s %8s %14s %14s %10s %8s %11s %8s %6s %9s %8s%n",
        "phase",
        "events",
        "startup",
        "elapsed",
        "rate",
        "overall rate",
        "peak heap",
        "JVM CPU",
        "CH peak RSS",
        "CH CPU",
        "busy",
        "CPU us/ev",
        "others");
    for (PhaseResult p : phases) {
      ResourceMeter.Usage u = p.usage();
      double cpu = u.jvmCpuSeconds() + Math.max(0, u.clickhouseCpuSeconds());
      out.printf(
          Locale.ROOT,
          "%-9s %,11d %7.1fs %7.1fs %,12.0f/s %,12.0f/s %10s %7.1fs %11s %8s %6s %9.2f %8s%n",
          p.name(),
          p.events(),
          p.startupSeconds(),
          p.elapsedSeconds(),
          p.steadyRate(),
          p.overallRate(),
          mib(u.peakHeapBytes()),
          u.jvmCpuSeconds(),
          u.clickhousePeakRssBytes() < 0 ? "-" : mib(u.clickhousePeakRssBytes()),
          u.clickhouseCpuSeconds() < 0
              ? "-"
              : String.format(Locale.ROOT, "%.1fs", u.clickhouseCpuSeconds()),
          u.machineBusyFraction() < 0
              ? "-"
              : String.format(Locale.ROOT, "%.0f%%", 100 * u.machineBusyFraction()),
          cpu * 1e6 / Math.max(1, p.events()),
          u.otherCpuSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.1fs", u.otherCpuSeconds()));
    }
    out.println();
    out.println(
        "  rate: events/s from the first record (or row) to the last, start-up left out; overall rate: whole phase.");
    out.println(
        "  peak heap: this JVM's heap pools' peaks during the phase (the in-JVM Kafka broker and the MiniCluster");
    out.println(
        "  included); CH: the ClickHouse server process; busy: share of all cores' time not idle;");
    out.println(
        "  CPU us/ev: JVM + ClickHouse CPU time per event; others: CPU time the machine spent on other processes.");
    PhaseResult pulse = phase("pulse");
    if (pulse != null) {
      Map<String, Object> d = pulse.details();
      if (d.containsKey("viewRows")) {
        out.printf(
            Locale.ROOT,
            "  pulse: raw rows complete after %.1fs, job finished (every view ended) after %.1fs "
                + "(%,d views, %,d QoE minute rows; %,d late, %,d dead letters)%n",
            (Double) d.get("rawRowsAfterSeconds"),
            (Double) d.get("jobFinishedAfterSeconds"),
            (Long) d.get("viewRows"),
            (Long) d.get("qoeMinuteRows"),
            (Long) d.get("lateEvents"),
            (Long) d.get("deadLetters"));
      } else if (d.containsKey("jobFinishedAfterSeconds")) {
        out.printf(
            Locale.ROOT,
            "  pulse: raw rows complete after %.1fs, job finished (every session ended) after %.1fs "
                + "(%,d sessions, %,d session minutes, %,d learner sessions; %,d late, %,d dead"
                + " letters)%n",
            (Double) d.get("rawRowsAfterSeconds"),
            (Double) d.get("jobFinishedAfterSeconds"),
            (Long) d.get("sessionRows"),
            (Long) d.get("sessionMinuteRows"),
            (Long) d.get("learnerSessionRows"),
            (Long) d.get("lateEvents"),
            (Long) d.get("deadLetters"));
      } else {
        out.printf(
            Locale.ROOT,
            "  pulse: raw rows complete after %.1fs, minute facts caught up after %.1fs "
                + "(%,d fact rows for %,d requests; %,d late, %,d dead letters)%n",
            (Double) d.get("rawRowsAfterSeconds"),
            (Double) d.get("factsCaughtUpAfterSeconds"),
            (Long) d.get("minuteFactRows"),
            (Long) d.get("minuteFactRequests"),
            (Long) d.get("lateEvents"),
            (Long) d.get("deadLetters"));
      }
      if (!((Map<?, ?>) d.get("jobSettings")).isEmpty()
          || !((Map<?, ?>) d.get("flinkSettings")).isEmpty()) {
        out.println(
            "  pulse ran with job settings "
                + d.get("jobSettings")
                + " and Flink settings "
                + d.get("flinkSettings"));
      }
    }
    out.println();
    for (var e : ratios().entrySet()) {
      out.printf(Locale.ROOT, "%-28s %.2f%n", e.getKey(), e.getValue());
    }
    out.println();
    out.println(
        "Reference figures (Pulse's targets: measured earlier on this machine, hand-written code, not this run):");
    out.printf(Locale.ROOT, "  bare Kafka consumer     ~%,.0f events/s%n", REFERENCE_CONSUMER);
    out.printf(
        Locale.ROOT,
        "  minimal loader          ~%,.0f events/s (saturates both cores)%n",
        REFERENCE_LOADER);
    out.printf(
        Locale.ROOT,
        "  Pulse target            >= %,.0f events/s (half the minimal loader)%n",
        TARGET_PULSE);
    if (pulse != null) {
      out.printf(
          Locale.ROOT,
          "  Pulse in this run       %,.0f events/s = %.2fx the target: %s%n",
          pulse.steadyRate(),
          pulse.steadyRate() / TARGET_PULSE,
          pulse.steadyRate() >= TARGET_PULSE ? "meets it" : "below it");
    }
  }

  /** Pulse's steady rate over each ceiling's, for the phases that ran. */
  Map<String, Double> ratios() {
    Map<String, Double> r = new LinkedHashMap<>();
    PhaseResult pulse = phase("pulse");
    if (pulse == null) {
      return r;
    }
    for (String ceiling : List.of("consumer", "loader")) {
      PhaseResult c = phase(ceiling);
      if (c != null && c.steadyRate() > 0) {
        r.put(
            "Pulse / " + (ceiling.equals("consumer") ? "bare consumer" : "minimal loader") + ":",
            pulse.steadyRate() / c.steadyRate());
      }
    }
    return r;
  }

  void writeJson(Path file) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("events", events);
    root.put("partitions", partitions);
    root.put("parallelism", parallelism);
    root.put("cores", Runtime.getRuntime().availableProcessors());
    root.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    root.put("kafka", kafka);
    root.put("clickhouse", clickhouse);
    Map<String, Object> byPhase = new LinkedHashMap<>();
    for (PhaseResult p : phases) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("events", p.events());
      m.put("startupSeconds", p.startupSeconds());
      m.put("elapsedSeconds", p.elapsedSeconds());
      m.put("rate", p.steadyRate());
      m.put("overallRate", p.overallRate());
      ResourceMeter.Usage u = p.usage();
      m.put("peakHeapBytes", u.peakHeapBytes());
      m.put("sampledPeakHeapBytes", u.sampledPeakHeapBytes());
      m.put("jvmCpuSeconds", u.jvmCpuSeconds());
      m.put("clickhousePeakRssBytes", u.clickhousePeakRssBytes());
      m.put("clickhouseCpuSeconds", u.clickhouseCpuSeconds());
      m.put("machineBusyFraction", u.machineBusyFraction());
      m.put("otherCpuSeconds", u.otherCpuSeconds());
      m.put("details", p.details());
      byPhase.put(p.name(), m);
    }
    root.put("phases", byPhase);
    Map<String, Double> ratios = new LinkedHashMap<>();
    PhaseResult pulse = phase("pulse");
    if (pulse != null) {
      for (String c : List.of("consumer", "loader")) {
        PhaseResult ceiling = phase(c);
        if (ceiling != null && ceiling.steadyRate() > 0) {
          ratios.put(
              "pulseOver" + Character.toUpperCase(c.charAt(0)) + c.substring(1),
              pulse.steadyRate() / ceiling.steadyRate());
        }
      }
    }
    root.put("ratios", ratios);
    root.put(
        "reference",
        Map.of(
            "consumer",
            REFERENCE_CONSUMER,
            "loader",
            REFERENCE_LOADER,
            "pulseTarget",
            TARGET_PULSE));
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "-" : String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
  }
}
