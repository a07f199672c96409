package dev.pulse.flink.common;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.util.TimeUtils;

/**
 * Typed reads of a job's settings ({@code --key value} arguments or a properties map), where every
 * bad value fails fast with the key, the value and what is allowed, and an unknown key is an error
 * (a typo must not silently fall back to a default).
 */
public final class JobSettings {

  /** Marks a flag given without a value. */
  private static final String NO_VALUE = "\u0000(no value)";

  private final Map<String, String> values;

  private JobSettings(Map<String, String> values) {
    this.values = new TreeMap<>(values);
  }

  /**
   * Settings from {@code --key value} or {@code --key=value} command-line arguments. A value may
   * start with a single dash ({@code --allowed-lateness -5s} is read, then rejected as negative,
   * rather than mistaken for a key); {@code --key} followed by another {@code --key} has no value.
   */
  public static JobSettings fromArgs(String... args) {
    Map<String, String> values = new TreeMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new IllegalArgumentException(
            "unexpected argument '" + arg + "': settings are given as --key value or --key=value");
      }
      String key;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 2) {
        key = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        key = arg.substring(2);
        value = args[++i];
      } else {
        key = arg.substring(2);
        value = NO_VALUE;
      }
      if (values.put(key, value) != null) {
        throw new IllegalArgumentException("--" + key + " is given more than once");
      }
    }
    return new JobSettings(values);
  }

  /**
   * Settings from a map (for example loaded properties); keys are as on the command line, without
   * {@code --}.
   */
  public static JobSettings fromMap(Map<String, String> values) {
    return new JobSettings(Objects.requireNonNull(values, "values"));
  }

  /** Fails when a key is not one of {@code known}, naming the known keys. */
  public JobSettings requireOnly(Set<String> known) {
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown setting(s) " + unknown + "; known settings: " + new TreeSet<>(known));
    }
    return this;
  }

  public String string(String key, String defaultValue) {
    String v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    if (v.isBlank()) {
      throw invalid(key, v, "a value is required");
    }
    return v.trim();
  }

  /** A string that may be empty (a password), but must be given a value when the key is present. */
  public String stringAllowEmpty(String key, String defaultValue) {
    String v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    return v;
  }

  /**
   * A duration such as {@code 30s}, {@code 500 ms}, {@code 1h}, {@code 10min} (Flink's syntax; a
   * bare number is milliseconds).
   */
  public Duration duration(String key, Duration defaultValue, boolean zeroAllowed) {
    String v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    String text = v.trim();
    if (text.startsWith("-")) {
      throw invalid(key, v, "a duration must not be negative");
    }
    Duration d;
    try {
      d = TimeUtils.parseDuration(text);
    } catch (RuntimeException e) {
      throw invalid(key, v, "not a duration (examples: 500ms, 2s, 10min, 1h): " + e.getMessage());
    }
    if (d.isZero() && !zeroAllowed) {
      throw invalid(key, v, "must be positive");
    }
    return d;
  }

  /** An int within [min, max]. */
  public int integer(String key, int defaultValue, int min, int max) {
    String v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, v, "not a whole number");
    }
    if (n < min || n > max) {
      throw invalid(key, v, "must be within " + min + ".." + max);
    }
    return n;
  }

  /**
   * {@code true} or {@code false} (any case); anything else is an error rather than a silent false.
   */
  public boolean bool(String key, boolean defaultValue) {
    String v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    String t = v.trim();
    if (t.equalsIgnoreCase("true")) {
      return true;
    }
    if (t.equalsIgnoreCase("false")) {
      return false;
    }
    throw invalid(key, v, "must be true or false");
  }

  /** A non-empty comma-separated list of positive longs, strictly ascending. */
  public List<Long> ascendingPositiveLongs(String key, List<Long> defaultValue) {
    String v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    List<Long> out = new ArrayList<>();
    for (String part : v.split(",", -1)) {
      String p = part.trim();
      if (p.isEmpty()) {
        throw invalid(
            key, v, "expected a comma-separated list of positive numbers, found an empty item");
      }
      long n;
      try {
        n = Long.parseLong(p);
      } catch (NumberFormatException e) {
        throw invalid(key, v, "'" + p + "' is not a whole number");
      }
      if (n <= 0) {
        throw invalid(key, v, "'" + p + "' is not positive");
      }
      if (!out.isEmpty() && n <= out.get(out.size() - 1)) {
        throw invalid(key, v, "values must be strictly ascending");
      }
      out.add(n);
    }
    return List.copyOf(out);
  }

  /** The raw value, null when absent; a flag given without a value is an error here. */
  private String raw(String key) {
    String v = values.get(key);
    if (NO_VALUE.equals(v)) {
      throw new IllegalArgumentException(
          "--" + key + " needs a value: a value is required (--" + key + "= gives an empty one)");
    }
    return v;
  }

  private static IllegalArgumentException invalid(String key, String value, String why) {
    return new IllegalArgumentException("invalid --" + key + " '" + value + "': " + why);
  }
}
