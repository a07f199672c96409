package dev.pulse.testing;

import dev.pulse.local.LocalKafka;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that gives one test class a Kafka broker of its own, which the test may stop
 * and restart: an in-JVM {@link LocalKafka} started before the class and closed after it, never the
 * JVM's shared broker of {@link KafkaExtension} (the other classes need it up) nor an external one
 * ({@code PULSE_TEST_KAFKA} is ignored).
 *
 * <p>Usage: {@code @RegisterExtension static final DedicatedKafka KAFKA = new DedicatedKafka();},
 * then {@link #testKafka()} (topics of the class on it, as {@link KafkaExtension} gives), {@link
 * #stop()} and {@link #restart()}.
 */
public final class DedicatedKafka implements BeforeAllCallback, AfterAllCallback {

  private LocalKafka broker;
  private TestKafka testKafka;

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = LocalKafka.start(KafkaExtension.DEFAULT_PARTITIONS, Map.of());
    testKafka =
        new TestKafka(
            broker.bootstrapServers(),
            false,
            TestNames.classId(context.getRequiredTestClass()).replace('_', '-'));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null) {
      broker.close();
    }
  }

  /** The class's view of this broker; its address stays the same across restarts. */
  public TestKafka testKafka() {
    return testKafka;
  }

  /** Shuts the broker down, keeping its log directory and port ({@link LocalKafka#stop}). */
  public void stop() {
    broker.stop();
  }

  /**
   * Bytes of {@code topic}'s records the broker has served to consumers since it last (re)started
   * ({@link LocalKafka#bytesServed}).
   */
  public long bytesServed(String topic) {
    return broker.bytesServed(topic);
  }

  /**
   * Starts the stopped broker again on the same log directory and port, and returns once clients
   * see it ({@link LocalKafka#restart}).
   */
  public void restart() {
    broker.restart();
  }
}
