package dev.pulse.bench;

import dev.pulse.events.topics.TopicCreation;
import dev.pulse.events.topics.Topics;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Writes the benchmark's input: N simulated events (no faults, as fast as the broker takes them),
 * each domain's into a topic of its own, and remembers what the phases need to know about them: the
 * offset range they occupy, and how many fall in each event-time minute (to tell when Pulse's
 * minute facts have caught up).
 */
final class Preload {

  /**
   * The preloaded records.
   *
   * @param topics per domain preloaded, the topic written (one for a single-domain traffic)
   * @param startOffsets per partition, the first offset of the preload (later phases start here)
   * @param endOffsets per partition, the offset after the preload's last record
   * @param perDomain events written per domain
   * @param perMinute events per UTC event-time minute (epoch minute -> count)
   * @param maxEventTimeMs the latest event time written
   * @param result the preload as a phase: its count, time and rate
   */
  record Loaded(
      Map<Domain, String> topics,
      Map<TopicPartition, Long> startOffsets,
      Map<TopicPartition, Long> endOffsets,
      Map<Domain, Long> perDomain,
      TreeMap<Long, Long> perMinute,
      long maxEventTimeMs,
      PhaseResult result) {

    /** The topic of a single-domain preload. */
    String topic() {
      return topics.values().iterator().next();
    }

    /** The partitions holding the preload. */
    List<TopicPartition> partitions() {
      return List.copyOf(startOffsets.keySet());
    }

    /** Records written, from the offsets. */
    long records() {
      long n = 0;
      for (var e : endOffsets.entrySet()) {
        n += e.getValue() - startOffsets.get(e.getKey());
      }
      return n;
    }

    /**
     * Events in the minutes a job with this watermark lag must close once it has read everything: a
     * minute closes when the watermark (the latest event time minus {@code outOfOrderness}) passes
     * its end. One second of slack covers partitions whose latest events differ slightly.
     */
    long inClosableMinutes(Duration outOfOrderness) {
      long limit = maxEventTimeMs - outOfOrderness.toMillis() - 1_000;
      long n = 0;
      for (var e : perMinute.entrySet()) {
        if ((e.getKey() + 1) * 60_000 <= limit) {
          n += e.getValue();
        }
      }
      return n;
    }
  }

  private Preload() {}

  /**
   * The dead-letter topic Pulse's job is given for the bench topic (created with it, so no dead
   * letter fails to send).
   */
  static String deadLetterTopic(String topic) {
    return topic + ".dlq";
  }

  /**
   * Creates each domain's topic of {@code topics} (and its dead-letter topic) when missing, writes
   * the events of {@code simulation} into them, and checks that the topics grew by exactly their
   * number.
   */
  static Loaded run(
      String bootstrap,
      Map<Domain, String> topics,
      int partitions,
      SimulationConfig simulation,
      Duration progressEvery,
      PrintWriter progress) {
    createTopics(bootstrap, topics, partitions);
    // A simulation bounded by its duration only has no count known in advance.
    long target = simulation.maxEvents() > 0 ? simulation.maxEvents() : ProgressWatch.UNKNOWN;
    Map<TopicPartition, Long> start = endOffsets(bootstrap, topics.values());
    Map<String, String> renamed = new HashMap<>();
    topics.forEach((domain, topic) -> renamed.put(domain.topic().name(), topic));
    Map<Domain, Long> perDomain = new EnumMap<>(Domain.class);
    TreeMap<Long, Long> perMinute = new TreeMap<>();
    long maxEventTime = Long.MIN_VALUE;
    ProgressWatch watch =
        new ProgressWatch(
            "preload",
            target,
            target == ProgressWatch.UNKNOWN
                ? Duration.ofHours(2)
                : ProgressWatch.timeoutFor(target),
            Duration.ofSeconds(60),
            progressEvery,
            progress);
    ResourceMeter meter = ResourceMeter.start(OptionalLong.empty());
    long sent = 0;
    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            bootstrap, new Properties(), name -> renamed.getOrDefault(name, name))) {
      Simulator.RecordStream records = new Simulator(simulation).records();
      while (records.hasNext()) {
        SimulatedRecord r = records.next();
        writer.send(r);
        perDomain.merge(Domain.ofTopic(r.topic()), 1L, Long::sum);
        long t = r.eventTime().toEpochMilli();
        perMinute.merge(Math.floorDiv(t, 60_000L), 1L, Long::sum);
        maxEventTime = Math.max(maxEventTime, t);
        sent++;
        if ((sent & 4095) == 0) {
          watch.update(sent);
        }
      }
      writer.flush();
      watch.update(sent);
    }
    ResourceMeter.Usage usage = meter.stop();
    Map<TopicPartition, Long> end = endOffsets(bootstrap, topics.values());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("partitions", end.size());
    details.put("eventTimeMinutes", perMinute.size());
    perDomain.forEach((domain, n) -> details.put(domain.cliName() + "Events", n));
    PhaseResult result = watch.result(sent, usage, details);
    Loaded loaded = new Loaded(topics, start, end, perDomain, perMinute, maxEventTime, result);
    if ((target != ProgressWatch.UNKNOWN && sent != target) || loaded.records() != sent) {
      throw new BenchException(
          String.format(
              Locale.ROOT,
              "preload wrote %,d events but topics %s grew by %,d records (expected %,d): is another producer writing to them?",
              sent,
              topics.values(),
              loaded.records(),
              target == ProgressWatch.UNKNOWN ? sent : target));
    }
    return loaded;
  }

  /** Deletes the bench's topics from an external cluster, so repeated runs leave nothing behind. */
  static void deleteTopics(String bootstrap, Collection<String> topics) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    List<String> all = new ArrayList<>();
    topics.forEach(
        topic -> {
          all.add(topic);
          all.add(deadLetterTopic(topic));
        });
    try (Admin admin = Admin.create(p)) {
      admin.deleteTopics(all).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new BenchException("could not delete topics " + all + " on " + bootstrap + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while deleting topics", e);
    }
  }

  /**
   * Creates each topic and its dead-letter topic when missing, as its domain's contract declares
   * them but with {@code partitions} partitions.
   */
  static void createTopics(String bootstrap, Map<Domain, String> topics, int partitions) {
    Map<String, TopicCreation> creations = new LinkedHashMap<>();
    topics.forEach(
        (domain, topic) -> {
          creations.put(topic, domain.topic().creation());
          creations.put(deadLetterTopic(topic), domain.topic().deadLetterCreation());
        });
    Topics.ensure(bootstrap, creations, OptionalInt.of(partitions), Duration.ofSeconds(30));
  }

  /** Per partition (by topic, in partition order), the offset after the topic's last record. */
  private static Map<TopicPartition, Long> endOffsets(String bootstrap, Collection<String> topics) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      Map<String, TopicDescription> descriptions =
          admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
      for (String topic : topics) {
        descriptions.get(topic).partitions().stream()
            .sorted(Comparator.comparingInt(TopicPartitionInfo::partition))
            .forEach(
                info ->
                    latest.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest()));
      }
      var offsets = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, Long> ordered = new LinkedHashMap<>();
      latest.keySet().forEach(tp -> ordered.put(tp, offsets.get(tp).offset()));
      return ordered;
    } catch (ExecutionException | TimeoutException e) {
      throw new BenchException(
          "could not read the offsets of " + topics + " on " + bootstrap + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while reading offsets", e);
    }
  }
}
