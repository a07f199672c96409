package dev.pulse.events.topics;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How Kafka creates a topic when it is missing: its partition count and its topic-level configs
 * (the contract's {@code topic_creation_config}, as in getsentry/sentry-kafka-schemas). The
 * replication factor is the broker's default, so one declaration fits a laptop and a cluster.
 *
 * @param partitions partitions of a newly created topic, at least 1
 * @param configs topic-level configs (e.g. {@code retention.ms}); absent keys take the broker's
 *     defaults
 */
public record TopicCreation(int partitions, Map<String, String> configs) {

  public TopicCreation {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    // Sorted, so log lines and test failures list the configs in a stable order.
    configs = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(configs)));
  }

  /** {@code partitions} partitions and the broker's default configs. */
  public static TopicCreation of(int partitions) {
    return new TopicCreation(partitions, Map.of());
  }

  /** This creation with {@code key} set to {@code value}. */
  public TopicCreation with(String key, String value) {
    Map<String, String> c = new TreeMap<>(configs);
    c.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return new TopicCreation(partitions, c);
  }

  /** This creation with another partition count, the configs unchanged. */
  public TopicCreation withPartitions(int partitions) {
    return new TopicCreation(partitions, configs);
  }
}
