package dev.pulse.local;

import java.nio.file.Path;
import java.util.List;

/**
 * Debian's Alertmanager ({@code prometheus-alertmanager}, 0.25) on a free loopback port with the
 * given configuration, clustering off: for tests that push alerts to it as a deployment would.
 */
public final class LocalAlertmanager {

  static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

  private LocalAlertmanager() {}

  /** Starts Alertmanager with {@code config} (alertmanager.yml text). */
  public static LocalDaemon start(String config) {
    return LocalDaemon.start(
        "alertmanager",
        BINARY,
        "prometheus-alertmanager",
        List.<String[]>of(new String[] {"alertmanager.yml", config}),
        (dir, ports) ->
            List.of(
                "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + ports[0],
                // No gossip: one instance, and no second port to collide on.
                "--cluster.listen-address="));
  }
}
