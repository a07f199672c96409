package dev.pulse.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real Kafka broker inside this JVM: one combined KRaft node (broker and controller) started from
 * Kafka's own server classes ({@code kafka.server.KafkaRaftServer}, the class {@code
 * kafka-server-start.sh} runs), on free loopback ports, with its log directory formatted by Kafka's
 * {@code StorageTool} exactly as {@code kafka-storage.sh format --standalone} does. The log
 * directory is temporary and deleted when the broker closes; it closes on {@link #close()} or, at
 * the latest, when the JVM exits. A fault test can {@link #stop} it and {@link #restart} it on the
 * same log directory and ports.
 */
public final class LocalKafka implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final int ATTEMPTS = 3;

  private final Properties config;
  private final Path dir;
  private final String bootstrapServers;
  private final Thread exitHook = new Thread(this::close, "pulse-kafka-stop");

  /** The running broker, null while {@link #stop stopped}. */
  private KafkaRaftServer server;

  private boolean closed;

  private LocalKafka(KafkaRaftServer server, Properties config, Path dir, String bootstrapServers) {
    this.server = server;
    this.config = config;
    this.dir = dir;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts a broker whose topics get {@code partitions} partitions unless created with another
   * count. Topic auto-creation is off: a typo in a topic name fails instead of silently producing
   * into a new topic. {@code extraConfig} overrides broker properties.
   */
  public static LocalKafka start(int partitions, Map<String, String> extraConfig) {
    IllegalStateException last = null;
    // Free ports are probed then released, so another process may take one first: retry.
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        return startOnce(partitions, extraConfig);
      } catch (IllegalStateException e) {
        last = e;
        if (!portTaken(e)) {
          throw e;
        }
      }
    }
    throw last;
  }

  /** Kafka reports a taken port as "... failed to bind ...: Address already in use". */
  private static boolean portTaken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("already in use")) {
        return true;
      }
    }
    return false;
  }

  private static LocalKafka startOnce(int partitions, Map<String, String> extraConfig) {
    long startNanos = System.nanoTime();
    Path dir;
    try {
      dir = Files.createTempDirectory("pulse-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] ports = FreePorts.take(2);
    String bootstrap = "127.0.0.1:" + ports[0];
    Properties config = brokerConfig(dir, ports[0], ports[1], partitions);
    extraConfig.forEach(config::setProperty);
    KafkaRaftServer server = null;
    try {
      format(dir, config);
      server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
      server.startup();
      awaitReady(bootstrap);
    } catch (Exception e) {
      if (server != null) {
        stopQuietly(server);
      }
      FileUtils.deleteQuietly(dir.toFile());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not start the in-JVM Kafka broker: " + e, e);
    }
    LocalKafka kafka = new LocalKafka(server, config, dir, bootstrap);
    Runtime.getRuntime().addShutdownHook(kafka.exitHook);
    System.out.printf(
        Locale.ROOT,
        "[pulse] Kafka broker (KRaft, in-JVM) ready at %s in %.1f s%n",
        bootstrap,
        (System.nanoTime() - startNanos) / 1e9);
    return kafka;
  }

  /** One node that is both broker and its own controller, listening on loopback only. */
  private static Properties brokerConfig(Path dir, int brokerPort, int controllerPort, int parts) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    p.setProperty("log.dirs", dir.resolve("logs").toString());
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("num.partitions", String.valueOf(parts));
    // One broker: internal topics cannot have more than one replica.
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "2");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "2");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    // Consumer groups here have one member: waiting for more only slows every start.
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // The log cleaner (it compacts __consumer_offsets) allocates its 128 MiB dedupe buffer on the
    // heap it shares with the demo or the test: a local broker's few compacted keys need far less.
    p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 << 20));
    return p;
  }

  /**
   * {@code kafka-storage.sh format --standalone}: writes the cluster id and the bootstrap metadata
   * into the log directory. Its progress lines are kept out of stdout and shown only on failure.
   */
  private static void format(Path dir, Properties config) throws IOException {
    Path file = dir.resolve("server.properties");
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      config.store(w, "Pulse local Kafka broker");
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int code;
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      code =
          StorageTool.execute(
              new String[] {
                "format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", file.toString()
              },
              out);
    }
    if (code != 0) {
      throw new IOException(
          "kafka-storage format exited with "
              + code
              + ": "
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  /** Ready means an admin client sees the broker; bounded so a broken start fails, not hangs. */
  private static void awaitReady(String bootstrap) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) START_TIMEOUT.toMillis());
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new TimeoutException(
                "Kafka broker at "
                    + bootstrap
                    + " not ready within "
                    + START_TIMEOUT.toSeconds()
                    + " s");
          }
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * Bytes of {@code topic}'s records this broker has served to fetching clients (consumers) since
   * it last started or restarted: Kafka's own {@code BrokerTopicMetrics} {@code BytesOutPerSec}
   * count, read over JMX; 0 before the first fetch. Lets a fault test prove that a client read from
   * the restarted broker, not only from what it had fetched before.
   */
  public long bytesServed(String topic) {
    try {
      // Topic names ([a-zA-Z0-9._-]) need no quoting in an ObjectName.
      ObjectName name =
          new ObjectName("kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=" + topic);
      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      return jmx.isRegistered(name) ? ((Number) jmx.getAttribute(name, "Count")).longValue() : 0;
    } catch (JMException e) {
      throw new IllegalStateException("could not read the broker's BytesOutPerSec of " + topic, e);
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

  /**
   * Shuts the broker down, as an operator's restart of it would (its clients see it disappear:
   * connections closed, the port refusing), keeping its log directory and its ports for {@link
   * #restart}.
   */
  public synchronized void stop() {
    if (closed || server == null) {
      throw new IllegalStateException("the broker at " + bootstrapServers + " is not running");
    }
    stopQuietly(server);
    server = null;
  }

  /**
   * Starts the broker again after {@link #stop}, from the same log directory (its topics, records,
   * committed offsets and cluster id) on the same ports; returns once an admin client sees it (at
   * most 60 s). A port not yet free is retried within that bound.
   */
  public synchronized void restart() {
    if (closed || server != null) {
      throw new IllegalStateException("the broker at " + bootstrapServers + " is not stopped");
    }
    long startNanos = System.nanoTime();
    long deadline = startNanos + START_TIMEOUT.toNanos();
    while (true) {
      KafkaRaftServer restarted = null;
      try {
        restarted = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        restarted.startup();
        awaitReady(bootstrapServers);
        server = restarted;
        break;
      } catch (Exception e) {
        if (restarted != null) {
          stopQuietly(restarted);
        }
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        if (!portTaken(e) || System.nanoTime() > deadline) {
          throw new IllegalStateException("could not restart the in-JVM Kafka broker: " + e, e);
        }
        pause(200);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "[pulse] Kafka broker restarted at %s in %.1f s%n",
        bootstrapServers,
        (System.nanoTime() - startNanos) / 1e9);
  }

  /**
   * Stops the broker (unless stopped) and deletes its log directory; calling it again does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (server != null) {
      stopQuietly(server);
      server = null;
    }
    FileUtils.deleteQuietly(dir.toFile());
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting the Kafka broker", e);
    }
  }

  private static void stopQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      System.err.println("[pulse] Kafka broker did not stop cleanly: " + e);
    }
  }
}
