package dev.pulse.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.simulator.FaultReport;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Simulator traffic written to a real Kafka topic (as the {@code pulse.api.requests} contract's
 * records, keyed so Kafka's default partitioner spreads them), together with the simulator's own
 * account of what it sent: the records in delivery order and the fault report. Shared by the
 * integration tests that run the API metrics job from Kafka into ClickHouse.
 */
public record SimulatedApiTopic(String topic, List<SimulatedRecord> delivered, FaultReport report) {

  /**
   * Writes the whole simulation of {@code sim} to {@code topic} and waits until the broker has it.
   */
  public static SimulatedApiTopic write(TestKafka kafka, String topic, SimulationConfig sim) {
    List<SimulatedRecord> delivered = new ArrayList<>();
    Simulator.RecordStream stream = new Simulator(sim).records();
    stream.forEachRemaining(delivered::add);
    return write(kafka, topic, delivered, stream.report());
  }

  /**
   * Writes {@code records} (a simulation's output, possibly with records of the test's own) to
   * {@code topic} in this order and waits until the broker has them.
   */
  public static SimulatedApiTopic write(
      TestKafka kafka, String topic, List<SimulatedRecord> records, FaultReport report) {
    return write(kafka, topic, records, report, new Properties());
  }

  /**
   * As {@link #write(TestKafka, String, List, FaultReport)}, with {@code producerOverrides} over
   * the simulator's producer settings (e.g. no compression, so the topic's size on the broker is
   * the records' own).
   */
  public static SimulatedApiTopic write(
      TestKafka kafka,
      String topic,
      List<SimulatedRecord> records,
      FaultReport report,
      Properties producerOverrides) {
    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            kafka.bootstrapServers(),
            producerOverrides,
            name -> name.equals(Topics.API_REQUESTS.name()) ? topic : name)) {
      for (SimulatedRecord r : records) {
        writer.send(r);
      }
      writer.flush();
      assertThat(writer.failedSends()).as("records the broker refused").isZero();
    }
    return new SimulatedApiTopic(topic, List.copyOf(records), report);
  }

  /**
   * Every delivered Kafka value in delivery order, malformed and duplicates included: what the
   * oracle reads ({@code ApiOracle.ofRecords}) and judges by its own rules.
   */
  public List<byte[]> values() {
    return delivered.stream().map(SimulatedRecord::value).toList();
  }

  /** Valid events in delivery order, duplicates included (the oracle counts the first copy). */
  public List<ApiRequestEvent> validDeliveries() {
    List<ApiRequestEvent> events = new ArrayList<>();
    for (SimulatedRecord r : delivered) {
      if (r.isValid()) {
        events.add((ApiRequestEvent) r.event());
      }
    }
    return events;
  }

  /**
   * The job's settings for reading this topic bounded (to the offsets that are the latest at its
   * start) at parallelism 2 into the test's ClickHouse database, dead letters to {@code
   * deadLetterTopic}. Mutable, so a test adds what it varies (checkpoint interval, batching).
   */
  public Map<String, String> jobSettings(
      TestKafka kafka, TestClickHouse ch, String deadLetterTopic) {
    return jobSettings(kafka, ch, topic, deadLetterTopic);
  }

  /** {@link #jobSettings(TestKafka, TestClickHouse, String)} for any topic of {@code kafka}. */
  public static Map<String, String> jobSettings(
      TestKafka kafka, TestClickHouse ch, String topic, String deadLetterTopic) {
    Map<String, String> settings = new HashMap<>();
    settings.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
    settings.put(KafkaSettings.GROUP_ID.key(), "group-" + topic);
    settings.put(KafkaSettings.TOPIC.key(), topic);
    settings.put(KafkaSettings.DEAD_LETTER_TOPIC.key(), deadLetterTopic);
    settings.put(KafkaSettings.BOUNDED.key(), "true");
    settings.put(ClickHouseSettings.URL.key(), ch.httpUrl());
    settings.put(ClickHouseSettings.USER.key(), ch.user());
    settings.put(ClickHouseSettings.PASSWORD.key(), ch.password());
    settings.put(ClickHouseSettings.DATABASE.key(), ch.database());
    settings.put(ApiMetricsConfig.PARALLELISM.key(), "2");
    return settings;
  }

  /** Every record of {@code topic}, from its beginning to its end offsets now (within 30 s). */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(TestKafka kafka, String topic) {
    return readAll(kafka, topic, "read_uncommitted");
  }

  /**
   * As {@link #readAll(TestKafka, String)} with {@code isolation} ({@code read_committed}: only
   * records of committed transactions, up to the last stable offset).
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(
      TestKafka kafka, String topic, String isolation) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    Properties properties = kafka.consumerProperties("reader-" + topic);
    properties.put("isolation.level", isolation);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertThat(System.nanoTime())
            .as("read %s to its end within 30 s", topic)
            .isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
