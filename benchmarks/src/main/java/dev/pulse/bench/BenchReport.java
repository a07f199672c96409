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
 * The benchmark's results: one row per phase, Pulse's ratios to the two ceilings measured in the
 * same run, and its target against the loader; printed as a table and optionally written as JSON.
 */
final class BenchReport {

  /** Pulse's target: at least half the hand-written loader's rate (benchmarks/README.md). */
  static final double TARGET_RATIO = 0.5;

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
          "%-9s %11s %7.1fs %7.1fs %14s %14s %10s %7.1fs %11s %8s %6s %9s %8s%n",
          p.name(),
          perEvent(p, "%,d", p.events()),
          p.startupSeconds(),
          p.elapsedSeconds(),
          perEvent(p, "%,.0f/s", p.steadyRate()),
          perEvent(p, "%,.0f/s", p.overallRate()),
          mib(u.peakHeapBytes()),
          u.jvmCpuSeconds(),
          u.clickhousePeakRssBytes() < 0 ? "-" : mib(u.clickhousePeakRssBytes()),
          u.clickhouseCpuSeconds() < 0
              ? "-"
              : String.format(Locale.ROOT, "%.1fs", u.clickhouseCpuSeconds()),
          u.machineBusyFraction() < 0
              ? "-"
              : String.format(Locale.ROOT, "%.0f%%", 100 * u.machineBusyFraction()),
          perEvent(p, "%.2f", cpu * 1e6 / Math.max(1, p.events())),
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
    PhaseResult preload = phase("preload");
    if (preload != null && traffic.equals(Traffic.mixed.description())) {
      List<String> shares = new ArrayList<>();
      for (var domain : Traffic.mixed.domains()) {
        Object n = preload.details().get(domain.cliName() + "Events");
        if (n instanceof Long count) {
          shares.add(
              String.format(
                  Locale.ROOT,
                  "%s %,d (%.1f %%)",
                  domain.cliName(),
                  count,
                  100.0 * count / Math.max(1, preload.events())));
        }
      }
      out.println("  preload: " + String.join(", ", shares));
    }
    PhaseResult pulse = phase("pulse");
    if (pulse != null) {
      Map<String, Object> d = pulse.details();
      String until =
          d.containsKey("jobFinishedAfterSeconds")
              ? String.format(
                  Locale.ROOT,
                  "job finished (every session and view ended) after %.1fs",
                  (Double) d.get("jobFinishedAfterSeconds"))
              : String.format(
                  Locale.ROOT,
                  "minute facts caught up after %.1fs",
                  (Double) d.get("factsCaughtUpAfterSeconds"));
      List<String> facts = new ArrayList<>();
      fact(facts, d, "minuteFactRequests", "requests in minute facts");
      fact(facts, d, "sessionRows", "sessions");
      fact(facts, d, "sessionMinuteRows", "session minutes");
      fact(facts, d, "learnerSessionRows", "learner sessions");
      fact(facts, d, "viewRows", "views");
      fact(facts, d, "qoeMinuteRows", "QoE minute rows");
      fact(facts, d, "probeMinuteChecks", "checks in probe minutes");
      fact(facts, d, "sloStatusRows", "SLO status rows");
      out.printf(
          Locale.ROOT,
          "  pulse: raw rows complete after %.1fs, %s (%s; %,d late, %,d dead letters)%n",
          (Double) d.get("rawRowsAfterSeconds"),
          until,
          String.join(", ", facts),
          (Long) d.get("lateEvents"),
          (Long) d.get("deadLetters"));
      if (d.get("largestCheckpointBytes") instanceof Long bytes && bytes > 0) {
        out.printf(
            Locale.ROOT,
            "  pulse state: the largest checkpoint held %,.1f MiB (the whole job's state, heap"
                + " backend)%n",
            bytes / (double) (1 << 20));
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
    PhaseResult loader = phase("loader");
    if (loader != null) {
      Map<String, Object> d = loader.details();
      out.printf(
          Locale.ROOT,
          "  loader (the ceiling): %d decoding threads, up to %d INSERTs in flight, %,d raw and %,d"
              + " minute-aggregate INSERTs of up to %,d rows%n",
          (Integer) d.get("decoders"),
          (Integer) d.get("insertsInFlight"),
          (Long) d.get("rawInserts"),
          (Long) d.get("minuteInserts"),
          (Integer) d.get("batchRows"));
    }
    PhaseResult fresh = phase("freshness");
    if (fresh != null) {
      Map<String, Object> d = fresh.details();
      out.printf(
          Locale.ROOT,
          "  freshness at %,.0f requests/s sent: a minute complete through GraphQL p50 %.1fs, p95"
              + " %.1fs, p99 %.1fs, max %.1fs after its last request was sent (%d minute samples of"
              + " %s, services %s; poll resolution %.1fs; checkpoint interval %s, watermark delay"
              + " %s)%n",
          (Double) d.get("sentRate"),
          (Double) d.get("p50Seconds"),
          (Double) d.get("p95Seconds"),
          (Double) d.get("p99Seconds"),
          (Double) d.get("maxSeconds"),
          (Integer) d.get("samples"),
          d.get("tenant"),
          d.get("services"),
          (Double) d.get("pollResolutionSeconds"),
          d.get("checkpointInterval"),
          d.get("watermarkDelay"));
    }
    PhaseResult pages = phase("pages");
    if (pages != null) {
      printPages(out, pages.details(), phase("backfill"));
    }
    PhaseResult memory = phase("memory");
    if (memory != null) {
      Map<String, Object> d = memory.details();
      out.printf(
          Locale.ROOT,
          "  memory: the dedup state holds %,d remembered ids in %,d tables: %,.0f MiB of heap and"
              + " %,.0f MiB of checkpoint per million ids%n",
          (Long) d.get("rememberedIds"),
          (Integer) d.get("buckets"),
          (Double) d.get("heapBytesPerMillionIds") / (1 << 20),
          (Double) d.get("checkpointBytesPerMillionIds") / (1 << 20));
      d.forEach(
          (name, value) -> {
            if (name.startsWith("liveKeys.") && value instanceof Map<?, ?> live) {
              printLiveKeys(out, name.substring("liveKeys.".length()), live);
            }
          });
    }
    out.println();
    for (var e : ratios().entrySet()) {
      out.printf(Locale.ROOT, "%-28s %.2f%n", e.getKey(), e.getValue());
    }
    if (pulse != null && loader != null && loader.steadyRate() > 0) {
      double ratio = pulse.steadyRate() / loader.steadyRate();
      out.printf(
          Locale.ROOT,
          "Pulse target: >= %.2fx the loader (%,.0f events/s in this run): %s%n",
          TARGET_RATIO,
          TARGET_RATIO * loader.steadyRate(),
          ratio >= TARGET_RATIO ? "met" : "not met");
    }
  }

  @SuppressWarnings("unchecked")
  /** One domain's live keys: heap, then checkpoint bytes by operator, per thousand keys. */
  private static void printLiveKeys(PrintWriter out, String domain, Map<?, ?> live) {
    Map<?, ?> checkpoint = (Map<?, ?>) live.get("checkpointBytesPerThousandKeys");
    out.printf(
        Locale.ROOT,
        "  live keys, %s job: per thousand of %s (%s; %,d keys): %,.0f KiB of heap,"
            + " %,.0f KiB of checkpoint%n",
        domain,
        live.get("key"),
        live.get("events"),
        ((Number) live.get("keys")).longValue(),
        ((Number) live.get("heapBytesPerThousandKeys")).doubleValue() / 1024,
        checkpoint.values().stream().mapToDouble(v -> ((Number) v).doubleValue()).sum() / 1024);
    checkpoint.forEach(
        (operator, bytes) ->
            out.printf(
                Locale.ROOT,
                "      %,10.0f KiB  %s%n",
                ((Number) bytes).doubleValue() / 1024,
                operator));
  }

  private static void printPages(PrintWriter out, Map<String, Object> d, PhaseResult backfill) {
    Map<String, Object> settings = (Map<String, Object>) d.get("settings");
    if (backfill != null) {
      out.printf(
          Locale.ROOT,
          "  backfill: %d days of history of all four domains, %,d events, by the four jobs"
              + " reading bounded at %,.0f events/s%n",
          (Integer) backfill.details().get("historyDays"),
          backfill.events(),
          backfill.steadyRate());
    }
    out.printf(
        Locale.ROOT,
        "  pages: each page's load through GraphQL over HTTP against the same SQL straight to"
            + " ClickHouse, ms (1 client: %s loads of each, interleaved; %s clients: %s loads"
            + " each); %,d rows%n",
        settings.get("calls"),
        settings.get("clients"),
        settings.get("callsPerClient"),
        (Long) d.get("rows"));
    List<Map<String, Object>> first = (List<Map<String, Object>>) d.get("pages");
    pageTable(out, first, settings.get("clients"));
    List<Map<String, Object>> grown = (List<Map<String, Object>>) d.get("grownPages");
    if (grown != null) {
      out.printf(
          Locale.ROOT,
          "  pages at %s x the data (%,d rows: the history copied into the years before it):%n",
          settings.get("growth"),
          (Long) d.get("grownRows"));
      pageTable(out, grown, settings.get("clients"));
      List<Map<String, Object>> flat = (List<Map<String, Object>>) d.get("flatCost");
      out.printf(
          Locale.ROOT,
          "  %-12s %21s %21s %21s   (p50 at %s x the data over p50 at 1 x; target <= 1.20)%n",
          "flat cost",
          "GraphQL",
          "direct",
          "direct, side by side",
          settings.get("growth"));
      for (int i = 0; i < first.size(); i++) {
        Map<String, Object> f = flat.get(i);
        double a = (Double) f.get("p50Ms");
        double b = (Double) f.get("grownP50Ms");
        out.printf(
            Locale.ROOT,
            "  %-12s %21s %21s %6.1f -> %6.1f %5.2f%n",
            first.get(i).get("page"),
            growth(first.get(i), grown.get(i), "oneClientGraphql"),
            growth(first.get(i), grown.get(i), "oneClientDirect"),
            a,
            b,
            b / Math.max(1e-9, a));
      }
      out.println(
          "  (GraphQL and direct: each size's own run, minutes apart; side by side: both sizes' SQL"
              + " interleaved, the figure to judge by)");
      List<?> changed = (List<?>) d.get("answersChangedByGrowth");
      out.println(
          "  answers changed by the growth: "
              + (changed.isEmpty() ? "none" : String.join(", ", (List<String>) changed)));
    }
  }

  @SuppressWarnings("unchecked")
  private static void pageTable(PrintWriter out, List<Map<String, Object>> rows, Object clients) {
    out.printf(
        Locale.ROOT,
        "  %-12s %4s | %-31s %6s | %-45s %6s%n",
        "page",
        "SQL",
        "1 client: GraphQL / direct",
        "p99 x",
        clients + " clients: GraphQL / direct",
        "p99 x");
    for (Map<String, Object> r : rows) {
      Map<String, Object> g1 = (Map<String, Object>) r.get("oneClientGraphql");
      Map<String, Object> d1 = (Map<String, Object>) r.get("oneClientDirect");
      Map<String, Object> gn = (Map<String, Object>) r.get("manyClientsGraphql");
      Map<String, Object> dn = (Map<String, Object>) r.get("manyClientsDirect");
      out.printf(
          Locale.ROOT,
          "  %-12s %4d | %6.1f %6.1f / %6.1f %6.1f  %5.2f | %6.1f %6.1f %5.0f/s / %6.1f %6.1f"
              + " %5.0f/s %5.2f%n",
          r.get("page"),
          (Integer) r.get("sqlStatements"),
          (Double) g1.get("p50Ms"),
          (Double) g1.get("p99Ms"),
          (Double) d1.get("p50Ms"),
          (Double) d1.get("p99Ms"),
          (Double) g1.get("p99Ms") / Math.max(1e-9, (Double) d1.get("p99Ms")),
          (Double) gn.get("p50Ms"),
          (Double) gn.get("p99Ms"),
          (Double) gn.get("perSecond"),
          (Double) dn.get("p50Ms"),
          (Double) dn.get("p99Ms"),
          (Double) dn.get("perSecond"),
          (Double) gn.get("p99Ms") / Math.max(1e-9, (Double) dn.get("p99Ms")));
    }
    out.println(
        "  (each: p50 p99 ms [calls/s]; p99 x: GraphQL p99 over direct p99, target <= 1.30)");
  }

  @SuppressWarnings("unchecked")
  private static String growth(Map<String, Object> first, Map<String, Object> grown, String key) {
    double a = (Double) ((Map<String, Object>) first.get(key)).get("p50Ms");
    double b = (Double) ((Map<String, Object>) grown.get(key)).get("p50Ms");
    return String.format(Locale.ROOT, "%6.1f -> %6.1f %5.2f", a, b, b / Math.max(1e-9, a));
  }

  /** A figure per event, or "-" for a phase that moves no events (the pages phase). */
  private static String perEvent(PhaseResult p, String format, Object value) {
    return p.events() == 0 ? "-" : String.format(Locale.ROOT, format, value);
  }

  private static void fact(List<String> facts, Map<String, Object> d, String key, String what) {
    if (d.get(key) instanceof Long n) {
      facts.add(String.format(Locale.ROOT, "%,d %s", n, what));
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
            "Pulse / " + (ceiling.equals("consumer") ? "bare consumer" : "loader") + ":",
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
    root.put("targetRatioOverLoader", TARGET_RATIO);
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
