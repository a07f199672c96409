package dev.pulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A stopped broker refuses clients and comes back on the same port with its topics and records. */
@Timeout(120)
class LocalKafkaRestartIT {

  @Test
  void aStoppedBrokerRefusesClientsAndRestartsOnTheSamePortWithItsRecords() throws Exception {
    try (LocalKafka kafka = LocalKafka.start(1, Map.of())) {
      String bootstrap = kafka.bootstrapServers();
      try (Admin admin = Admin.create(adminProperties(bootstrap))) {
        admin
            .createTopics(List.of(new NewTopic("kept", 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      send(bootstrap, "before");

      kafka.stop();
      String[] hostPort = bootstrap.split(":");
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(
                      new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 1_000);
                }
              })
          .as("nothing listens on the stopped broker's port")
          .isInstanceOf(ConnectException.class);
      try (Admin admin = Admin.create(adminProperties(bootstrap))) {
        assertThatThrownBy(() -> admin.describeCluster().nodes().get(3, TimeUnit.SECONDS))
            .as("a metadata call while the broker is down")
            .isNotNull();
      }

      kafka.restart();
      assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
      assertThat(kafka.bytesServed("kept")).as("served since the restart").isZero();
      send(bootstrap, "after");
      assertThat(readAll(bootstrap)).containsExactly("before", "after");
      assertThat(kafka.bytesServed("kept")).as("served since the restart").isPositive();
    }
  }

  private static Properties adminProperties(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    return p;
  }

  private static void send(String bootstrap, String value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>("kept", value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> readAll(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition("kept", 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < 2 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }
}
