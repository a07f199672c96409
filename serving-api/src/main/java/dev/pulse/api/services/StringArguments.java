package dev.pulse.api.services;

/**
 * The rule every string argument (service, endpoint, method, region) meets before it reaches SQL:
 * at most {@code pulse.limits.max-argument-length} characters (a longer one could only match
 * nothing, slowly). Checked in the compact constructors of the argument records ({@link
 * SeriesQuery}, {@link UpdatesQuery}), which Spring for GraphQL calls when it binds
 * {@code @Arguments}; a constructor cannot be handed configuration, so the limit is process-wide
 * and set once at startup from the configuration ({@link ServiceMetricsController}).
 */
final class StringArguments {

  /**
   * {@code pulse.limits.max-argument-length}'s default, in force until the configuration is read.
   */
  static final int DEFAULT_MAX_LENGTH = 256;

  private static volatile int maxLength = DEFAULT_MAX_LENGTH;

  private StringArguments() {}

  static void limitLength(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max-argument-length must be positive: " + max);
    }
    maxLength = max;
  }

  /**
   * {@code value} (null when the argument was omitted) if it meets the rules, else an {@link
   * InvalidArgumentException} naming {@code argument} and saying what to change.
   */
  static String check(String argument, String value) {
    int max = maxLength;
    if (value != null && value.length() > max) {
      throw new InvalidArgumentException(
          argument + " is " + value.length() + " characters long, more than the limit of " + max);
    }
    return value;
  }
}
