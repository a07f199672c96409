package dev.pulse.flink.sink;

/** The sort key of api_request_minutes (migration 0005), the lookup columns of its tests' sinks. */
final class ApiMinutesKey {
  static final String[] COLUMNS = {
    "tenant_id", "service", "endpoint", "method", "region", "minute"
  };

  private ApiMinutesKey() {}
}
