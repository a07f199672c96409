package dev.pulse.testing;

import dev.pulse.local.ClickHouseUser;
import dev.pulse.local.LocalClickHouse;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives a test class a real ClickHouse server: one private clickhouse-server
 * process per test JVM ({@link LocalClickHouse}), or the server named by the environment variable
 * {@code PULSE_TEST_CLICKHOUSE}:
 *
 * <ul>
 *   <li>{@code http://[user[:password]@]host:8123}: an external server, nothing is started;
 *   <li>{@code testcontainers}: a current {@code clickhouse/clickhouse-server} image through
 *       Testcontainers (needs a Docker engine and {@code org.testcontainers:clickhouse} on the test
 *       classpath).
 * </ul>
 *
 * <p>Usage: {@code @ExtendWith(ClickHouseExtension.class)} on the class, then a {@link
 * TestClickHouse} parameter on any test or lifecycle method. Each test class gets its own database.
 */
public final class ClickHouseExtension implements BeforeAllCallback, ParameterResolver {

  /**
   * Environment variable selecting an external server or Testcontainers instead of the private
   * process.
   */
  public static final String ENV = "PULSE_TEST_CLICKHOUSE";

  /**
   * The image used by {@code PULSE_TEST_CLICKHOUSE=testcontainers}; overridable with {@code
   * PULSE_TEST_CLICKHOUSE_IMAGE}.
   */
  public static final String DEFAULT_IMAGE = "clickhouse/clickhouse-server:25.3";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ClickHouseExtension.class);
  private static final Object LOCK = new Object();
  private static volatile Server server;

  @Override
  public void beforeAll(ExtensionContext context) {
    testClickHouse(context);
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == TestClickHouse.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext)
      throws ParameterResolutionException {
    return testClickHouse(extensionContext);
  }

  private static TestClickHouse testClickHouse(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            testClass,
            c -> new TestClickHouse(server(), "t_" + TestNames.classId(testClass)),
            TestClickHouse.class);
  }

  /** The JVM's server, started (or located) on first use. */
  static Server server() {
    Server s = server;
    if (s != null) {
      return s;
    }
    synchronized (LOCK) {
      if (server == null) {
        server = locate(System.getenv(ENV));
      }
      return server;
    }
  }

  static Server locate(String env) {
    if (env == null || env.isBlank()) {
      LocalClickHouse local = LocalClickHouse.start(null);
      return new Server(local.httpUrl(), "default", "", false, local);
    }
    String value = env.trim();
    if (value.equalsIgnoreCase("testcontainers")) {
      String image = System.getenv().getOrDefault("PULSE_TEST_CLICKHOUSE_IMAGE", DEFAULT_IMAGE);
      return Containers.start(image);
    }
    Server external = parseUrl(value);
    System.out.println(
        "[pulse-test] ClickHouse: using external server " + external.httpUrl() + " (" + ENV + ")");
    return external;
  }

  /**
   * Parses {@code http://[user[:password]@]host:port}; anything else is a configuration mistake
   * worth a clear message.
   */
  static Server parseUrl(String value) {
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          ENV
              + " must be 'testcontainers' or http(s)://[user[:password]@]host:port, got '"
              + value
              + "'",
          e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getPort() < 0) {
      throw new IllegalArgumentException(
          ENV
              + " must be 'testcontainers' or http(s)://[user[:password]@]host:port, got '"
              + value
              + "'");
    }
    String user = "default";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
    }
    return new Server(
        scheme + "://" + uri.getHost() + ":" + uri.getPort(), user, password, true, null);
  }

  /**
   * Where the test server is and how to sign in; {@code external} when the tests did not start it
   * as a process; {@code local} the private server, or null.
   */
  record Server(
      String httpUrl, String user, String password, boolean external, LocalClickHouse local) {

    /** The private server's read-only {@code pulse_api} user, or null. */
    ClickHouseUser apiUser() {
      return local == null ? null : local.apiUser();
    }
  }

  /**
   * The Testcontainers path, in its own class so that the optional Testcontainers jars are only
   * loaded when {@code PULSE_TEST_CLICKHOUSE=testcontainers} asks for them.
   */
  private static final class Containers {
    static Server start(String image) {
      try {
        Class.forName("org.testcontainers.clickhouse.ClickHouseContainer");
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            ENV
                + "=testcontainers needs org.testcontainers:clickhouse on the test classpath "
                + "(testkit declares it optional: add it to your module's test dependencies)",
            e);
      }
      long startNanos = System.nanoTime();
      @SuppressWarnings("resource") // stopped by the shutdown hook below
      var container = new org.testcontainers.clickhouse.ClickHouseContainer(image);
      container.start();
      Runtime.getRuntime()
          .addShutdownHook(new Thread(container::stop, "pulse-test-clickhouse-container-stop"));
      String url = "http://" + container.getHost() + ":" + container.getMappedPort(8123);
      System.out.printf(
          Locale.ROOT,
          "[pulse-test] ClickHouse %s (Testcontainers) ready at %s in %.1f s%n",
          image,
          url,
          (System.nanoTime() - startNanos) / 1e9);
      return new Server(url, container.getUsername(), container.getPassword(), true, null);
    }
  }
}
