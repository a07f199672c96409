package dev.pulse.events.topics;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Every Kafka topic Pulse reads, one immutable constant each, and how to create them. */
public final class Topics {

  /**
   * Live-classroom events, keyed by session so a session's events keep their order. 3 partitions:
   * adding partitions later moves keys, and a session split across two partitions loses its order.
   * 7 days: a school week, to recompute engagement after a fix to the job.
   */
  public static final Topic<ClassroomEvent> CLASSROOM =
      new Topic<>(
          "pulse.classroom.events",
          ClassroomEvent.class,
          ClassroomEvent.getClassSchema(),
          "session_id",
          ClassroomEvent::getSessionId,
          "pulse.classroom.events.dlq",
          input(3, Duration.ofDays(7)),
          deadLetters());

  /**
   * Video player events, keyed by view so a view's events keep their order. 3 partitions: adding
   * partitions later moves keys, and a view split across two partitions loses its order. 7 days: a
   * school week, to recompute QoE after a fix to the job.
   */
  public static final Topic<PlaybackEvent> PLAYBACK =
      new Topic<>(
          "pulse.playback.events",
          PlaybackEvent.class,
          PlaybackEvent.getClassSchema(),
          "view_id",
          PlaybackEvent::getViewId,
          "pulse.playback.events.dlq",
          input(3, Duration.ofDays(7)),
          deadLetters());

  /**
   * API request logs, keyed by event id: spreads load evenly, and a retried duplicate lands in its
   * original's partition. 6 partitions: the busiest topic, and adding partitions later would send a
   * retry to another partition than its original, past deduplication. 3 days: the largest volume,
   * kept long enough to replay after a job outage over a weekend.
   */
  public static final Topic<ApiRequestEvent> API_REQUESTS =
      new Topic<>(
          "pulse.api.requests",
          ApiRequestEvent.class,
          ApiRequestEvent.getClassSchema(),
          "event_id",
          ApiRequestEvent::getEventId,
          "pulse.api.requests.dlq",
          input(6, Duration.ofDays(3)),
          deadLetters());

  /**
   * Synthetic uptime probe results, keyed by target. 1 partition: a few results a minute, all in
   * one order. 7 days: at a few results a minute, a week costs nothing to keep.
   */
  public static final Topic<ProbeResult> PROBES =
      new Topic<>(
          "pulse.probe.results",
          ProbeResult.class,
          ProbeResult.getClassSchema(),
          "target",
          ProbeResult::getTarget,
          "pulse.probe.results.dlq",
          input(1, Duration.ofDays(7)),
          deadLetters());

  /** All input topics, in a fixed order. */
  public static final List<Topic<?>> ALL = List.of(CLASSROOM, PLAYBACK, API_REQUESTS, PROBES);

  private Topics() {}

