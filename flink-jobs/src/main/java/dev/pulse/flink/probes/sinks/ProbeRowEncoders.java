package dev.pulse.flink.probes.sinks;

import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.probes.records.ProbeMinute;
import dev.pulse.flink.sink.RowEncoder;
import dev.pulse.flink.sink.RowOut;

/**
 * How the probe job's records become rows of their tables, column for column as the migrations
 * declare them (0004 {@code probe_results_raw}, 0028 {@code probe_minutes}, 0029 {@code
 * probe_results_late}).
 */
public final class ProbeRowEncoders {

  /**
   * A validated, deduplicated result as a row of {@code probe_results_raw}; the same columns make a
   * row of {@code probe_results_late}.
   */
  public static final RowEncoder<ProbeCheck> RESULT = ProbeRowEncoders::result;

  /** A row of {@code probe_minutes}, without batch_id and inserted_at. */
  public static final RowEncoder<ProbeMinute> MINUTE = ProbeRowEncoders::minute;

  private ProbeRowEncoders() {}

  private static void result(ProbeCheck p, RowOut out) {
    out.string("event_id", p.eventId())
        .string("tenant_id", p.tenantId())
        .dateTime("event_time", seconds(p.timeMs()))
        .uint64("event_time_ms", p.timeMs())
        .string("target", p.target())
        .string("region", p.region())
        .uint8("success", p.success() ? 1 : 0)
        .int64("latency_ms", p.latencyMs())
        .nullableString("error", p.error());
  }

  private static void minute(ProbeMinute m, RowOut out) {
    out.string("tenant_id", m.tenantId())
        .string("target", m.target())
        .string("region", m.region())
        .dateTime("minute", seconds(m.minuteMs()))
        .int64("checks", m.checks())
        .int64("successes", m.successes())
        .int64("latency_ms_sum", m.latencyMsSum());
  }

  /** The DateTime (seconds) containing an epoch-millisecond instant. */
  static long seconds(long epochMillis) {
    return Math.floorDiv(epochMillis, 1000L);
  }

  /** The partition time of a minute row, for the exactly-once sink. */
  public static long minuteSeconds(ProbeMinute m) {
    return seconds(m.minuteMs());
  }
}
