package dev.pulse.bench;

import java.net.URI;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * serving-api, started for the phases that read through GraphQL. The launcher, which assembles
 * serving-api with everything else in one JVM, provides it (META-INF/services); without it those
 * phases cannot run.
 */
public interface ApiServer {

  /** serving-api on a free loopback port over {@code database}, trusting its own token signer. */
  Running start(String clickhouseUrl, String user, String password, String database)
      throws Exception;

  /** A started serving-api. */
  interface Running extends AutoCloseable {
    /** Its GraphQL endpoint. */
    URI graphql();

    /** A signed token of an SRE of {@code tenant}, valid for the bench's run. */
    String sreToken(String tenant);

    @Override
    void close();
  }

  /** The one the classpath provides, if any. */
  static Optional<ApiServer> provided() {
    return ServiceLoader.load(ApiServer.class).findFirst();
  }
}
