package dev.pulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.codec.DecodeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.codec.EventValidator;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The simulator's records must reach a real broker complete, keyed by the topic contracts. */
@ExtendWith(KafkaExtension.class)
class KafkaEventWriterIT {

  private static final int EVENTS = 20_000;

  @Test
  void everyDeliveredRecordArrivesWithItsContractKeyAndTheReportCountsThem(TestKafka kafka) {
    // One test topic per contract topic, so a shared broker's other tests are not disturbed.
    Map<String, String> names = new TreeMap<>();
    for (Topic<?> t : Topics.ALL) {
      names.put(t.name(), kafka.topic(Domain.ofTopic(t).cliName()));
    }
    SimulationConfig config =
        SimulationConfig.defaults()
            .withMaxEvents(EVENTS)
            .withDuration(null)
            .withFaults(new FaultConfig(0.02, 0.02, 0.005, 0.01));
    Simulator.RecordStream records = new Simulator(config).records();
    long sent;
    try (KafkaEventWriter w =
        new KafkaEventWriter(kafka.bootstrapServers(), new Properties(), names::get)) {
      w.createMissingTopics(OptionalInt.of(2));
      sent = w.writeAll(records, 0, Progress.silent());
      assertThat(w.failedSends()).isZero();
    }
    FaultReport report = records.report();
    assertThat(sent).isEqualTo(report.emitted());
    assertThat(report.uniqueValid()).isEqualTo(EVENTS);

    Map<String, Topic<?>> contractOf = new HashMap<>();
    Map<String, EventCodec<?>> codecs = new HashMap<>();
    for (Topic<?> t : Topics.ALL) {
      contractOf.put(names.get(t.name()), t);
      codecs.put(
          names.get(t.name()),
          EventCodec.forTopic(
              t,
              EventValidator.withClock(
                  Clock.fixed(config.start().plus(Duration.ofDays(1)), ZoneOffset.UTC))));
    }
    Map<String, Long> perTopic = new TreeMap<>();
    long valid = 0;
    long undecodable = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProperties("simulator-it"))) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String name : names.values()) {
        consumer
            .partitionsFor(name)
            .forEach(p -> partitions.add(new TopicPartition(name, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long received = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (received < sent && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
          received++;
          perTopic.merge(rec.topic(), 1L, Long::sum);
          String key = new String(rec.key(), StandardCharsets.UTF_8);
          DecodeResult<?> decoded = codecs.get(rec.topic()).decode(rec.value());
          if (decoded.isOk()) {
            valid++;
            assertThat(key).isEqualTo(keyOf(contractOf.get(rec.topic()), decoded.valueOrNull()));
          } else {
            undecodable++;
          }
        }
      }
      // Nothing beyond what was sent.
      assertThat(consumer.poll(Duration.ofMillis(500)).count()).isZero();
      assertThat(received).isEqualTo(report.emitted());
    }
    for (Topic<?> t : Topics.ALL) {
      assertThat(perTopic.getOrDefault(names.get(t.name()), 0L))
          .as(t.name())
          .isEqualTo(report.emitted(t.name()));
    }
    assertThat(undecodable).isEqualTo(report.malformed());
    assertThat(valid).isEqualTo(report.uniqueValid() + report.duplicates());
  }

  @SuppressWarnings("unchecked")
  private static <T extends org.apache.avro.specific.SpecificRecord> String keyOf(
      Topic<T> topic, Object event) {
    return topic.keyOf((T) event);
  }
}
