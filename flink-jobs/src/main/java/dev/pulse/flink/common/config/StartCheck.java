package dev.pulse.flink.common.config;

import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Whether a job may start: a start without a savepoint or checkpoint resumes from the consumer
 * group's committed offsets, and everything that was in open windows (or in a checkpoint whose
 * facts were not yet committed) when the earlier run was cancelled would be lost. So such a start
 * is refused unless the operator says the earlier run was stopped with {@code flink stop --drain}
 * (every window fired, the final facts and offsets committed: resuming from the offsets is then
 * lossless). A first start (the group has no committed offsets) needs nothing.
 */
public final class StartCheck {

  private StartCheck() {}

  /** What the operator says about a start without a savepoint. */
  public enum WithoutSavepoint {
    /** Refuse when the group has committed offsets (the default). */
    REFUSE("refuse"),
    /** The earlier run ended with {@code flink stop --drain}: resume from the committed offsets. */
    AFTER_DRAIN("after-drain");

    private final String value;

    WithoutSavepoint(String value) {
      this.value = value;
    }

    /** The value as written in the setting. */
    public String value() {
      return value;
    }

    /**
     * Parses the setting's value exactly (trimmed, case-insensitive); anything else is an error.
     */
    public static WithoutSavepoint parse(String given) {
      if (given != null) {
        String v = given.strip().toLowerCase(Locale.ROOT);
        for (WithoutSavepoint w : values()) {
          if (w.value.equals(v)) {
            return w;
          }
        }
      }
      throw new IllegalArgumentException(
          "--"
              + START_WITHOUT_SAVEPOINT.key()
              + " must be refuse or after-drain, got "
              + quote(given));
    }
  }

  public static final ConfigOption<String> START_WITHOUT_SAVEPOINT =
      ConfigOptions.key("start-without-savepoint")
          .stringType()
          .defaultValue(WithoutSavepoint.REFUSE.value())
          .withDescription(
              "What a start without a savepoint or checkpoint (execution.state-recovery.path) does"
                  + " when the Kafka consumer group already has committed offsets for the topic:"
                  + " refuse (the default: open windows of the earlier run would be lost), or"
                  + " after-drain (the earlier run was stopped with flink stop --drain, so resuming"
                  + " from the committed offsets is lossless). A first start needs neither.");

  /**
   * The decision: null to start, otherwise the message to refuse with.
   *
   * @param restorePath the configured savepoint/checkpoint to restore from, or null/blank
   * @param groupHasOffsets whether the consumer group has committed offsets for the topic
   */
  public static String refusal(
      String restorePath,
      boolean groupHasOffsets,
      WithoutSavepoint setting,
      String groupId,
      String topic) {
    if (restorePath != null && !restorePath.isBlank()) {
      return null;
    }
    if (!groupHasOffsets || setting == WithoutSavepoint.AFTER_DRAIN) {
      return null;
    }
    return "refusing to start without a savepoint: consumer group "
        + quote(groupId)
        + " already has committed offsets for topic "
        + quote(topic)
        + ", so an earlier run existed and its open windows (and possibly its last checkpoint's"
        + " facts) would be lost. Either restore from the savepoint that `flink stop --savepoint"
        + " <job>` wrote (`flink run -s <savepoint> ...`), or, if the earlier run was stopped with"
        + " `flink stop --drain <job>` (every window fired and was committed), start with --"
        + START_WITHOUT_SAVEPOINT.key()
        + " after-drain. To read the topic again from the start, use a new --kafka.group-id"
        + " and an empty ClickHouse database.";
  }

  /**
   * Whether {@code groupId} has committed offsets for any partition of {@code topic}: the sign that
   * an earlier run of the job existed.
   */
  public static boolean groupHasOffsets(String bootstrapServers, String groupId, String topic)
      throws Exception {
    java.util.Properties props = new java.util.Properties();
    props.put(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers);
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(props)) {
      return admin
          .listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata()
          .get(30, java.util.concurrent.TimeUnit.SECONDS)
          .entrySet()
          .stream()
          .anyMatch(e -> e.getKey().topic().equals(topic) && e.getValue() != null);
    }
  }

  private static String quote(String s) {
    if (s == null) {
      return "(none)";
    }
    String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    StringBuilder out = new StringBuilder("'");
    shown
        .codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append('\'').toString();
  }
}
