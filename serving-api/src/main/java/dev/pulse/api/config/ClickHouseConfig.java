package dev.pulse.api.config;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.ClickHouseException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The ClickHouse client every repository shares, and its health: a background probe, so that no
 * health request (readiness is open to anyone) ever sends a query to the store.
 */
@Configuration(proxyBeanMethods = false)
public class ClickHouseConfig {

  /**
   * Dashboard queries read a few hundred rows; a query still running after 30 s is a fault worth
   * reporting.
   */
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(30);

  @Bean(destroyMethod = "close")
  ClickHouse clickHouse(PulseApiProperties properties) {
    PulseApiProperties.ClickHouse ch = properties.clickhouse();
    return ClickHouse.connect(
        ch.url(), ch.user(), ch.password(), ch.database(), QUERY_TIMEOUT, ch.settings());
  }

  @Bean(destroyMethod = "close")
  ClickHouseProbe clickHouseProbe(ClickHouse clickHouse, PulseApiProperties properties) {
    return new ClickHouseProbe(clickHouse, properties.health().probeInterval());
  }

  /**
   * {@code /actuator/health} component "clickHouse" (in readiness): the last probe's result, up
   * when the server answered and the fact table exists; its details (version, database, when
   * probed, the error code) are shown to operators only.
   */
  @Bean
  HealthIndicator clickHouseHealthIndicator(ClickHouseProbe probe) {
    return probe::last;
  }

  /** Probes ClickHouse every interval on its own thread and keeps the last result. */
  static final class ClickHouseProbe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseProbe.class);

    private final ClickHouse clickHouse;
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pulse-clickhouse-probe");
              t.setDaemon(true);
              return t;
            });
    private volatile Health last = Health.unknown().withDetail("probed", "not yet").build();
    private volatile boolean wasUp = true;

    ClickHouseProbe(ClickHouse clickHouse, Duration interval) {
      this.clickHouse = clickHouse;
      timer.scheduleWithFixedDelay(this::probe, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    Health last() {
      return last;
    }

    private void probe() {
      try {
        // Named health/<uuid> on the server: the query log tells probes from callers' queries.
        String version =
            clickHouse
                .query("SELECT version() AS v", "health/" + UUID.randomUUID())
                .get(0)
                .get("v")
                .asText();
        // Proves the migrations ran, not only that the server is up.
        clickHouse.query(
            "SELECT count() AS c FROM api_request_minutes WHERE 0", "health/" + UUID.randomUUID());
        last =
            Health.up()
                .withDetail("version", version)
                .withDetail("database", clickHouse.database())
                .withDetail("probed", Instant.now().toString())
                .build();
        if (!wasUp) {
          LOG.info("ClickHouse answers again");
        }
        wasUp = true;
      } catch (RuntimeException e) {
        int code = e instanceof ClickHouseException ch ? ch.code() : 0;
        last =
            Health.down()
                .withDetail("error", code == 0 ? "no answer" : "ClickHouse error code " + code)
                .withDetail("probed", Instant.now().toString())
                .build();
        if (wasUp) {
          // Once per outage: the log has the server's text, health only the code.
          LOG.warn("ClickHouse health probe failed", e);
        }
        wasUp = false;
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
}
