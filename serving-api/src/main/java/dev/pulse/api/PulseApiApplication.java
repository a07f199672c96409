package dev.pulse.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Pulse serving API: GraphQL over the ClickHouse facts and rollups, scoped to the caller's
 * tenant, plus the static dashboards. Start it with {@code java -cp <classpath>
 * dev.pulse.api.PulseApiApplication} or embed it with {@code new
 * SpringApplicationBuilder(PulseApiApplication.class).properties(...).run()}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PulseApiApplication {

  public static void main(String[] args) {
    SpringApplication.run(PulseApiApplication.class, args);
  }
}
