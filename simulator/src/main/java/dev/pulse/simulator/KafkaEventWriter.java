package dev.pulse.simulator;

import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.TopicCreation;
import dev.pulse.events.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends delivered records to Kafka (one topic per domain, key from the topic's contract, value the
 * record's bytes as they are, malformed or not), at a target rate or as fast as the broker takes
 * them. Any send the broker rejects fails the run: a load generator that silently drops records
 * would make every downstream count wrong.
 */
public final class KafkaEventWriter implements AutoCloseable {

  private final String bootstrapServers;
  private final UnaryOperator<String> topicNames;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Exception> firstError = new AtomicReference<>();

  /** A writer with {@link #producerProperties} for {@code bootstrapServers}. */
  public KafkaEventWriter(String bootstrapServers) {
    this(bootstrapServers, new Properties());
  }

  /** A writer whose producer settings are the defaults overridden by {@code overrides}. */
  public KafkaEventWriter(String bootstrapServers, Properties overrides) {
    this(bootstrapServers, overrides, UnaryOperator.identity());
  }

  /**
   * A writer that sends each topic's records to {@code topicNames.apply(topic name)}: lets tests on
   * a shared broker use their own topics. Production uses the contract's names unchanged.
   */
  public KafkaEventWriter(
      String bootstrapServers, Properties overrides, UnaryOperator<String> topicNames) {
    this.bootstrapServers = bootstrapServers;
    this.topicNames = Objects.requireNonNull(topicNames, "topicNames");
    Properties p = producerProperties(bootstrapServers);
    p.putAll(overrides);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Throughput settings with no loss: acks=all and idempotence (a retry inside the producer never
   * duplicates; the simulator's duplicates are deliberate), lz4 batches of up to 256 KiB lingering
   * 10 ms.
   */
  public static Properties producerProperties(String bootstrapServers) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "pulse-simulator");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    return p;
  }

  /** How long topic creation waits for the broker before saying it is not there. */
  static final Duration BROKER_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Creates those of the four input topics that do not exist yet (under their names for this
   * writer), as their contracts declare them, with {@code partitions} partitions when present;
   * existing topics are left as they are. Dead-letter topics are the consumer's to create.
   */
  public void createMissingTopics(OptionalInt partitions) {
    Map<String, TopicCreation> topics = new LinkedHashMap<>();
    for (Topic<?> t : Topics.ALL) {
      topics.put(topicNames.apply(t.name()), t.creation());
    }
    Topics.ensure(bootstrapServers, topics, partitions, BROKER_TIMEOUT);
  }

  /** Sends one record asynchronously; failures surface in {@link #flush}. */
  public void send(SimulatedRecord r) {
    Exception err = firstError.get();
    if (err != null) {
      throw failure(err);
    }
    producer.send(
        new ProducerRecord<>(
            topicNames.apply(r.topic().name()),
            r.key().getBytes(StandardCharsets.UTF_8),
            r.value()),
        (meta, e) -> {
          if (e != null) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, e);
          }
        });
  }

  /**
   * Sends every remaining record of {@code records}, paced to {@code ratePerSecond} records per
   * second (0 for as fast as possible), then flushes. Returns the number sent.
   *
   * @throws IllegalStateException when the broker rejected any record
   */
  public long writeAll(Simulator.RecordStream records, double ratePerSecond, Progress progress) {
    if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "rate must be >= 0 records/s (0 = unlimited), got " + ratePerSecond);
    }
    long start = System.nanoTime();
    long n = 0;
    while (records.hasNext()) {
      if (ratePerSecond > 0) {
        // Record n is due n/rate s after the start, so the average rate holds across brief stalls.
        long wait = start + (long) (n * 1e9 / ratePerSecond) - System.nanoTime();
        if (wait > 200_000) {
          LockSupport.parkNanos(wait);
        }
      }
      SimulatedRecord r = records.next();
      send(r);
      progress.count(r, records);
      n++;
    }
    flush();
    return n;
  }

  /** Waits until every record sent so far is acknowledged. */
  public void flush() {
    producer.flush();
    Exception err = firstError.get();
    if (err != null) {
      throw failure(err);
    }
  }

  /** Records the broker rejected so far. */
  public long failedSends() {
    return failed.get();
  }

  private IllegalStateException failure(Exception err) {
    return new IllegalStateException(
        failed.get()
            + " record(s) could not be sent to Kafka at "
            + bootstrapServers
            + "; first error: "
            + err,
        err);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }
}
