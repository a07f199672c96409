package dev.pulse.simulator;

import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One of the four event domains the simulator can generate, with its topic and command-line name.
 */
public enum Domain {
  API("api", Topics.API_REQUESTS),
  CLASSROOM("classroom", Topics.CLASSROOM),
  PLAYBACK("playback", Topics.PLAYBACK),
  PROBES("probes", Topics.PROBES);

  private final String cliName;
  private final Topic<?> topic;

  Domain(String cliName, Topic<?> topic) {
    this.cliName = cliName;
    this.topic = topic;
  }

  /** The name used on the command line and in progress output. */
  public String cliName() {
    return cliName;
  }

  /** The topic this domain's events go to. */
  public Topic<?> topic() {
    return topic;
  }

  /** The domain whose events go to {@code topic}. */
  public static Domain ofTopic(Topic<?> topic) {
    for (Domain d : values()) {
      if (d.topic.name().equals(topic.name())) {
        return d;
      }
    }
    throw new IllegalArgumentException("no domain writes to topic " + topic.name());
  }

  /** Parses a command-line name; the error lists the valid names. */
  public static Domain parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Domain d : values()) {
      if (d.cliName.equals(n)) {
        return d;
      }
    }
    throw new IllegalArgumentException(
        "unknown domain '" + name + "'; valid domains: " + validNames());
  }

  /** The valid command-line names, comma separated, in declaration order. */
  public static String validNames() {
    return Arrays.stream(values()).map(Domain::cliName).collect(Collectors.joining(", "));
  }
}
