package dev.pulse.api.support;

import dev.pulse.clickhouse.Utf16;
import java.util.Locale;

/**
 * The rules every string argument (service, endpoint, method, region) meets before it reaches SQL:
 * at most {@code pulse.limits.max-argument-length} characters (a longer one could only match
 * nothing, slowly), and valid UTF-16. {@code SqlLiteral.string} refuses an unpaired surrogate (it
 * has no UTF-8 form) with an {@code IllegalArgumentException}, which the API treats as a bug;
 * refusing it here makes it the caller's error, answered BAD_REQUEST. Checked in the compact
 * constructors of the argument records (SeriesQuery, UpdatesQuery, the engagement arguments), which
 * Spring for GraphQL calls when it binds {@code @Arguments}; a constructor cannot be handed
 * configuration, so the limit is process-wide and set once at startup from the configuration.
 */
public final class StringArguments {

  /**
   * {@code pulse.limits.max-argument-length}'s default, in force until the configuration is read.
   */
  public static final int DEFAULT_MAX_LENGTH = 256;

  private static volatile int maxLength = DEFAULT_MAX_LENGTH;

  private StringArguments() {}

  public static void limitLength(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max-argument-length must be positive: " + max);
    }
    maxLength = max;
  }

  /**
   * {@code value} (null when the argument was omitted) if it meets the rules, else an {@link
   * InvalidArgumentException} naming {@code argument} and saying what to change.
   */
  public static String check(String argument, String value) {
    int max = maxLength;
    if (value != null && value.length() > max) {
      throw new InvalidArgumentException(
          argument + " is " + value.length() + " characters long, more than the limit of " + max);
    }
    int at = value == null ? -1 : Utf16.unpairedSurrogateAt(value);
    if (at >= 0) {
      throw new InvalidArgumentException(
          argument
              + " contains an unpaired UTF-16 surrogate (U+"
              + String.format(Locale.ROOT, "%04X", (int) value.charAt(at))
              + " at index "
              + at
              + "): send valid Unicode text");
    }
    return value;
  }
}
