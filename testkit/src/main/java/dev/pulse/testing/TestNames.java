package dev.pulse.testing;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds per-test-class names for topics and databases that never collide between classes or runs.
 */
final class TestNames {

  /**
   * Random per JVM, so that a re-run against an external Kafka or ClickHouse never reads what an
   * earlier run left behind in a topic or database of the same name.
   */
  static final String RUN_ID =
      Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);

  private TestNames() {}

  /**
   * A short identifier for a test class: its simple name (so a leftover topic or database says who
   * made it), a hash of the full name (so two classes with the same simple name differ) and the run
   * id. Only letters, digits and underscores: valid as a Kafka topic suffix and as a ClickHouse
   * identifier.
   */
  static String classId(Class<?> testClass) {
    String simple = testClass.getSimpleName().replaceAll("[^A-Za-z0-9]", "_");
    if (simple.length() > 40) {
      simple = simple.substring(0, 40);
    }
    String hash = Integer.toString(testClass.getName().hashCode() & 0x7fffffff, 36);
    return (simple + "_" + hash + "_" + RUN_ID).toLowerCase(Locale.ROOT);
  }
}
