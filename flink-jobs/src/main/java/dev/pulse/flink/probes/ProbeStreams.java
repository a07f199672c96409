package dev.pulse.flink.probes;

import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.probes.records.ProbeMinute;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What the probe job computes ({@link ProbeJob#build}).
 *
 * @param rawResults validated, deduplicated probe results (for {@code probe_results_raw})
 * @param minutes additive minute rows per tenant, target and region (for {@code probe_minutes})
 * @param lateResults results later than the allowed lateness, counted nowhere else (for {@code
 *     probe_results_late})
 * @param deadLetters records that failed decoding or validation
 */
public record ProbeStreams(
    DataStream<ProbeCheck> rawResults,
    DataStream<ProbeMinute> minutes,
    DataStream<ProbeCheck> lateResults,
    DataStream<DeadLetter> deadLetters) {}
