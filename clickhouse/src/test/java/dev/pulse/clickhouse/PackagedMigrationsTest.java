package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The migrations this module packages, as the runner reads them from the classpath. */
class PackagedMigrationsTest {

  @Test
  void packagedMigrationsStartWithTheFourRawTablesOneStatementEach() {
    List<Migration> all = Migration.fromClasspath();
    assertThat(all)
        .extracting(Migration::id)
        .startsWith(
            "0001_classroom_events_raw",
            "0002_playback_events_raw",
            "0003_api_requests_raw",
            "0004_probe_results_raw");
    for (Migration m : all.subList(0, 4)) {
      assertThat(m.statements()).as(m.id()).hasSize(1);
      assertThat(m.statements().get(0).sql())
          .as(m.id())
          .startsWith("CREATE TABLE IF NOT EXISTS " + m.name() + " (")
          .contains("ENGINE = ReplacingMergeTree")
          .contains("PARTITION BY toYYYYMM(event_time)")
          .doesNotContain("--");
      assertThat(m.statements().get(0).sql())
          .as(m.id())
          .containsPattern("ORDER BY \\([^)]*event_id\\)$");
    }
  }
}
