package dev.pulse.flink.api;

import dev.pulse.flink.common.config.JobConfig;
import dev.pulse.flink.common.config.StreamSemantics;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * What the API metrics computation needs: the shared stream semantics and the latency SLI
 * thresholds it counts requests under.
 *
 * @param stream watermarks, lateness and deduplication
 * @param latencyThresholdsUs latency thresholds (microseconds, strictly ascending) to count
 *     requests under
 */
public record ApiSemantics(StreamSemantics stream, List<Long> latencyThresholdsUs)
    implements Serializable {

  /** 100 ms, 300 ms, 1 s: the latency SLI thresholds. */
  public static final ConfigOption<List<Long>> LATENCY_THRESHOLDS_US =
      ConfigOptions.key("latency-thresholds-us")
          .longType()
          .asList()
          .defaultValues(100_000L, 300_000L, 1_000_000L)
          .withDescription(
              "Latency thresholds in microseconds, strictly ascending, separated by ';': each"
                  + " minute counts the requests at or under each.");

  /** The job's event-time window: one minute (the dedup horizon must cover it). */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  /** The options of this job's semantics beyond {@link StreamSemantics#OPTIONS}. */
  public static final List<ConfigOption<?>> OPTIONS = List.of(LATENCY_THRESHOLDS_US);

  public ApiSemantics {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(latencyThresholdsUs, LATENCY_THRESHOLDS_US.key());
    if (latencyThresholdsUs.isEmpty()) {
      throw new IllegalArgumentException(
          "--" + LATENCY_THRESHOLDS_US.key() + " must list at least one threshold");
    }
    for (int i = 0; i < latencyThresholdsUs.size(); i++) {
      long t = latencyThresholdsUs.get(i);
      if (t <= 0 || (i > 0 && t <= latencyThresholdsUs.get(i - 1))) {
        throw new IllegalArgumentException(
            "--"
                + LATENCY_THRESHOLDS_US.key()
                + " must be positive and strictly ascending, got "
                + latencyThresholdsUs);
      }
    }
    latencyThresholdsUs = List.copyOf(latencyThresholdsUs);
    stream.dedupHorizon(WINDOW); // fails at start when too short
  }

  /** The dedup horizon for the minute window ({@link StreamSemantics#dedupHorizon(Duration)}). */
  public Duration dedupHorizon() {
    return stream.dedupHorizon(WINDOW);
  }

  /** The semantics in {@code config}, defaults for what it does not set. */
  public static ApiSemantics from(ReadableConfig config) {
    return new ApiSemantics(
        StreamSemantics.from(config), JobConfig.get(config, LATENCY_THRESHOLDS_US));
  }
}
