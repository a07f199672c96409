package dev.pulse.testing;

import dev.pulse.local.LocalClickHouse;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that gives one test class a clickhouse-server of its own, which the test may
 * kill and restart: a private {@link LocalClickHouse} process started before the class and stopped
 * after it, never the JVM's shared server of {@link ClickHouseExtension} (the other classes need it
 * up) nor an external one ({@code PULSE_TEST_CLICKHOUSE} is ignored: only a local process can be
 * killed).
 *
 * <p>Usage: {@code @RegisterExtension static final DedicatedClickHouse CLICKHOUSE = new
 * DedicatedClickHouse();}, then {@link #testClickHouse()} (a database of the class on it, as {@link
 * ClickHouseExtension} gives), {@link #kill()} and {@link #restart()}.
 */
public final class DedicatedClickHouse implements BeforeAllCallback, AfterAllCallback {

  private LocalClickHouse server;
  private TestClickHouse testClickHouse;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = LocalClickHouse.start(null);
    testClickHouse =
        new TestClickHouse(
            new ClickHouseExtension.Server(server.httpUrl(), "default", "", false, server),
            "t_" + TestNames.classId(context.getRequiredTestClass()));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (testClickHouse != null) {
      testClickHouse.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The class's database on this server; its address stays the same across restarts. */
  public TestClickHouse testClickHouse() {
    return testClickHouse;
  }

  /** The server's current process id. */
  public long pid() {
    return server.pid();
  }

  /** SIGKILL; returns once the process is gone, with its id ({@link LocalClickHouse#kill}). */
  public long kill() {
    return server.kill();
  }

  /**
   * Starts the killed server again on the same data directory and port, and returns once it answers
   * ({@link LocalClickHouse#restart}).
   */
  public void restart() {
    server.restart();
  }
}
