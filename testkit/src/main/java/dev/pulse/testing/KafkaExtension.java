package dev.pulse.testing;

import dev.pulse.local.LocalKafka;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives a test class a real Kafka broker: one in-JVM KRaft broker per test
 * JVM, or the cluster named by the environment variable {@code PULSE_TEST_KAFKA=host:port}.
 *
 * <p>Usage: {@code @ExtendWith(KafkaExtension.class)} on the class, then a {@link TestKafka}
 * parameter on any test or lifecycle method. Each test class gets its own {@link TestKafka}, whose
 * {@link TestKafka#topic(String)} names are unique to that class.
 */
public final class KafkaExtension implements BeforeAllCallback, ParameterResolver {

  /**
   * Environment variable naming an external bootstrap server; no broker is started when it is set.
   */
  public static final String ENV = "PULSE_TEST_KAFKA";

  /**
   * Partitions of a topic created by {@link TestKafka#topic(String)}: 2, so tests see more than one
   * partition.
   */
  public static final int DEFAULT_PARTITIONS = 2;

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaExtension.class);

  private static final Object LOCK = new Object();
  private static volatile Broker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    testKafka(context);
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == TestKafka.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext)
      throws ParameterResolutionException {
    return testKafka(extensionContext);
  }

  /**
   * One {@link TestKafka} per test class, kept in the class's store so every method of the class
   * shares it.
   */
  private static TestKafka testKafka(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
    return store.getOrComputeIfAbsent(
        testClass,
        c -> {
          Broker b = broker();
          return new TestKafka(
              b.bootstrapServers, b.external, TestNames.classId(testClass).replace('_', '-'));
        },
        TestKafka.class);
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
      System.out.println(
          "[pulse-test] Kafka: using external broker " + external + " (" + ENV + ")");
      return new Broker(external.trim(), true);
    }
    return new Broker(LocalKafka.start(DEFAULT_PARTITIONS, Map.of()).bootstrapServers(), false);
  }

  record Broker(String bootstrapServers, boolean external) {}
}
