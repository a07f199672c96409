package dev.pulse.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ceiling of reading: a bare Kafka consumer drains the preloaded records as byte arrays in a
 * poll loop, touching each value but decoding nothing.
 */
final class ConsumerPhase {

  private ConsumerPhase() {}

  /**
   * Consumer settings for draining a topic fast: large fetches that wait for at least 1 MiB, many
   * records per poll, no offset commits (a benchmark group is never resumed).
   */
  static Properties consumerProperties(String bootstrap, String groupId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, String.valueOf(1 << 20));
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 << 20));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 << 20));
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20000");
    p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, String.valueOf(4 << 20));
    return p;
  }

  /**
   * A consumer in a fresh group {@code groupId}, subscribed to the preloaded topic; each assigned
   * partition starts at the preload's first offset (on a fresh topic, that is the earliest).
   */
  static KafkaConsumer<byte[], byte[]> subscribe(
      String bootstrap, String groupId, Preload.Loaded input) {
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerProperties(bootstrap, groupId),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(
        List.copyOf(input.topics().values()),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> consumer.seek(tp, input.startOffsets().get(tp)));
          }

          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
        });
    return consumer;
  }

  static PhaseResult run(
      String bootstrap,
      String groupId,
      Preload.Loaded input,
      long events,
      Duration progressEvery,
      PrintWriter progress) {
    ProgressWatch watch =
        new ProgressWatch(
            "consumer",
            events,
            ProgressWatch.timeoutFor(events),
            Duration.ofSeconds(60),
            progressEvery,
            progress);
    ResourceMeter meter = ResourceMeter.start(OptionalLong.empty());
    long count = 0;
    long bytes = 0;
    long polls = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = subscribe(bootstrap, groupId, input)) {
      while (!watch.update(count)) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        polls++;
        for (TopicPartition tp : records.partitions()) {
          long end = input.endOffsets().get(tp);
          for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
            // Records after the preload (another producer) are not the benchmark's: they are not
            // counted.
            if (r.offset() < end) {
              bytes += r.value().length;
              count++;
            }
          }
        }
      }
    }
    ResourceMeter.Usage usage = meter.stop();
    Map<String, Object> details = new HashMap<>();
    details.put("valueBytes", bytes);
    details.put("polls", polls);
    return watch.result(count, usage, details);
  }
}
