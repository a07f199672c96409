package dev.pulse.local;

import java.nio.file.Path;
import java.util.List;

/**
 * Debian's Prometheus ({@code prometheus}, 2.42) on a free loopback port with the given
 * configuration and a throw-away TSDB: for tests that scrape Pulse as a deployment would.
 */
public final class LocalPrometheus {

  static final Path BINARY = Path.of("/usr/bin/prometheus");

  private LocalPrometheus() {}

  /** Starts Prometheus with {@code config} (prometheus.yml text). */
  public static LocalDaemon start(String config) {
    return LocalDaemon.start(
        "prometheus",
        BINARY,
        "prometheus",
        List.<String[]>of(new String[] {"prometheus.yml", config}),
        (dir, ports) ->
            List.of(
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + ports[0]));
  }
}
