package dev.pulse.flink.common.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** Range checks of duration settings, failing with the setting's name. */
final class Durations {

  private Durations() {}

  static void notNegative(ConfigOption<Duration> option, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("--" + option.key() + " must not be negative, got " + d);
    }
  }

  static void positive(ConfigOption<Duration> option, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("--" + option.key() + " must be positive, got " + d);
    }
  }
}
