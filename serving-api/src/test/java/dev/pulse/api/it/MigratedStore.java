package dev.pulse.api.it;

import dev.pulse.api.testing.TestIdentity;
import dev.pulse.local.ClickHouseUser;
import dev.pulse.testing.TestClickHouse;
import java.util.function.Supplier;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Points serving-api at the test class's ClickHouse database (built by the production migrations
 * with {@link TestClickHouse#migratedDatabase()}), and makes it trust the test identity provider
 * ({@link TestIdentity}).
 */
public final class MigratedStore {

  private MigratedStore() {}

  private static ClickHouseUser apiUser(TestClickHouse server) {
    return server.apiUser() != null
        ? server.apiUser()
        : new ClickHouseUser(server.user(), server.password());
  }

  /** Points serving-api at {@code server}'s database (resolved when the context starts). */
  public static void register(DynamicPropertyRegistry registry, Supplier<TestClickHouse> server) {
    registry.add("pulse.clickhouse.url", () -> server.get().httpUrl());
    // serving-api reads as the private server's read-only pulse_api user, as deployed; the audit
    // trail is written as the administrator (pulse_api cannot insert).
    registry.add("pulse.clickhouse.user", () -> apiUser(server.get()).name());
    registry.add("pulse.clickhouse.password", () -> apiUser(server.get()).password());
    registry.add("pulse.audit.user", () -> server.get().user());
    registry.add("pulse.audit.password", () -> server.get().password());
    registry.add("pulse.clickhouse.database", () -> server.get().database());
    TestIdentity.register(registry);
  }
}
