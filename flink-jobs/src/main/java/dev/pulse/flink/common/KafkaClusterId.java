package dev.pulse.flink.common;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The id of the Kafka cluster a job reads, as its brokers report it: with (topic, partition,
 * offset) it names a record for good, so dead letters of two clusters (a fresh broker with the same
 * topic names, as every demo run starts) never share an identity in {@code dead_letters}.
 */
public final class KafkaClusterId {

  /** Longest the brokers get to answer; a job cannot run without them anyway. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private KafkaClusterId() {}

  /**
   * The cluster id of the brokers at {@code bootstrapServers} (Kafka's {@code DescribeCluster}).
   *
   * @throws IllegalStateException when they do not answer within {@link #TIMEOUT} or report none
   */
  public static String read(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (Admin admin = Admin.create(props)) {
      String id = admin.describeCluster().clusterId().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (id == null || id.isEmpty()) {
        throw new IllegalStateException("Kafka at " + bootstrapServers + " reports no cluster id");
      }
      return id;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not read the cluster id of Kafka at " + bootstrapServers + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the Kafka cluster id", e);
    }
  }
}
