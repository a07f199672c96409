package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.topics.TopicCreation;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.testing.ApiEvents;
import dev.pulse.flink.testing.BoundedJobRun;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.local.LocalKafka;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review m9: two runs of the job against two Kafka clusters (the demo starts a fresh broker for
 * every run and keeps ClickHouse) reject records with the same topic, partition and offset; both
 * dead letters stay in {@code dead_letters}, each with its cluster's id, after every merge.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(240)
class DeadLettersOfTwoKafkaClustersIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  @Test
  void deadLettersAtTheSameOffsetOfTwoClustersAreTwoRowsEachWithItsCluster(
      TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster) throws Exception {
    ClickHouse db = ch.migratedDatabase();
    String topic = kafka.topic("two-clusters", 1);
    String deadLetters = kafka.topic("two-clusters-dlq", 1);
    byte[] first = "run one: not an event".getBytes(StandardCharsets.UTF_8);
    byte[] second = "run two: not an event either".getBytes(StandardCharsets.UTF_8);
    Clock clock = Clock.fixed(ApiEvents.t(600), ZoneOffset.UTC);

    send(kafka.bootstrapServers(), topic, first);
    BoundedJobRun.run(cluster, kafka, ch, topic, deadLetters, clock);
    String firstCluster = clusterId(kafka.bootstrapServers());
    String secondCluster;
    try (LocalKafka fresh = LocalKafka.start(1, Map.of())) {
      // The same topic names on the fresh broker, as a new demo run creates them.
      Topics.ensure(
          fresh.bootstrapServers(),
          Map.of(topic, TopicCreation.of(1), deadLetters, TopicCreation.of(1)),
          OptionalInt.empty(),
          Duration.ofSeconds(30));
      send(fresh.bootstrapServers(), topic, second);
      BoundedJobRun.run(cluster, fresh.bootstrapServers(), ch, topic, deadLetters, clock);
      secondCluster = clusterId(fresh.bootstrapServers());
    }
    // Two clusters, the same origin (topic, partition 0, offset 0) for both records.
    assertThat(secondCluster).isNotEqualTo(firstCluster);

    db.execute("OPTIMIZE TABLE dead_letters FINAL");
    assertThat(
            db.queryText(
                "SELECT kafka_cluster_id, source_topic, partition, offset, value_base64"
                    + " FROM dead_letters ORDER BY value_base64 = "
                    + "'"
                    + Base64.getEncoder().encodeToString(second)
                    + "' FORMAT TabSeparated"))
        .isEqualTo(row(firstCluster, topic, first) + row(secondCluster, topic, second));
  }

  private static String row(String clusterId, String topic, byte[] value) {
    return clusterId + "\t" + topic + "\t0\t0\t" + Base64.getEncoder().encodeToString(value) + "\n";
  }

  private static void send(String bootstrapServers, String topic, byte[] value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            p,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, 0, null, value)).get(30, TimeUnit.SECONDS);
    }
  }

  /** The cluster id as the test reads it from the broker itself. */
  private static String clusterId(String bootstrapServers) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(p)) {
      return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
    }
  }
}
