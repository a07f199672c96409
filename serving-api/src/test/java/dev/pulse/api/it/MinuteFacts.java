package dev.pulse.api.it;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.metrics.LatencyBuckets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Hand-written fact rows for api_request_minutes, as the Flink job would write them: one row per
 * (tenant, service, endpoint, method, region, minute) firing, with the latencies turned into the
 * stored histogram form. Tests state the raw latencies and statuses; expected numbers are worked
 * out by hand.
 */
public final class MinuteFacts {

  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final long[] THRESHOLDS_US = {100_000, 300_000, 1_000_000};

  private final List<String> rows = new ArrayList<>();

  /**
   * One delta row: requests with the given latencies (ms), of which {@code errors5xx} 5xx and
   * {@code errors4xx} 4xx.
   */
  public MinuteFacts row(
      String tenant,
      String service,
      String endpoint,
      String method,
      String region,
      String minute,
      List<Integer> latenciesMs,
      int errors5xx,
      int errors4xx) {
    TreeMap<Integer, Long> histogram = new TreeMap<>();
    long sum = 0;
    long max = 0;
    for (int ms : latenciesMs) {
      long us = ms * 1000L;
      histogram.merge(LatencyBuckets.bucketOf(us), 1L, Long::sum);
      sum += us;
      max = Math.max(max, us);
    }
    List<Long> under = new ArrayList<>();
    for (long threshold : THRESHOLDS_US) {
      under.add(latenciesMs.stream().filter(ms -> ms * 1000L <= threshold).count());
    }
    String json =
        "{\"tenant_id\":\""
            + tenant
            + "\",\"service\":\""
            + service
            + "\",\"endpoint\":\""
            + endpoint
            + "\",\"method\":\""
            + method
            + "\",\"region\":\""
            + region
            + "\",\"minute\":\""
            + DATE_TIME.format(LocalDateTime.ofInstant(Instant.parse(minute), ZoneOffset.UTC))
            + "\",\"requests\":"
            + latenciesMs.size()
            + ",\"errors_5xx\":"
            + errors5xx
            + ",\"errors_4xx\":"
            + errors4xx
            + ",\"latency_sum_us\":"
            + sum
            + ",\"latency_max_us\":"
            + max
            + ",\"latency_buckets\":"
            + json(histogram.keySet())
            + ",\"latency_counts\":"
            + json(histogram.values())
            + ",\"threshold_us\":[100000,300000,1000000],\"under_threshold\":"
            + under
            + ",\"batch_id\":\"test-"
            + rows.size()
            + "\"}";
    rows.add(json);
    return this;
  }

  private static String json(Collection<? extends Number> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
  }

  /** Inserts the rows in one INSERT (so the rollup views see them) and forgets them. */
  public void insertInto(ClickHouse clickHouse) {
    clickHouse.insertJsonEachRow("api_request_minutes", rows);
    rows.clear();
  }

  /**
   * {@code from}, {@code from + 1}, ..., {@code to} milliseconds: {@code range(1, 100)} is 1..100
   * ms.
   */
  public static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  public static List<Integer> repeat(int ms, int times) {
    return Collections.nCopies(times, ms);
  }
}
