package dev.pulse.clickhouse.facts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tables written at-least-once (late events, dead letters) keep one row per record identity
 * when the sink replays rows after a restore: read with FINAL, a replay is invisible.
 */
@ExtendWith(ClickHouseExtension.class)
class ReplayedRowsCollapseIT {

  private static ClickHouse db;

  @BeforeAll
  static void migrate(TestClickHouse ch) {
    db = ch.migratedDatabase();
  }

  @Test
  void aReplayedDeadLetterDetectedAgainLaterIsOneRow() {
    String first =
        "{\"source_topic\":\"pulse.api.requests\",\"partition\":2,\"offset\":41,\"reason\":\"UNDECODABLE\","
            + "\"message\":\"bad magic\",\"value_base64\":\"AAE=\",\"detected_at\":1709600000}";
    // The replay is detected again a month later: the row must still collapse (no partition by
    // detected_at).
    String replay = first.replace("1709600000", "1712300000");
    String other = first.replace("\"offset\":41", "\"offset\":42");
    db.insertJsonEachRow("dead_letters", List.of(first, other));
    db.insertJsonEachRow("dead_letters", List.of(replay));
    assertThat(
            db.queryText(
                "SELECT offset, count() FROM dead_letters FINAL GROUP BY offset ORDER BY offset FORMAT TabSeparated"))
        .isEqualTo("41\t1\n42\t1\n");
  }

  @Test
  void aReplayedLateEventIsOneRow() {
    String late =
        "{\"event_id\":\"e-1\",\"tenant_id\":\"t\",\"event_time\":1709600000,\"event_time_ms\":1709600000123,"
            + "\"service\":\"s\",\"endpoint\":\"/a\",\"method\":\"GET\",\"status_code\":200,\"latency_us\":1500,\"region\":\"eu\","
            + "\"trace_id\":null,\"watermark\":1709600100,\"lateness_ms\":99877}";
    String otherEvent = late.replace("e-1", "e-2");
    db.insertJsonEachRow("api_requests_late", List.of(late, otherEvent));
    db.insertJsonEachRow("api_requests_late", List.of(late));
    assertThat(
            db.queryText(
                "SELECT event_id, count(), sum(lateness_ms) FROM api_requests_late FINAL GROUP BY event_id "
                    + "ORDER BY event_id FORMAT TabSeparated"))
        .isEqualTo("e-1\t1\t99877\ne-2\t1\t99877\n");
  }
}
