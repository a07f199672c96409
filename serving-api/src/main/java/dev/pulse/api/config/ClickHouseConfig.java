package dev.pulse.api.config;

import dev.pulse.clickhouse.ClickHouse;
import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The ClickHouse client every repository shares, and its health indicator for actuator. */
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
    return ClickHouse.connect(ch.url(), ch.user(), ch.password(), ch.database(), QUERY_TIMEOUT);
  }

  /**
   * {@code /actuator/health} component "clickHouse": up when the server answers and the fact table
   * exists.
   */
  @Bean
  AbstractHealthIndicator clickHouseHealthIndicator(ClickHouse clickHouse) {
    return new AbstractHealthIndicator("ClickHouse health check failed") {
      @Override
      protected void doHealthCheck(Health.Builder builder) {
        String version = clickHouse.serverVersion();
        // Proves the migrations ran, not only that the server is up.
        clickHouse.query("SELECT count() AS c FROM api_request_minutes WHERE 0");
        builder.up().withDetail("version", version).withDetail("database", clickHouse.database());
      }
    };
  }
}
