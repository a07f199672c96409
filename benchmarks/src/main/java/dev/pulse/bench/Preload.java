package dev.pulse.bench;

import dev.pulse.events.topics.TopicCreation;
import dev.pulse.events.topics.Topics;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Comparator;
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
 * Writes the benchmark's input: N simulated events of one domain (no faults, as fast as the broker
 * takes them) into one topic, and remembers what the phases need to know about them: the offset
 * range they occupy, and how many fall in each event-time minute (to tell when Pulse's minute facts
 * have caught up).
 */
final class Preload {

  /**
   * The preloaded records.
   *
   * @param topic the topic written
   * @param startOffsets per partition, the first offset of the preload (later phases start here)
   * @param endOffsets per partition, the offset after the preload's last record
   * @param perMinute events per UTC event-time minute (epoch minute -> count)
   * @param maxEventTimeMs the latest event time written
   * @param result the preload as a phase: its count, time and rate
   */
  record Loaded(
      String topic,
      Map<TopicPartition, Long> startOffsets,
      Map<TopicPartition, Long> endOffsets,
      TreeMap<Long, Long> perMinute,
      long maxEventTimeMs,
      PhaseResult result) {

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
   * Creates {@code topic} (and its dead-letter topic) when missing, writes {@code traffic}'s events
   * of {@code simulation}, and checks that the topic grew by exactly their number.
   */
  static Loaded run(
      String bootstrap,
      String topic,
      int partitions,
      Traffic traffic,
      SimulationConfig simulation,
      Duration progressEvery,
      PrintWriter progress) {
    createTopics(bootstrap, topic, partitions, traffic);
    long target = simulation.maxEvents();
    Map<TopicPartition, Long> start = endOffsets(bootstrap, topic);
    TreeMap<Long, Long> perMinute = new TreeMap<>();
    long maxEventTime = Long.MIN_VALUE;
    ProgressWatch watch =
        new ProgressWatch(
            "preload",
            target,
            ProgressWatch.timeoutFor(target),
            Duration.ofSeconds(60),
            progressEvery,
            progress);
    ResourceMeter meter = ResourceMeter.start(OptionalLong.empty());
    long sent = 0;
    String contractTopic = traffic.contract().name();
    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            bootstrap, new Properties(), name -> name.equals(contractTopic) ? topic : name)) {
      Simulator.RecordStream records = new Simulator(simulation).records();
      while (records.hasNext()) {
        SimulatedRecord r = records.next();
        writer.send(r);
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
    Map<TopicPartition, Long> end = endOffsets(bootstrap, topic);
    Map<String, Object> details = new HashMap<>();
    details.put("partitions", end.size());
    details.put("eventTimeMinutes", perMinute.size());
    PhaseResult result = watch.result(sent, usage, details);
    Loaded loaded = new Loaded(topic, start, end, perMinute, maxEventTime, result);
    if (sent != target || loaded.records() != target) {
      throw new BenchException(
          String.format(
              Locale.ROOT,
              "preload wrote %,d events but topic %s grew by %,d records (expected %,d): is another producer writing to it?",
              sent,
              topic,
              loaded.records(),
              target));
    }
    return loaded;
  }

  /** Deletes the bench's topics from an external cluster, so repeated runs leave nothing behind. */
  static void deleteTopics(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin.deleteTopics(List.of(topic, deadLetterTopic(topic))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new BenchException(
          "could not delete topics " + topic + "[.dlq] on " + bootstrap + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while deleting topics", e);
    }
  }

  /**
   * Creates {@code topic} and its dead-letter topic when missing, as {@code traffic}'s contract
   * declares its topics but with {@code partitions} partitions.
   */
  private static void createTopics(
      String bootstrap, String topic, int partitions, Traffic traffic) {
    Map<String, TopicCreation> topics = new LinkedHashMap<>();
    topics.put(topic, traffic.contract().creation());
    topics.put(deadLetterTopic(topic), traffic.contract().deadLetterCreation());
    Topics.ensure(bootstrap, topics, OptionalInt.of(partitions), Duration.ofSeconds(30));
  }

  /** Per partition (in partition order), the offset after the topic's last record. */
  private static Map<TopicPartition, Long> endOffsets(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      TopicDescription description =
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
      description.partitions().stream()
          .sorted(Comparator.comparingInt(TopicPartitionInfo::partition))
          .forEach(
              info -> latest.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest()));
      var offsets = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, Long> ordered = new LinkedHashMap<>();
      latest.keySet().forEach(tp -> ordered.put(tp, offsets.get(tp).offset()));
      return ordered;
    } catch (ExecutionException | TimeoutException e) {
      throw new BenchException(
          "could not read the offsets of " + topic + " on " + bootstrap + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while reading offsets", e);
    }
  }
}
