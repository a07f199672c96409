package dev.pulse.api.it;

import dev.pulse.api.testing.TestIdentity;
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

  /** Points serving-api at {@code server}'s database (resolved when the context starts). */
  public static void register(DynamicPropertyRegistry registry, Supplier<TestClickHouse> server) {
    registry.add("pulse.clickhouse.url", () -> server.get().httpUrl());
    registry.add("pulse.clickhouse.user", () -> server.get().user());
    registry.add("pulse.clickhouse.password", () -> server.get().password());
    registry.add("pulse.clickhouse.database", () -> server.get().database());
    TestIdentity.register(registry);
  }
}
