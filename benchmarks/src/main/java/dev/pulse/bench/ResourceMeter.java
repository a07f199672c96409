package dev.pulse.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Measures what one benchmark phase used: the JVM's peak heap (pool peaks, reset at the start), the
 * JVM's CPU time, the ClickHouse server's peak RSS and CPU time (from /proc, when its pid is
 * known), and how busy the machine's cores were.
 */
final class ResourceMeter implements AutoCloseable {

  /**
   * Linux reports process CPU in clock ticks of 1/100 s on every common configuration (getconf
   * CLK_TCK).
   */
  private static final double TICKS_PER_SECOND = 100.0;

  private static final long SAMPLE_MILLIS = 100;

  /**
   * What one phase used.
   *
   * @param peakHeapBytes sum of the heap pools' peak usage since the phase started (an upper bound
   *     of the true peak: pools may peak at different moments)
   * @param sampledPeakHeapBytes highest total heap use seen by sampling every 100 ms
   * @param jvmCpuSeconds CPU time of this JVM during the phase (all threads)
   * @param clickhousePeakRssBytes the ClickHouse server's peak resident set during the phase, or -1
   *     when its process is not known (an external server)
   * @param clickhouseCpuSeconds the ClickHouse server's CPU time during the phase, or -1
   * @param machineBusyFraction share of all cores' time spent busy (not idle or waiting) during the
   *     phase, 0..1, or -1 when /proc/stat is not readable
   * @param otherCpuSeconds CPU time the machine spent on everything but this JVM and the ClickHouse
   *     server (other builds, the OS) during the phase, or -1 when unknown: how disturbed the run
   *     was
   */
  record Usage(
      long peakHeapBytes,
      long sampledPeakHeapBytes,
      double jvmCpuSeconds,
      long clickhousePeakRssBytes,
      double clickhouseCpuSeconds,
      double machineBusyFraction,
      double otherCpuSeconds) {}

  private final OptionalLong clickhousePid;
  private final List<MemoryPoolMXBean> heapPools;
  private final long jvmCpuStartNanos;
  private final long clickhouseTicksStart;
  private final long[] machineStart;
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long sampledPeakHeap;
  private volatile long sampledPeakRss = -1;

  private ResourceMeter(OptionalLong clickhousePid) {
    this.clickhousePid = clickhousePid;
    // What the previous phase left on the heap is not this phase's: collect it before resetting the
    // peaks.
    System.gc();
    this.heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    clickhousePid.ifPresent(ResourceMeter::resetPeakRss);
    this.jvmCpuStartNanos = jvmCpuNanos();
    this.clickhouseTicksStart =
        clickhousePid.isPresent() ? cpuTicks(clickhousePid.getAsLong()) : -1;
    this.machineStart = machineTicks();
    this.sampler = new Thread(this::sample, "pulse-bench-meter");
    sampler.setDaemon(true);
    sampler.start();
  }

  /**
   * Starts measuring now; {@code clickhousePid} is the server's process id when this machine runs
   * it.
   */
  static ResourceMeter start(OptionalLong clickhousePid) {
    return new ResourceMeter(clickhousePid);
  }

  /** Stops measuring and returns what was used since {@link #start}. */
  Usage stop() {
    running = false;
    sampler.interrupt();
    try {
      sampler.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long poolPeaks = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    double jvmCpu = (jvmCpuNanos() - jvmCpuStartNanos) / 1e9;
    long chRss = -1;
    double chCpu = -1;
    if (clickhousePid.isPresent()) {
      long pid = clickhousePid.getAsLong();
      chRss = Math.max(sampledPeakRss, statusKiB(pid, "VmHWM") * 1024);
      long ticks = cpuTicks(pid);
      chCpu =
          ticks < 0 || clickhouseTicksStart < 0
              ? -1
              : (ticks - clickhouseTicksStart) / TICKS_PER_SECOND;
    }
    double busy = -1;
    double others = -1;
    long[] machineEnd = machineTicks();
    if (machineStart != null && machineEnd != null) {
      long total = machineEnd[0] - machineStart[0];
      long idle = machineEnd[1] - machineStart[1];
      busy = total <= 0 ? -1 : (double) (total - idle) / total;
      if (total > 0 && (clickhousePid.isEmpty() || chCpu >= 0)) {
        others = Math.max(0, (total - idle) / TICKS_PER_SECOND - jvmCpu - Math.max(0, chCpu));
      }
    }
    return new Usage(poolPeaks, sampledPeakHeap, jvmCpu, chRss, chCpu, busy, others);
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }

  private void sample() {
    var memory = ManagementFactory.getMemoryMXBean();
    while (running) {
      sampledPeakHeap = Math.max(sampledPeakHeap, memory.getHeapMemoryUsage().getUsed());
      if (clickhousePid.isPresent()) {
        long rss = statusKiB(clickhousePid.getAsLong(), "VmRSS");
        if (rss >= 0) {
          sampledPeakRss = Math.max(sampledPeakRss, rss * 1024);
        }
      }
      try {
        Thread.sleep(SAMPLE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static long jvmCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * Writing 5 to /proc/PID/clear_refs resets the process's peak RSS (VmHWM) to its current RSS, so
   * each phase reads its own peak. Where that is not allowed, the 100 ms VmRSS samples remain.
   */
  private static void resetPeakRss(long pid) {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // not permitted or not Linux: sampling still gives a peak
    }
  }

  /** A {@code kB} field of /proc/PID/status (VmRSS, VmHWM), in KiB, or -1. */
  static long statusKiB(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
          return Long.parseLong(parts[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // process gone or not Linux
    }
    return -1;
  }

  /** utime + stime of a process from /proc/PID/stat, in clock ticks, or -1. */
  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain spaces; the fields after its closing parenthesis are
      // fixed.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** {total, idle + iowait} jiffies over all cores from the first line of /proc/stat, or null. */
  private static long[] machineTicks() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long total = 0;
      // user nice system idle iowait irq softirq steal (guest time is already inside user)
      for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
        total += Long.parseLong(f[i]);
      }
      return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
