package dev.pulse.bench;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * serving-api, started for the phases that read through GraphQL. The launcher, which assembles
 * serving-api with everything else in one JVM, provides it (META-INF/services); without it those
 * phases cannot run.
 */
public interface ApiServer {

  /**
   * serving-api on a free loopback port over {@code database}, trusting its own token signer, with
   * {@code properties} over its defaults (e.g. {@code pulse.limits.requests-per-second}).
   */
  Running start(
      String clickhouseUrl,
      String user,
      String password,
      String database,
      Map<String, String> properties)
      throws Exception;

  /** A started serving-api. */
  interface Running extends AutoCloseable {
    /** Its GraphQL endpoint. */
    URI graphql();

    /**
     * A signed token of {@code subject} at {@code tenant} with {@code roles} (e.g. {@code sre},
     * {@code educator}) and, for an educator, {@code courses}, valid for the bench's run.
     */
    String token(String subject, String tenant, List<String> roles, List<String> courses);

    /** A signed token of an SRE of {@code tenant}. */
    default String sreToken(String tenant) {
      return token("bench-sre@" + tenant, tenant, List.of("sre"), List.of());
    }

    @Override
    void close();
  }

  /** The one the classpath provides, if any. */
  static Optional<ApiServer> provided() {
    return ServiceLoader.load(ApiServer.class).findFirst();
  }
}
