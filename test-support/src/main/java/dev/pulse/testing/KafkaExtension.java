package dev.pulse.testing;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * JUnit 5 extension that gives a test class a real Kafka broker: one in-JVM KRaft broker per test JVM,
 * or the cluster named by the environment variable {@code PULSE_TEST_KAFKA=host:port}.
 *
 * <p>Usage: {@code @ExtendWith(KafkaExtension.class)} on the class, then a {@link TestKafka} parameter
 * on any test or lifecycle method. Each test class gets its own {@link TestKafka}, whose
 * {@link TestKafka#topic(String)} names are unique to that class.
 */
public final class KafkaExtension implements BeforeAllCallback, ParameterResolver {

    /** Environment variable naming an external bootstrap server; no broker is started when it is set. */
    public static final String ENV = "PULSE_TEST_KAFKA";

    /** Partitions of a topic created by {@link TestKafka#topic(String)}: 2, so tests see more than one partition. */
    public static final int DEFAULT_PARTITIONS = 2;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);

    private static final Object LOCK = new Object();
    private static volatile Broker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        testKafka(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return testKafka(extensionContext);
    }

    /** One {@link TestKafka} per test class, kept in the class's store so every method of the class shares it. */
    private static TestKafka testKafka(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        return store.getOrComputeIfAbsent(testClass, c -> {
            Broker b = broker();
            return new TestKafka(b.bootstrapServers, b.external, TestNames.classId(testClass).replace('_', '-'));
        }, TestKafka.class);
    }

    /** The JVM's broker, started on first use; later calls return the same one. */
    static Broker broker() {
        Broker b = broker;
        if (b != null) {
            return b;
        }
        synchronized (LOCK) {
            if (broker == null) {
                broker = start();
            }
            return broker;
        }
    }

    private static Broker start() {
        String external = System.getenv(ENV);
        if (external != null && !external.isBlank()) {
            System.out.println("[pulse-test] Kafka: using external broker " + external + " (" + ENV + ")");
            return new Broker(external.trim(), true);
        }
        long startNanos = System.nanoTime();
        try {
            Path dir = Files.createTempDirectory("pulse-kafka-");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dir)
                    .build();
            // Values as strings: the broker config parser rejects an Integer where it wants a short.
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    // Tests create their topics explicitly, so a typo in a topic name fails instead of
                    // silently producing into a fresh auto-created topic.
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setConfigProp("num.partitions", String.valueOf(DEFAULT_PARTITIONS))
                    // One broker: internal topics cannot have more than one replica.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "2")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "2")
                    // Consumer groups in tests have one member: waiting for more only slows every test.
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setDeleteOnClose(true)
                    .build();
            cluster.format();
            cluster.startup();
            waitReady(cluster);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cluster.close();
                } catch (Exception e) {
                    System.err.println("[pulse-test] Kafka broker did not stop cleanly: " + e);
                }
            }, "pulse-test-kafka-stop"));
            String bootstrap = cluster.bootstrapServers();
            System.out.printf(Locale.ROOT, "[pulse-test] Kafka broker (KRaft, in-JVM) ready at %s in %.1f s%n",
                    bootstrap, (System.nanoTime() - startNanos) / 1e9);
            return new Broker(bootstrap, false);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not start the in-JVM Kafka broker: " + e, e);
        }
    }

    /** waitForReadyBrokers has no timeout of its own; bound it so a broken start fails the tests instead of hanging them. */
    private static void waitReady(KafkaClusterTestKit cluster) throws Exception {
        Thread waiter = Thread.currentThread();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(START_TIMEOUT.toMillis());
                waiter.interrupt();
            } catch (InterruptedException ignored) {
                // readiness reached first
            }
        }, "pulse-test-kafka-start-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            cluster.waitForReadyBrokers();
        } catch (InterruptedException e) {
            throw new IllegalStateException("Kafka broker not ready within " + START_TIMEOUT.toSeconds() + " s", e);
        } finally {
            watchdog.interrupt();
        }
    }

    record Broker(String bootstrapServers, boolean external) {
    }
}
