package dev.pulse.flink.sink;

/** A minute fact row of api_request_minutes, encoded as the API job does. */
record Minute(
    String endpoint, long minute, long requests, long errors5xx, int[] buckets, long[] counts) {
  static final RowEncoder<Minute> ENCODER =
      (m, out) ->
          out.string("tenant_id", "t1")
              .string("service", "courses")
              .string("endpoint", m.endpoint())
              .string("method", "GET")
              .string("region", "eu-west")
              .dateTime("minute", m.minute())
              .uint64("requests", m.requests())
              .uint64("errors_5xx", m.errors5xx())
              .uint64("errors_4xx", 0)
              .uint64("latency_sum_us", 10 * m.requests())
              .uint64("latency_max_us", 10)
              .int32Array("latency_buckets", m.buckets())
              .uint64Array("latency_counts", m.counts())
              .uint64Array("threshold_us", new long[] {100_000})
              .uint64Array("under_threshold", new long[] {m.requests()});
}
