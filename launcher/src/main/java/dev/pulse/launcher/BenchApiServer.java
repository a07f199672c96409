package dev.pulse.launcher;

import dev.pulse.bench.ApiServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.io.FileUtils;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * serving-api for {@code pulse bench}'s GraphQL phases: started in this JVM on a free loopback
 * port, trusting a {@link DemoIdentity} of its own, exactly as the demo runs it (limits, audit
 * trail and tenant scoping on).
 */
public final class BenchApiServer implements ApiServer {

  @Override
  public Running start(String clickhouseUrl, String user, String password, String database)
      throws Exception {
    Path dir = Files.createTempDirectory("pulse-bench-identity-");
    DemoIdentity identity = DemoIdentity.create(dir, Duration.ofHours(6));
    ConfigurableApplicationContext api;
    try {
      api =
          PulseStack.startApi(
              clickhouseUrl, user, password, database, "127.0.0.1", 0, identity.apiProperties());
    } catch (RuntimeException e) {
      FileUtils.deleteQuietly(dir.toFile());
      throw e;
    }
    int port = Integer.parseInt(api.getEnvironment().getProperty("local.server.port", "-1"));
    URI graphql = URI.create("http://127.0.0.1:" + port + "/graphql");
    return new Running() {
      @Override
      public URI graphql() {
        return graphql;
      }

      @Override
      public String sreToken(String tenant) {
        return identity.token(
            new DemoIdentity.Person(
                "bench-sre@" + tenant, "Bench SRE", tenant, List.of("sre"), List.of()));
      }

      @Override
      public void close() {
        api.close();
        FileUtils.deleteQuietly(dir.toFile());
      }
    };
  }
}
