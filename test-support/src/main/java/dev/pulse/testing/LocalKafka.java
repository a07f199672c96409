package dev.pulse.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker inside this JVM: one combined KRaft node (broker and controller) from Kafka's
 * own test kit, on a free loopback port, with its log directories under a temporary directory that
 * is deleted when it stops. It stops on {@link #close()} or, at the latest, when the JVM exits.
 */
public final class LocalKafka implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaClusterTestKit cluster;
  private final String bootstrapServers;
  private final Thread exitHook = new Thread(this::close, "pulse-kafka-stop");
  private boolean closed;

  private LocalKafka(KafkaClusterTestKit cluster, String bootstrapServers) {
    this.cluster = cluster;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts a broker with {@code partitions} partitions per auto-created or defaulted topic. Topic
   * auto-creation is off: a typo in a topic name fails instead of silently producing into a new
   * topic. {@code extraConfig} overrides broker properties.
   */
  public static LocalKafka start(int partitions, Map<String, String> extraConfig) {
    long startNanos = System.nanoTime();
    try {
      Path dir = Files.createTempDirectory("pulse-kafka-");
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .setBaseDirectory(dir)
              .build();
      // Values as strings: the broker config parser rejects an Integer where it wants a short.
      KafkaClusterTestKit.Builder builder =
          new KafkaClusterTestKit.Builder(nodes)
              .setConfigProp("auto.create.topics.enable", "false")
              .setConfigProp("num.partitions", String.valueOf(partitions))
              // One broker: internal topics cannot have more than one replica.
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("offsets.topic.num.partitions", "2")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("transaction.state.log.num.partitions", "2")
              // Consumer groups here have one member: waiting for more only slows every start.
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .setDeleteOnClose(true);
      extraConfig.forEach(builder::setConfigProp);
      KafkaClusterTestKit cluster = builder.build();
      cluster.format();
      cluster.startup();
      waitReady(cluster);
      LocalKafka kafka = new LocalKafka(cluster, cluster.bootstrapServers());
      Runtime.getRuntime().addShutdownHook(kafka.exitHook);
      System.out.printf(
          Locale.ROOT,
          "[pulse] Kafka broker (KRaft, in-JVM) ready at %s in %.1f s%n",
          kafka.bootstrapServers,
          (System.nanoTime() - startNanos) / 1e9);
      return kafka;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not start the in-JVM Kafka broker: " + e, e);
    }
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * For an owner that stops its servers itself, in order, at exit: without this, the broker's own
   * exit hook would stop it concurrently with (and maybe before) the clients still using it.
   */
  public LocalKafka withoutExitHook() {
    Runtime.getRuntime().removeShutdownHook(exitHook);
    return this;
  }

  /** Stops the broker and deletes its log directories; calling it again does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      cluster.close();
    } catch (Exception e) {
      System.err.println("[pulse] Kafka broker did not stop cleanly: " + e);
    }
  }

  /**
   * waitForReadyBrokers has no timeout of its own; bound it so a broken start fails instead of
   * hanging.
   */
  private static void waitReady(KafkaClusterTestKit cluster) throws Exception {
    Thread waiter = Thread.currentThread();
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(START_TIMEOUT.toMillis());
                waiter.interrupt();
              } catch (InterruptedException ignored) {
                // readiness reached first
              }
            },
            "pulse-kafka-start-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      cluster.waitForReadyBrokers();
    } catch (InterruptedException e) {
      throw new IllegalStateException(
          "Kafka broker not ready within " + START_TIMEOUT.toSeconds() + " s", e);
    } finally {
      watchdog.interrupt();
    }
  }
}
