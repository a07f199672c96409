package dev.pulse.local;

import dev.pulse.clickhouse.ClickHouse;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.apache.commons.io.FileUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * A private clickhouse-server process (Debian's package) on free loopback ports, with its data,
 * logs and configuration in one directory: a temporary one that is deleted when the server stops
 * (tests), or a given one that keeps its data across starts (the demo). The server stops on {@link
 * #close()} or, at the latest, when the JVM exits.
 */
public final class LocalClickHouse implements AutoCloseable {

  /**
   * System property naming the server binary explicitly; otherwise {@link #findBinary} searches the
   * usual places.
   */
  static final String BINARY_PROPERTY = "pulse.test.clickhouse.binary";

  static final Path CONFIG_DIR =
      Path.of(System.getProperty("pulse.test.clickhouse.config", "/etc/clickhouse-server"));
  static final String INSTALL_HINT = "sudo apt-get install -y clickhouse-server";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final int ATTEMPTS = 3;
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final Path binary;
  private final String httpUrl;
  private final String version;
  private final Path dir;
  private final boolean deleteOnClose;
  private final Thread exitHook;
  private final ClickHouseUser api;
  private final ClickHouseUser writer;
  private final int tcpPort;

  /** The running server; replaced by {@link #restart}. */
  private volatile Process process;

  private LocalClickHouse(
      Path binary,
      String httpUrl,
      String version,
      Process process,
      Path dir,
      boolean deleteOnClose,
      Thread exitHook,
      ClickHouseUser api,
      ClickHouseUser writer,
      int tcpPort) {
    this.api = api;
    this.tcpPort = tcpPort;
    this.writer = writer;
    this.binary = binary;
    this.httpUrl = httpUrl;
    this.version = version;
    this.process = process;
    this.dir = dir;
    this.deleteOnClose = deleteOnClose;
    this.exitHook = exitHook;
  }

  /**
   * For an owner that stops its servers itself, in order, at exit: without this, the server's own
   * exit hook would stop it concurrently with the clients still writing to it.
   */
  public LocalClickHouse withoutExitHook() {
    Runtime.getRuntime().removeShutdownHook(exitHook);
    return this;
  }

  /** The HTTP endpoint, {@code http://127.0.0.1:PORT}; user {@code default}, no password. */
  public String httpUrl() {
    return httpUrl;
  }

  /**
   * serving-api's read-only user {@code pulse_api} (limits in its profile); the password is new at
   * each start.
   */
  public ClickHouseUser apiUser() {
    return api;
  }

  /** The Flink jobs' user {@code pulse_writer}; the password is new at each start. */
  public ClickHouseUser writerUser() {
    return writer;
  }

  /**
   * The server's configuration directory: config.xml and users.xml, and the config.d/ and users.d/
   * the server merges into them and reloads (where {@code pulse analysts} writes).
   */
  public Path configDir() {
    return dir;
  }

  /** The native TCP port, on 127.0.0.1. */
  public int tcpPort() {
    return tcpPort;
  }

  /** The server's own version string, e.g. {@code 18.16.1}. */
  public String version() {
    return version;
  }

  /**
   * The server's process id (a new one after {@link #restart}): lets a benchmark read the server's
   * memory and CPU time from /proc, and a fault test prove its kill.
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Stops the server (SIGTERM, then SIGKILL after 10 s) and deletes its directory if it was
   * temporary.
   */
  @Override
  public synchronized void close() {
    stop(process, dir, deleteOnClose);
  }

  /**
   * Kills the server with SIGKILL, as a crash or the kernel's OOM killer would: no shutdown, open
   * connections reset, a query in progress cut off. Waits (at most 10 s) until the process is gone
   * and returns its process id. The data directory and the ports stay the server's: {@link
   * #restart} brings it back on them.
   */
  public synchronized long kill() {
    Process p = process;
    p.destroyForcibly(); // SIGKILL on Linux and macOS
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("clickhouse-server (pid " + p.pid() + ") survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing clickhouse-server", e);
    }
    return p.pid();
  }

  /**
   * Starts the server again after {@link #kill} (or after it died) on the same data directory,
   * configuration and ports, so its clients reconnect to the same address and find its data;
   * returns once it answers {@code /ping} (at most 60 s, else fails with its log tail). A port
   * still held by the killed process's connections is retried within that bound.
   */
  public synchronized void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException(
          "clickhouse-server is still running (pid " + process.pid() + ")");
    }
    long startNanos = System.nanoTime();
    long deadline = startNanos + READY_TIMEOUT.toNanos();
    while (true) {
      try {
        process = launch(binary, dir);
        awaitPing(process, httpUrl, dir);
        break;
      } catch (IllegalStateException e) {
        if (!e.getMessage().contains("Address already in use") || System.nanoTime() > deadline) {
          throw e;
        }
        sleep(200);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "[pulse] clickhouse-server restarted at %s in %.1f s (pid %d, dir %s)%n",
        httpUrl,
        (System.nanoTime() - startNanos) / 1e9,
        process.pid(),
        dir);
  }

  /**
   * The first executable among {@code candidates}. Fails, never skips, when there is none: a test
   * that silently did not run against ClickHouse proves nothing.
   */
  static Path requireBinary(List<Path> candidates) {
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "clickhouse-server not found (looked at "
            + candidates
            + "). Install it with: "
            + INSTALL_HINT
            + " (or point the tests at a running server: PULSE_TEST_CLICKHOUSE=http://host:8123)");
  }

  /**
   * Debian installs the server in /usr/sbin, which is not on every user's PATH; look there, in
   * /usr/bin and on PATH.
   */
  static List<Path> binaryCandidates() {
    String explicit = System.getProperty(BINARY_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      return List.of(Path.of(explicit));
    }
    List<Path> candidates =
        new ArrayList<>(
            List.of(Path.of("/usr/sbin/clickhouse-server"), Path.of("/usr/bin/clickhouse-server")));
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isBlank() && !candidates.contains(Path.of(dir, "clickhouse-server"))) {
        candidates.add(Path.of(dir, "clickhouse-server"));
      }
    }
    return candidates;
  }

  /**
   * Starts a server in {@code dataDir}, created when missing and kept after the server stops; with
   * {@code null}, in a fresh temporary directory deleted when it stops. Fails with the install
   * command when the binary is missing, and with the server's log tail when it does not come up
   * within 60 s.
   */
  public static LocalClickHouse start(Path dataDir) {
    Path binary = requireBinary(binaryCandidates());
    IllegalStateException last = null;
    // Free ports are probed then released, so another process may grab one before the server binds
    // it: retry.
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        return startOnce(binary, dataDir);
      } catch (IllegalStateException e) {
        last = e;
        if (!e.getMessage().contains("Address already in use")) {
          throw e;
        }
      }
    }
    throw last;
  }

  private static LocalClickHouse startOnce(Path binary, Path dataDir) {
    long startNanos = System.nanoTime();
    boolean temporary = dataDir == null;
    Path dir;
    try {
      dir =
          temporary
              ? Files.createTempDirectory("pulse-clickhouse-")
              : Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] ports = FreePorts.take(3);
    int httpPort = ports[0];
    ClickHouseUser api = WarehouseUsers.newClickHouseUser("pulse_api");
    ClickHouseUser writer = WarehouseUsers.newClickHouseUser("pulse_writer");
    Process process;
    try {
      writeConfig(dir, httpPort, ports[1], ports[2], api, writer);
      process = launch(binary, dir);
    } catch (Exception e) {
      if (temporary) {
        FileUtils.deleteQuietly(dir.toFile());
      }
      throw new IllegalStateException("could not start " + binary + ": " + e, e);
    }
    // Registered at once, so a JVM that exits while the server starts still stops it; once the
    // server object exists, its close() stops whatever process runs then (restart replaces it).
    Process launched = process;
    LocalClickHouse[] started = new LocalClickHouse[1];
    Thread exitHook =
        new Thread(
            () -> {
              if (started[0] != null) {
                started[0].close();
              } else {
                stop(launched, dir, temporary);
              }
            },
            "pulse-clickhouse-stop");
    Runtime.getRuntime().addShutdownHook(exitHook);
    String url = "http://127.0.0.1:" + httpPort;
    try {
      awaitPing(process, url, dir);
    } catch (RuntimeException e) {
      stop(process, dir, temporary);
      throw e;
    }
    String version;
    try (ClickHouse client = ClickHouse.connect(url, "default", "", null)) {
      version = client.serverVersion();
    } catch (RuntimeException e) {
      stop(process, dir, temporary);
      throw e;
    }
    System.out.printf(
        Locale.ROOT,
        "[pulse] clickhouse-server %s ready at %s in %.1f s (pid %d, dir %s)%n",
        version,
        url,
        (System.nanoTime() - startNanos) / 1e9,
        process.pid(),
        dir);
    started[0] =
        new LocalClickHouse(
            binary, url, version, process, dir, temporary, exitHook, api, writer, ports[1]);
    return started[0];
  }

  /** Starts the server process on the configuration in {@code dir}, output to stdout.log there. */
  private static Process launch(Path binary, Path dir) {
    try {
      return new ProcessBuilder(
              ownProcessGroup(binary.toString(), "--config-file=" + dir.resolve("config.xml")))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + binary, e);
    }
  }

  /**
   * The command in a session and process group of its own ({@code setsid}, which execs it, so the
   * process id stays the server's): a Ctrl-C in the terminal signals the whole foreground group,
   * and the server must not stop before the job that writes to it; its owner stops it, in order.
   */
  static List<String> ownProcessGroup(String... command) {
    List<String> full = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      full.add(SETSID.toString());
    }
    full.addAll(List.of(command));
    return full;
  }

  /**
   * Rewrites Debian's config so the server touches nothing outside {@code dir} and listens only on
   * loopback.
   */
  private static void writeConfig(
      Path dir,
      int httpPort,
      int tcpPort,
      int interserverPort,
      ClickHouseUser api,
      ClickHouseUser writer)
      throws Exception {
    for (String sub : List.of("data", "tmp", "user_files", "format_schemas", "log")) {
      Files.createDirectories(dir.resolve(sub));
    }
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = factory.newDocumentBuilder().parse(CONFIG_DIR.resolve("config.xml").toFile());
    Element root = doc.getDocumentElement();
    set(root, "path", dir.resolve("data") + "/");
    set(root, "tmp_path", dir.resolve("tmp") + "/");
    set(root, "user_files_path", dir.resolve("user_files") + "/");
    set(root, "format_schema_path", dir.resolve("format_schemas") + "/");
    set(root, "http_port", Integer.toString(httpPort));
    set(root, "tcp_port", Integer.toString(tcpPort));
    set(root, "interserver_http_port", Integer.toString(interserverPort));
    set(root, "users_config", dir.resolve("users.xml").toString());
    // Times in tests are UTC: a server in the machine's zone would render DateTime values
    // differently.
    set(root, "timezone", "UTC");
    // Caches are allocated on demand, but the 5-8 GB defaults are absurd for a test server on a
    // small machine.
    set(root, "mark_cache_size", Long.toString(256L << 20));
    set(root, "uncompressed_cache_size", Long.toString(256L << 20));
    Element logger = child(root, "logger");
    set(logger, "log", dir.resolve("log/clickhouse-server.log").toString());
    set(logger, "errorlog", dir.resolve("log/clickhouse-server.err.log").toString());
    set(logger, "level", "information");
    // IPv4 loopback only: ::1 may not exist in a container, and nothing outside this machine should
    // reach the server.
    for (Element e : children(root, "listen_host")) {
      root.removeChild(e);
    }
    set(root, "listen_host", "127.0.0.1");
    // Port that belong to other servers or to system files: not wanted in a private test server.
    for (String unwanted :
        List.of(
            "https_port",
            "tcp_port_secure",
            "mysql_port",
            "remote_servers",
            "graphite",
            "include_from",
            "zookeeper",
            "macros")) {
      for (Element e : children(root, unwanted)) {
        root.removeChild(e);
      }
    }
    var transformer = TransformerFactory.newInstance().newTransformer();
    transformer.setOutputProperty(OutputKeys.INDENT, "no");
    transformer.transform(new DOMSource(doc), new StreamResult(dir.resolve("config.xml").toFile()));
    WarehouseUsers.write(CONFIG_DIR.resolve("users.xml"), dir.resolve("users.xml"), api, writer);
  }

  private static void awaitPing(Process process, String url, Path dir) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ping =
        HttpRequest.newBuilder(URI.create(url + "/ping")).timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "clickhouse-server exited with code "
                + process.exitValue()
                + " before it was ready. Log tail:\n"
                + logTail(dir));
      }
      try {
        HttpResponse<String> r = http.send(ping, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().trim().equals("Ok.")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for clickhouse-server", e);
      }
      sleep(100);
    }
    throw new IllegalStateException(
        "clickhouse-server did not answer "
            + url
            + "/ping within "
            + READY_TIMEOUT.toSeconds()
            + " s. Log tail:\n"
            + logTail(dir));
  }

  /**
   * The last lines of the server's stdout and logs: the reason a start failed is almost always
   * there.
   */
  static String logTail(Path dir) {
    StringBuilder out = new StringBuilder();
    for (Path f :
        List.of(
            dir.resolve("stdout.log"),
            dir.resolve("log/clickhouse-server.err.log"),
            dir.resolve("log/clickhouse-server.log"))) {
      try {
        List<String> lines = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
        out.append("--- ").append(f.getFileName()).append('\n');
        lines
            .subList(Math.max(0, lines.size() - 30), lines.size())
            .forEach(l -> out.append(l).append('\n'));
      } catch (IOException e) {
        // file not written: nothing to show
      }
    }
    return out.toString();
  }

  private static void stop(Process process, Path dir, boolean deleteDir) {
    if (process.isAlive()) {
      process.destroy(); // SIGTERM: the server shuts down cleanly in well under a second
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (deleteDir) {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  private static void set(Element parent, String name, String value) {
    List<Element> existing = children(parent, name);
    Element e;
    if (existing.isEmpty()) {
      e = parent.getOwnerDocument().createElement(name);
      parent.appendChild(e);
    } else {
      e = existing.get(0);
      e.removeAttribute("incl");
    }
    e.setTextContent(value);
  }

  private static Element child(Element parent, String name) {
    List<Element> c = children(parent, name);
    if (c.isEmpty()) {
      Element e = parent.getOwnerDocument().createElement(name);
      parent.appendChild(e);
      return e;
    }
    return c.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> result = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element e && e.getTagName().equals(name)) {
        result.add(e);
      }
    }
    return result;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for clickhouse-server", e);
    }
  }
}
