package dev.pulse.local;

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
import org.apache.commons.io.FileUtils;

/**
 * A monitoring server of the platform (Debian's Prometheus or Alertmanager) started as a process of
 * this JVM on a free loopback port, in a temporary directory of its own, ready when {@code
 * /-/ready} answers 200; {@link #close} stops it (SIGTERM, then SIGKILL) and deletes the directory.
 * A missing binary fails with the package to install: a test that did not run against the real
 * server proves nothing.
 */
public class LocalDaemon implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final int ATTEMPTS = 3;

  private final String name;
  private final Process process;
  private final Path dir;
  private final URI url;

  LocalDaemon(String name, Process process, Path dir, URI url) {
    this.name = name;
    this.process = process;
    this.dir = dir;
    this.url = url;
  }

  /**
   * Starts {@code binary} with the arguments {@code command} makes for a port and writes {@code
   * files} (name, text) into its directory first; retries on a port taken meanwhile.
   */
  static LocalDaemon start(
      String name, Path binary, String debianPackage, List<String[]> files, Command command) {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          name
              + " not found at "
              + binary
              + ". Install it with: sudo apt-get install -y "
              + debianPackage
              + " (./pulse test installs it)");
    }
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      long startNanos = System.nanoTime();
      Path dir;
      try {
        dir = Files.createTempDirectory("pulse-" + name + "-");
        for (String[] f : files) {
          Files.writeString(dir.resolve(f[0]), f[1], StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int[] ports = FreePorts.take(2);
      List<String> args = new ArrayList<>();
      args.add(binary.toString());
      args.addAll(command.args(dir, ports));
      Process process;
      try {
        process =
            new ProcessBuilder(LocalClickHouse.ownProcessGroup(args.toArray(String[]::new)))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(
                    ProcessBuilder.Redirect.appendTo(dir.resolve("output.log").toFile()))
                .start();
      } catch (IOException e) {
        FileUtils.deleteQuietly(dir.toFile());
        throw new UncheckedIOException("could not start " + binary, e);
      }
      LocalDaemon daemon =
          new LocalDaemon(name, process, dir, URI.create("http://127.0.0.1:" + ports[0]));
      Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "pulse-" + name + "-stop"));
      try {
        daemon.awaitReady();
        System.out.printf(
            Locale.ROOT,
            "[pulse] %s ready at %s in %.1f s (pid %d, dir %s)%n",
            name,
            daemon.url,
            (System.nanoTime() - startNanos) / 1e9,
            process.pid(),
            dir);
        return daemon;
      } catch (IllegalStateException e) {
        daemon.close();
        last = e;
        if (!e.getMessage().contains("address already in use")) {
          throw e;
        }
      }
    }
    throw last;
  }

  /** The arguments of the server for its directory and two free ports (HTTP first). */
  @FunctionalInterface
  interface Command {
    List<String> args(Path dir, int[] ports);
  }

  /** The server's address, {@code http://127.0.0.1:PORT}. */
  public URI url() {
    return url;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The server's output so far (its log). */
  public String log() {
    try {
      return Files.readString(dir.resolve("output.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited at start: " + tail(log()));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(url.resolve("/-/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting " + name, e);
      }
      sleep(100);
    }
    throw new IllegalStateException(
        name + " not ready within " + READY_TIMEOUT.toSeconds() + " s: " + tail(log()));
  }

  @Override
  public synchronized void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    FileUtils.deleteQuietly(dir.toFile());
  }

  private static String tail(String log) {
    String lower = log.toLowerCase(Locale.ROOT);
    String t = log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    return lower.contains("address already in use") ? "address already in use: " + t : t;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
