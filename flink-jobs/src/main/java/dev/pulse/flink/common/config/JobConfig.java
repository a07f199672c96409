package dev.pulse.flink.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

/**
 * A job's settings as Flink {@link ConfigOption}s: read from {@code flink run} arguments ({@code
 * --key value}, parsed by Flink's {@link ParameterTool}) over the cluster's configuration ({@code
 * -Dkey=value}, {@code config.yaml}), so either way works and arguments win. An unknown key or a
 * key without a value is an error naming the known keys: a typo must not silently fall back to a
 * default.
 */
public final class JobConfig {

  private JobConfig() {}

  /**
   * The {@code --key value} arguments over {@code cluster}, as one configuration of the {@code
   * known} options.
   */
  public static Configuration of(
      List<ConfigOption<?>> known, ReadableConfig cluster, String... args) {
    Configuration merged = new Configuration();
    for (ConfigOption<?> option : known) {
      copy(option, cluster, merged);
    }
    Map<String, String> given;
    try {
      given = ParameterTool.fromArgs(args).toMap();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " Settings are given as --key value.", e);
    }
    merged.addAll(fromMap(known, given));
    return merged;
  }

  /** A map of settings keyed as on the command line (without {@code --}). */
  public static Configuration fromMap(List<ConfigOption<?>> known, Map<String, String> settings) {
    Set<String> keys = known.stream().map(ConfigOption::key).collect(Collectors.toSet());
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(keys);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown setting(s) " + unknown + "; known settings: " + new TreeSet<>(keys));
    }
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if ("__NO_VALUE_KEY".equals(e.getValue())) {
        throw new IllegalArgumentException("--" + e.getKey() + ": a value is required");
      }
    }
    return Configuration.fromMap(settings);
  }

  /**
   * {@code option}'s value in {@code config}; a value that does not parse fails with the key, the
   * value and Flink's reason.
   */
  public static <T> T get(ReadableConfig config, ConfigOption<T> option) {
    try {
      return config.get(option);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--" + option.key() + ": " + rootMessage(e) + " (" + plain(option) + ")", e);
    }
  }

  /** The settings table of a job's README: key, default, meaning; generated from the options. */
  public static String markdownTable(List<ConfigOption<?>> options) {
    StringBuilder table = new StringBuilder("| setting | default | meaning |\n|---|---|---|\n");
    for (ConfigOption<?> o : options) {
      table
          .append("| `")
          .append(o.key())
          .append("` | ")
          .append(defaultOf(o))
          .append(" | ")
          .append(plain(o).replace("|", "\\|"))
          .append(" |\n");
    }
    return table.toString();
  }

  /** The options of several groups, in order. */
  @SafeVarargs
  public static List<ConfigOption<?>> options(List<ConfigOption<?>>... groups) {
    List<ConfigOption<?>> all = new ArrayList<>();
    Arrays.stream(groups).forEach(all::addAll);
    return List.copyOf(all);
  }

  private static String defaultOf(ConfigOption<?> o) {
    if (!o.hasDefaultValue()) {
      return "(see meaning)";
    }
    String value = render(o.defaultValue());
    return value.isEmpty() ? "(empty)" : "`" + value + "`";
  }

  private static String plain(ConfigOption<?> option) {
    return new HtmlFormatter().format(option.description());
  }

  private static String render(Object value) {
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).collect(Collectors.joining(";"));
    }
    if (value instanceof Duration d) {
      return TimeUtils.formatWithHighestUnit(d);
    }
    return String.valueOf(value);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? e.getMessage() : e.getMessage() + ": " + t.getMessage();
  }

  private static <T> void copy(ConfigOption<T> option, ReadableConfig from, Configuration to) {
    from.getOptional(option).ifPresent(v -> to.set(option, v));
  }
}
