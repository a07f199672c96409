package dev.pulse.flink.api.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.common.DeadLetterRowEncoder;
import dev.pulse.flink.testing.RecordingRowOut;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each encoder's row for a hand-made record, value by value (the columns' types: ApiTablesIT). */
class ApiRowEncodersTest {

  /** 2026-03-02T09:15:42.999Z: the second is 1772442942, the millisecond 1772442942999. */
  private static final Instant T = Instant.parse("2026-03-02T09:15:42.999Z");

  private static final ApiRequest REQUEST =
      new ApiRequest(
          "5f0c3c1e-8a43-4f6e-9d55-0a3c2f4b7e11",
          "uni-a",
          T,
          "courses",
          "/courses/{id}",
          "GET",
          503,
          187_000L,
          "eu-west",
          null);

  @Test
  void rawRowCarriesTheSameInstantAsWholeSecondsAndExactMillisecondsAndANullTrace() {
    RecordingRowOut row = new RecordingRowOut();
    ApiRowEncoders.RAW_REQUEST.encode(REQUEST, row);

    assertThat(row.values)
        .containsExactly(
            Map.entry("event_id", "5f0c3c1e-8a43-4f6e-9d55-0a3c2f4b7e11"),
            Map.entry("tenant_id", "uni-a"),
            Map.entry("event_time", 1_772_442_942L),
            Map.entry("event_time_ms", 1_772_442_942_999L),
            Map.entry("service", "courses"),
            Map.entry("endpoint", "/courses/{id}"),
            Map.entry("method", "GET"),
            Map.entry("status_code", 503),
            Map.entry("latency_us", 187_000L),
            Map.entry("region", "eu-west"),
            new AbstractMap.SimpleEntry<>("trace_id", null));
  }

  @Test
  void eventTimeBeforeTheEpochRoundsDownToTheSecondContainingIt() {
    assertThat(ApiRowEncoders.epochSeconds(-1)).isEqualTo(-1);
    assertThat(ApiRowEncoders.epochSeconds(-1000)).isEqualTo(-1);
    assertThat(ApiRowEncoders.epochSeconds(999)).isZero();
  }

  @Test
  void lateRowIsTheRawRowPlusTheWatermarkInSecondsAndTheLatenessInMilliseconds() {
    RecordingRowOut raw = new RecordingRowOut();
    ApiRowEncoders.RAW_REQUEST.encode(REQUEST, raw);
    RecordingRowOut row = new RecordingRowOut();
    LateApiRequest late =
        new LateApiRequest(REQUEST, Instant.parse("2026-03-02T09:31:00.500Z"), 917_501L);
    ApiRowEncoders.LATE_REQUEST.encode(late, row);

    assertThat(row.columns().subList(0, raw.columns().size())).isEqualTo(raw.columns());
    assertThat(row.values.get("event_time_ms")).isEqualTo(1_772_442_942_999L);
    assertThat(row.values.get("watermark")).isEqualTo(1_772_443_860L);
    assertThat(row.values.get("lateness_ms")).isEqualTo(917_501L);
    assertThat(row.columns()).endsWith("watermark", "lateness_ms");
  }

  @Test
  void minuteRowHasEveryFactColumnAndLeavesBatchIdToTheSink() {
    ApiMinuteFact f =
        new ApiMinuteFact(
            "uni-a",
            "courses",
            "/courses/{id}",
            "GET",
            "eu-west",
            Instant.parse("2026-03-02T09:15:00Z"),
            3,
            1,
            0,
            700_000,
            400_000,
            new int[] {12, 40},
            new long[] {2, 1},
            new long[] {100_000, 300_000},
            new long[] {2, 2});
    RecordingRowOut row = new RecordingRowOut();
    ApiRowEncoders.MINUTE_FACT.encode(f, row);

    assertThat(row.values.get("minute")).isEqualTo(1_772_442_900L);
    assertThat(ApiRowEncoders.minuteEpochSeconds(f)).isEqualTo(1_772_442_900L);
    assertThat(row.values.get("requests")).isEqualTo(3L);
    assertThat(row.values.get("errors_5xx")).isEqualTo(1L);
    assertThat(row.values.get("errors_4xx")).isEqualTo(0L);
    assertThat(row.values.get("latency_sum_us")).isEqualTo(700_000L);
    assertThat(row.values.get("latency_max_us")).isEqualTo(400_000L);
    assertThat(row.values.get("latency_buckets")).isEqualTo(List.of(12, 40));
    assertThat(row.values.get("latency_counts")).isEqualTo(List.of(2L, 1L));
    assertThat(row.values.get("threshold_us")).isEqualTo(List.of(100_000L, 300_000L));
    assertThat(row.values.get("under_threshold")).isEqualTo(List.of(2L, 2L));
    assertThat(row.columns()).doesNotContain("batch_id", "inserted_at");
  }

  @Test
  void deadLetterRowKeepsTheOriginWithItsKafkaClusterAndTheOriginalBytesAsBase64() {
    DeadLetter d =
        new DeadLetter(
            "pulse.api.requests",
            1,
            4_294_967_296L,
            "TRUNCATED",
            "ends inside the header",
            new byte[] {(byte) 0xc3, 0x01},
            Instant.parse("2026-03-02T09:15:42.999Z"));
    RecordingRowOut row = new RecordingRowOut();
    new DeadLetterRowEncoder("MkU3OEVBNTcwNTJENDM2Qg").encode(d, row);

    assertThat(row.values)
        .containsExactly(
            Map.entry("kafka_cluster_id", "MkU3OEVBNTcwNTJENDM2Qg"),
            Map.entry("source_topic", "pulse.api.requests"),
            Map.entry("partition", 1),
            Map.entry("offset", 4_294_967_296L),
            Map.entry("reason", "TRUNCATED"),
            Map.entry("message", "ends inside the header"),
            Map.entry("value_base64", "wwE="),
            Map.entry("detected_at", 1_772_442_942L));
  }

  @Test
  void deadLetterOfANullKafkaValueStoresAnEmptyValue() {
    DeadLetter d = new DeadLetter("t", 0, 0, "EMPTY", "no value", null, Instant.EPOCH);
    RecordingRowOut row = new RecordingRowOut();
    new DeadLetterRowEncoder("c").encode(d, row);

    assertThat(row.values.get("value_base64")).isEqualTo("");
  }
}
