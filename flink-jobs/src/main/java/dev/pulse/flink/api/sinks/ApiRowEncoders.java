package dev.pulse.flink.api.sinks;

import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import dev.pulse.flink.sink.RowEncoder;
import dev.pulse.flink.sink.RowOut;

/**
 * How the API metrics job's records become rows of their ClickHouse tables, column for column as
 * the migrations declare them (0003 {@code api_requests_raw}, 0005 {@code api_request_minutes},
 * 0008 {@code api_requests_late}); {@code ApiTablesIT} compares these columns and types with the
 * migrated tables, so a migration that changes a column fails a test rather than a running job.
 */
public final class ApiRowEncoders {

  /** A validated, deduplicated request as a row of {@code api_requests_raw}. */
  public static final RowEncoder<ApiRequest> RAW_REQUEST = ApiRowEncoders::rawRequest;

  /**
   * A delta row of {@code api_request_minutes}, without {@code batch_id} (the exactly-once sink
   * writes it first in every row) and {@code inserted_at} (the server's default).
   */
  public static final RowEncoder<ApiMinuteFact> MINUTE_FACT = ApiRowEncoders::minuteFact;

  /** A request later than the allowed lateness as a row of {@code api_requests_late}. */
  public static final RowEncoder<LateApiRequest> LATE_REQUEST = ApiRowEncoders::lateRequest;

  private ApiRowEncoders() {}

  private static void rawRequest(ApiRequest r, RowOut out) {
    requestColumns(r, out);
  }

  private static void lateRequest(LateApiRequest l, RowOut out) {
    requestColumns(l.request(), out);
    out.dateTime("watermark", epochSeconds(l.watermark().toEpochMilli()))
        .uint64("lateness_ms", l.latenessMs());
  }

  /** The raw table's columns, shared by the late table, which starts with the same ones. */
  private static void requestColumns(ApiRequest r, RowOut out) {
    long ms = r.eventTime().toEpochMilli();
    out.string("event_id", r.eventId())
        .string("tenant_id", r.tenantId())
        // 18.16 has no DateTime64: the same instant twice, whole seconds and exact milliseconds.
        .dateTime("event_time", epochSeconds(ms))
        .uint64("event_time_ms", ms)
        .string("service", r.service())
        .string("endpoint", r.endpoint())
        .string("method", r.method())
        .int32("status_code", r.statusCode())
        .int64("latency_us", r.latencyUs())
        .string("region", r.region())
        .nullableString("trace_id", r.traceId());
  }

  private static void minuteFact(ApiMinuteFact f, RowOut out) {
    out.string("tenant_id", f.tenantId())
        .string("service", f.service())
        .string("endpoint", f.endpoint())
        .string("method", f.method())
        .string("region", f.region())
        .dateTime("minute", f.minute().getEpochSecond())
        .uint64("requests", f.requests())
        .uint64("errors_5xx", f.errors5xx())
        .uint64("errors_4xx", f.errors4xx())
        .uint64("latency_sum_us", f.latencySumUs())
        .uint64("latency_max_us", f.latencyMaxUs())
        .int32Array("latency_buckets", f.latencyBuckets())
        .uint64Array("latency_counts", f.latencyCounts())
        .uint64Array("threshold_us", f.thresholdUs())
        .uint64Array("under_threshold", f.underThreshold());
  }

  /** The DateTime (seconds) containing an epoch-millisecond instant: floor, also before 1970. */
  static long epochSeconds(long epochMillis) {
    return Math.floorDiv(epochMillis, 1000L);
  }

  /** The partition-time column of {@code api_request_minutes}, for the exactly-once sink. */
  public static long minuteEpochSeconds(ApiMinuteFact f) {
    return f.minute().getEpochSecond();
  }
}
