package dev.pulse.flink.api;

import static dev.pulse.flink.testing.ApiEvents.CODEC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.HttpMethod;
import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.LateApiRequest;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.testing.ApiEvents;
import dev.pulse.flink.testing.CollectingSink;
import dev.pulse.flink.testing.MinuteFactSums;
import dev.pulse.oracle.ApiKey;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.ApiStats;
import dev.pulse.oracle.Grain;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestKafka;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Event time is tracked per Kafka partition: one source subtask (parallelism 1) reads a topic whose
 * two partitions both hold minutes 0-9, each partition in event-time order. The Kafka consumer
 * hands the subtask one partition's fetched records before the other's, so a watermark over the
 * subtask's interleaved stream would run up to minute 9 on the first partition and drop the second
 * partition's on-time minutes as late. With a watermark per partition (the minimum over partitions
 * moves the windows) nothing is late and every minute equals the oracle's recount.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class PerPartitionWatermarksIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(1)
              .build());

  private static final Instant START = ApiEvents.START;
  private static final int MINUTES = 10;

  /**
   * Events per partition and minute: every 2 s, 300 per partition, fewer than one consumer poll.
   */
  private static final int PER_MINUTE = 30;

  private static final List<ApiRequestEvent> sent = new ArrayList<>();
  private static ApiMetricsConfig config;
  private static List<ApiMinuteFact> facts;
  private static List<LateApiRequest> late;

  @BeforeAll
  static void runTheJobOverTwoPartitionsAtTheSameEventTimes(TestKafka kafka) throws Exception {
    String topic = kafka.topic("api-requests"); // KafkaExtension.DEFAULT_PARTITIONS = 2
    assertThat(KafkaExtension.DEFAULT_PARTITIONS).isEqualTo(2);
    long n = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
      // All of partition 0 first, then all of partition 1: each partition in event-time order.
      for (int partition = 0; partition < 2; partition++) {
        for (int m = 0; m < MINUTES; m++) {
          for (int k = 0; k < PER_MINUTE; k++) {
            Instant time = START.plusSeconds(60L * m + 2L * k).plusMillis(partition);
            ApiRequestEvent e = event(n++, time, partition);
            sent.add(e);
            producer.send(
                new ProducerRecord<>(topic, partition, time.toEpochMilli(), null, CODEC.encode(e)));
          }
        }
      }
      producer.flush();
    }

    config =
        ApiMetricsConfig.fromMap(
            Map.of(
                KafkaSettings.BOOTSTRAP_SERVERS.key(),
                kafka.bootstrapServers(),
                KafkaSettings.GROUP_ID.key(),
                "group-" + topic,
                KafkaSettings.TOPIC.key(),
                topic,
                KafkaSettings.BOUNDED.key(),
                "true",
                ApiMetricsConfig.PARALLELISM.key(),
                "1"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    ApiMetricsStreams out =
        ApiMetricsJob.build(ApiMetricsJob.readKafka(env, config), config.semantics());
    out.minuteFacts().sinkTo(new CollectingSink<>("partitions-facts"));
    out.lateEvents().sinkTo(new CollectingSink<>("partitions-late"));
    env.executeAsync("per-partition-watermarks-it")
        .getJobExecutionResult()
        .get(90, TimeUnit.SECONDS);
    facts = CollectingSink.results("partitions-facts");
    late = CollectingSink.results("partitions-late");
  }

  @Test
  void noEventOfTheSlowerPartitionIsReportedLate() {
    assertThat(late).as("late events (none is late within its own partition)").isEmpty();
  }

  @Test
  void everyMinuteOfBothPartitionsEqualsTheOraclesRecount() {
    ApiOracle oracle =
        ApiOracle.ofRecords(sent.stream().map(CODEC::encode).toList(), Instant.now());
    Map<ApiKey, MinuteFactSums> actual =
        MinuteFactSums.of(facts, config.semantics().latencyThresholdsUs().size());

    assertThat(oracle.stats(Grain.MINUTE)).hasSize(2 * MINUTES); // 2 endpoints x 10 minutes
    assertThat(actual.keySet()).isEqualTo(oracle.stats(Grain.MINUTE).keySet());
    for (var entry : oracle.stats(Grain.MINUTE).entrySet()) {
      ApiStats want = entry.getValue();
      MinuteFactSums got = actual.get(entry.getKey());
      String at = entry.getKey().toString();
      assertThat(got.requests)
          .as("requests " + at)
          .isEqualTo(want.requests())
          .isEqualTo(PER_MINUTE);
      assertThat(got.errors5xx).as("5xx " + at).isEqualTo(want.status5xx());
      assertThat(got.errors4xx).as("4xx " + at).isEqualTo(want.status4xx());
      assertThat(got.latencySumUs)
          .as("latency sum " + at)
          .isEqualTo(Arrays.stream(want.latenciesUs()).sum());
    }
  }

  /**
   * Partition p's events are on endpoint /p{p}, so each minute key holds one partition's events.
   */
  private static ApiRequestEvent event(long n, Instant time, int partition) {
    return ApiRequestEvent.newBuilder(
            ApiEvents.event(n, time, "/p" + partition, n % 10 == 0 ? 503 : 200, 1_000 + n))
        .setMethod(HttpMethod.GET)
        .build();
  }
}
