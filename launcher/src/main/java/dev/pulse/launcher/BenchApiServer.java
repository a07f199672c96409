package dev.pulse.launcher;

import dev.pulse.bench.ApiServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.FileUtils;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * serving-api for {@code pulse bench}'s GraphQL phases: started in this JVM on a free loopback
 * port, trusting a {@link DemoIdentity} of its own, exactly as the demo runs it (limits, audit
 * trail and tenant scoping on).
 */
public final class BenchApiServer implements ApiServer {

  @Override
  public Running start(
      String clickhouseUrl,
      String user,
      String password,
      String database,
      Map<String, String> properties)
      throws Exception {
    Path dir = Files.createTempDirectory("pulse-bench-identity-");
    DemoIdentity identity = DemoIdentity.create(dir, Duration.ofHours(6));
    Map<String, String> all = new LinkedHashMap<>(identity.apiProperties());
    all.putAll(properties);
    ConfigurableApplicationContext api;
    try {
      api = PulseStack.startApi(clickhouseUrl, user, password, database, "127.0.0.1", 0, all);
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
      public String token(String subject, String tenant, List<String> roles, List<String> courses) {
        return identity.token(new DemoIdentity.Person(subject, subject, tenant, roles, courses));
      }

      @Override
      public void close() {
        api.close();
        FileUtils.deleteQuietly(dir.toFile());
      }
    };
  }
}