  /** An input topic: events kept for {@code retention}, then deleted. */
  private static TopicCreation input(int partitions, Duration retention) {
    return TopicCreation.of(partitions)
        // Events, not a changelog: compaction would keep only the latest event of each key.
        .with(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)
        .with(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()))
        // 1 MiB, the producers' default max.request.size: far above the 64 KiB event limit, so an
        // oversized event reaches the consumer (and its dead-letter topic) instead of failing.
        .with(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(1024 * 1024));
  }

  /** A dead-letter topic: the rare records a consumer refused, kept until someone looks. */
  private static TopicCreation deadLetters() {
    // 1 partition: dead letters are few, and one partition shows them in the order they failed.
    return TopicCreation.of(1)
        // Dead letters have no key, which a compacted topic refuses; each one matters anyway.
        .with(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)
        // 14 days: time to notice, fix the consumer and replay, across a holiday week.
        .with(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(14).toMillis()))
        // The original value (up to the input's 1 MiB) plus the headers saying why and from where.
        .with(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(2 * 1024 * 1024));
  }

  /**
   * Every topic of {@code topics} and its dead-letter topic, in order, each with how its contract
   * creates it.
   */
  public static Map<String, TopicCreation> withDeadLetterTopics(Collection<Topic<?>> topics) {
    Map<String, TopicCreation> all = new LinkedHashMap<>();
    for (Topic<?> topic : topics) {
      all.putAll(topic.withDeadLetterTopic());
    }
    return all;
  }

  /**
   * Creates those of {@code topics} (name to how it is created) that do not exist yet, with the
   * broker's default replication, and returns their names in {@code topics}' order. Existing topics
   * are left as they are, whatever their partitions and configs, and a topic another client creates
   * meanwhile counts as existing; so calling this twice is harmless. It returns once every
   * partition of the created topics has a leader, so they can be used at once.
   *
   * @param partitions when present, the partition count of every topic created, instead of each
   *     one's declared count (a demo or test broker on a laptop)
   * @param timeout how long to wait for the broker in all, so a broker that is not there is
   *     reported in that time
   * @throws IllegalStateException when the broker does not answer in time or refuses a topic; the
   *     message names the topics
   */
  public static List<String> ensure(
      Admin admin, Map<String, TopicCreation> topics, OptionalInt partitions, Duration timeout) {
    return ensure(admin, "", topics, partitions, timeout);
  }

  /**
   * {@link #ensure(Admin, Map, OptionalInt, Duration)} through an Admin client of its own for
   * {@code bootstrapServers}, which the error messages name.
   */
  public static List<String> ensure(
      String bootstrapServers,
      Map<String, TopicCreation> topics,
      OptionalInt partitions,
      Duration timeout) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(p)) {
      return ensure(admin, " at " + bootstrapServers, topics, partitions, timeout);
    }
  }

  private static List<String> ensure(
      Admin admin,
      String where,
      Map<String, TopicCreation> topics,
      OptionalInt partitions,
      Duration timeout) {
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(partitions, "partitions");
    if (partitions.isPresent() && partitions.getAsInt() < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions.getAsInt());
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> created = new ArrayList<>();
    try {
      Set<String> existing =
          admin
              .listTopics(new ListTopicsOptions().timeoutMs(remainingMillis(deadline)))
              .names()
              .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      topics.forEach(
          (name, creation) -> {
            if (!existing.contains(name)) {
              int n = partitions.orElse(creation.partitions());
              missing.add(
                  new NewTopic(name, Optional.of(n), Optional.empty()).configs(creation.configs()));
            }
          });
      if (missing.isEmpty()) {
        return List.of();
      }
      Map<String, KafkaFuture<Void>> results =
          admin
              .createTopics(missing, new CreateTopicsOptions().timeoutMs(remainingMillis(deadline)))
              .values();
      for (NewTopic topic : missing) {
        try {
          results.get(topic.name()).get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
          created.add(topic.name());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "Kafka" + where + " refused to create topic " + topic.name() + ": " + e.getCause(),
                e.getCause());
          }
        }
      }
      awaitLeaders(admin, created, deadline);
      return created;
    } catch (TimeoutException e) {
      throw notAnswered(where, topics, timeout, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw notAnswered(where, topics, timeout, e.getCause());
      }
      throw new IllegalStateException(
          "could not list the topics of Kafka" + where + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + topics.keySet(), e);
    }
  }

  private static IllegalStateException notAnswered(
      String where, Map<String, TopicCreation> topics, Duration timeout, Throwable cause) {
    return new IllegalStateException(
        "no Kafka broker answered"
            + where
            + " within "
            + (timeout.toMillis() % 1000 == 0
                ? timeout.toSeconds() + " s"
                : timeout.toMillis() + " ms")
            + " while creating topics "
            + topics.keySet(),
        cause);
  }

  /**
   * Waits until every partition of the {@code created} topics has a leader: the controller answers
   * a creation before every broker's metadata knows the topic, and a describe or a fetch right
   * after it would fail with UnknownTopicOrPartition.
   */
  private static void awaitLeaders(Admin admin, List<String> created, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    while (!created.isEmpty()) {
      try {
        Map<String, TopicDescription> described =
            admin
                .describeTopics(created)
                .allTopicNames()
                .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        if (described.values().stream()
            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null))) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("topics " + created + " created but without leaders");
      }
      Thread.sleep(50);
    }
  }

  /** Milliseconds left until {@code deadline} (a {@link System#nanoTime} value), at least 1. */
  private static int remainingMillis(long deadline) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
  }
}
