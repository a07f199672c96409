package dev.pulse.api.it;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.MigrationRunner;
import dev.pulse.testing.TestClickHouse;
import java.util.function.Supplier;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The whole-app tests' store: the test class's ClickHouse database built by the production
 * migrations, and the properties that point serving-api at it.
 */
final class MigratedStore {

  private MigratedStore() {}

  /** Points serving-api at {@code server}'s database (resolved when the context starts). */
  static void register(DynamicPropertyRegistry registry, Supplier<TestClickHouse> server) {
    registry.add("pulse.clickhouse.url", () -> server.get().httpUrl());
    registry.add("pulse.clickhouse.user", () -> server.get().user());
    registry.add("pulse.clickhouse.password", () -> server.get().password());
    registry.add("pulse.clickhouse.database", () -> server.get().database());
  }

  /** Applies every migration to the class's database and connects to it. */
  static ClickHouse migrate(TestClickHouse ch) {
    MigrationRunner.migrate(ch.httpUrl(), ch.user(), ch.password(), ch.database());
    return ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), ch.database());
  }
}
