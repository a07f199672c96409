package dev.pulse.flink.api.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.common.DeadLetterRowEncoder;
import dev.pulse.flink.sink.RowEncoder;
import dev.pulse.flink.testing.RecordingRowOut;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drift between the job's row encoders and the tables the production migrations create: each
 * encoder must write every column the table has no default for, with the method of exactly the
 * column's type, and nothing else (a renamed or retyped column fails here, not in a running job).
 */
@ExtendWith(ClickHouseExtension.class)
@Timeout(60)
class ApiTablesIT {

  private static final Instant T = Instant.parse("2026-03-02T09:15:42.999Z");
  private static final ApiRequest REQUEST =
      new ApiRequest(
          "5f0c3c1e-8a43-4f6e-9d55-0a3c2f4b7e11",
          "uni-a",
          T,
          "courses",
          "/c",
          "GET",
          200,
          1,
          "eu-west",
          "trace");

  private static TestClickHouse ch;

  @BeforeAll
  static void migrate(TestClickHouse clickHouse) {
    ch = clickHouse;
    ch.migratedDatabase();
  }

  @Test
  void rawEncoderWritesExactlyTheColumnsOfApiRequestsRaw() {
    assertThat(written(ApiRowEncoders.RAW_REQUEST, REQUEST))
        .isEqualTo(columnsWithoutDefault("api_requests_raw"));
  }

  @Test
  void lateEncoderWritesExactlyTheColumnsOfApiRequestsLate() {
    LateApiRequest late = new LateApiRequest(REQUEST, T.plusSeconds(900), 900_000);
    assertThat(written(ApiRowEncoders.LATE_REQUEST, late))
        .isEqualTo(columnsWithoutDefault("api_requests_late"));
  }

  @Test
  void minuteEncoderPlusTheSinksBatchIdWritesExactlyTheColumnsOfApiRequestMinutes() {
    ApiMinuteFact f =
        new ApiMinuteFact(
            "uni-a",
            "courses",
            "/c",
            "GET",
            "eu-west",
            Instant.parse("2026-03-02T09:15:00Z"),
            1,
            0,
            0,
            1,
            1,
            new int[] {1},
            new long[] {1},
            new long[] {100_000},
            new long[] {1});
    Map<String, String> written = new LinkedHashMap<>();
    written.put("batch_id", "String"); // what the exactly-once sink writes first in every row
    written.putAll(written(ApiRowEncoders.MINUTE_FACT, f));

    assertThat(written).isEqualTo(columnsWithoutDefault("api_request_minutes"));
    // inserted_at is the server's: the encoder must leave it to its DEFAULT.
    assertThat(ch.query("DESCRIBE TABLE api_request_minutes"))
        .contains("inserted_at\tDateTime\tDEFAULT\tnow()");
  }

  @Test
  void deadLetterEncoderWritesExactlyTheColumnsOfDeadLetters() {
    DeadLetter d = new DeadLetter("pulse.api.requests", 0, 1, "TRUNCATED", "m", new byte[] {1}, T);
    assertThat(written(new DeadLetterRowEncoder("c"), d))
        .isEqualTo(columnsWithoutDefault("dead_letters"));
  }

  private static <T> Map<String, String> written(RowEncoder<T> encoder, T element) {
    RecordingRowOut row = new RecordingRowOut();
    encoder.encode(element, row);
    return row.types;
  }

  /**
   * Name -> type of the table's columns that have no DEFAULT/MATERIALIZED/ALIAS, from the server.
   */
  private static Map<String, String> columnsWithoutDefault(String table) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : ch.query("DESCRIBE TABLE " + table).split("\n")) {
      String[] f = line.split("\t", -1);
      if (f.length >= 3 && f[2].isEmpty()) {
        out.put(f[0], f[1]);
      }
    }
    return out;
  }
}
