package dev.pulse.flink.sink;

/** A row of api_requests_raw, as the tests write it (the job has its own record). */
record RawRequest(
    String eventId,
    String tenantId,
    long eventTimeMs,
    String service,
    String endpoint,
    String method,
    int statusCode,
    long latencyUs,
    String region,
    String traceId) {

  static final RowEncoder<RawRequest> ENCODER =
      (r, out) ->
          out.string("event_id", r.eventId())
              .string("tenant_id", r.tenantId())
              .dateTime("event_time", r.eventTimeMs() / 1000)
              .uint64("event_time_ms", r.eventTimeMs())
              .string("service", r.service())
              .string("endpoint", r.endpoint())
              .string("method", r.method())
              .int32("status_code", r.statusCode())
              .int64("latency_us", r.latencyUs())
              .string("region", r.region())
              .nullableString("trace_id", r.traceId());

  static RawRequest numbered(String prefix, int i) {
    // 2024-03-05T10:00:00Z + i seconds; every fifth traced.
    return new RawRequest(
        prefix + "-" + i,
        "t1",
        1_709_632_800_000L + i * 1000L,
        "courses",
        "/courses/{id}",
        "GET",
        200 + (i % 3) * 150,
        1000L + i,
        "eu-west",
        i % 5 == 0 ? "tr-" + i : null);
  }
}
