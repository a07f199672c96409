package dev.pulse.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.RollupCheck;
import dev.pulse.clickhouse.metrics.LatencyBuckets;
import dev.pulse.oracle.ApiKey;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.ApiStats;
import dev.pulse.oracle.Grain;
import dev.pulse.oracle.Quantiles;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The API fact tables as a reader sees them, per oracle key: {@code api_request_minutes} summed
 * over its delta rows, and the hour and day rollups merged from their aggregate states; and the
 * comparison of one such row with the oracle's recount (counts, latency sum and max exactly,
 * p50/p95/p99 within the histogram's accuracy, counts under each latency threshold). Each row has
 * the columns r, e5, e4, ls, lm, hb/hc (histogram buckets and counts), ut/uc (thresholds and
 * counts).
 */
public final class ApiFactTables {

  private static final String KEY_COLUMNS = "tenant_id, service, endpoint, method, region";
  private static final String OUTER =
      "SELECT "
          + KEY_COLUMNS
          + ", t, r, e5, e4, ls, lm, h.1 AS hb, h.2 AS hc, u.1 AS ut, u.2 AS uc FROM ";

  private ApiFactTables() {}

  /**
   * {@code api_request_minutes} per key and minute: sum of counts, sumMap of histograms, max of
   * maxima.
   */
  public static Map<ApiKey, JsonNode> minutes(ClickHouse db) {
    return read(
        db,
        Grain.MINUTE,
        "SELECT "
            + KEY_COLUMNS
            + ", toUnixTimestamp(minute) AS t, sum(requests) AS r, sum(errors_5xx) AS e5,"
            + " sum(errors_4xx) AS e4, sum(latency_sum_us) AS ls, max(latency_max_us) AS lm,"
            + " sumMap(latency_buckets, latency_counts) AS h, sumMap(threshold_us, under_threshold) AS u"
            + " FROM api_request_minutes GROUP BY "
            + KEY_COLUMNS
            + ", t");
  }

  /** {@code api_request_hours} per key and hour, merged from its states (-Merge). */
  public static Map<ApiKey, JsonNode> hours(ClickHouse db) {
    return read(db, Grain.HOUR, merged("toUnixTimestamp(hour)", "api_request_hours"));
  }

  /** {@code api_request_days} per key and day, merged from its states (-Merge). */
  public static Map<ApiKey, JsonNode> days(ClickHouse db) {
    // A Date has no time zone; its text is the UTC day the view computed with toDate(minute,
    // 'UTC').
    return read(db, Grain.DAY, merged("toString(day)", "api_request_days"));
  }

  private static String merged(String bucket, String table) {
    return "SELECT "
        + KEY_COLUMNS
        + ", "
        + bucket
        + " AS t, sumMerge(requests) AS r, sumMerge(errors_5xx) AS e5,"
        + " sumMerge(errors_4xx) AS e4, sumMerge(latency_sum_us) AS ls, maxMerge(latency_max_us) AS lm,"
        + " sumMapMerge(latency_hist) AS h, sumMapMerge(under_threshold) AS u"
        + " FROM "
        + table
        + " GROUP BY "
        + KEY_COLUMNS
        + ", t";
  }

  private static Map<ApiKey, JsonNode> read(ClickHouse db, Grain grain, String inner) {
    Map<ApiKey, JsonNode> out = new TreeMap<>();
    for (JsonNode r : db.query(OUTER + "(" + inner + ")")) {
      JsonNode previous = out.put(key(r, grain), r);
      assertThat(previous).as("one row per key at %s", grain).isNull();
    }
    return out;
  }

  private static ApiKey key(JsonNode r, Grain grain) {
    JsonNode t = r.get("t");
    Instant bucket =
        grain == Grain.DAY
            ? LocalDate.parse(t.asText()).atStartOfDay(ZoneOffset.UTC).toInstant()
            : Instant.ofEpochSecond(t.asLong());
    return new ApiKey(
        r.get("tenant_id").asText(),
        r.get("service").asText(),
        r.get("endpoint").asText(),
        r.get("method").asText(),
        r.get("region").asText(),
        grain,
        bucket);
  }

  /**
   * Minutes, hours and days (rollups merged from their states) each equal the oracle, and the
   * rollup check finds no hour or day that differs from its minutes. Returns the requests in the
   * minutes.
   */
  public static long assertEveryGrainEqualsOracle(
      ClickHouse db, ApiOracle oracle, List<Long> thresholdsUs) {
    long total = assertEqualsOracle(minutes(db), oracle, Grain.MINUTE, thresholdsUs);
    assertEqualsOracle(hours(db), oracle, Grain.HOUR, thresholdsUs);
    assertEqualsOracle(days(db), oracle, Grain.DAY, thresholdsUs);
    assertThat(
            new RollupCheck(db)
                .check(
                    Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("2100-01-01T00:00:00Z")))
        .as("hours and days that differ from their minutes")
        .isEmpty();
    return total;
  }

  /**
   * Every key of the oracle's {@code grain} is in {@code actual} and nothing else, and each row
   * agrees with the oracle ({@link #assertAgrees}). Returns the total of requests in {@code
   * actual}.
   */
  public static long assertEqualsOracle(
      Map<ApiKey, JsonNode> actual, ApiOracle oracle, Grain grain, List<Long> thresholdsUs) {
    assertThat(actual.keySet()).as("keys at %s", grain).isEqualTo(oracle.stats(grain).keySet());
    long total = 0;
    for (var entry : oracle.stats(grain).entrySet()) {
      JsonNode got = actual.get(entry.getKey());
      assertAgrees(entry.getKey(), entry.getValue(), got, thresholdsUs);
      total += got.get("r").asLong();
    }
    return total;
  }

  /**
   * Counts, latency sum and max, and the counts under each threshold exactly; p50/p95/p99 from the
   * merged histogram within the sketch's accuracy.
   */
  public static void assertAgrees(
      ApiKey key, ApiStats want, JsonNode got, List<Long> thresholdsUs) {
    String at = key.toString();
    assertThat(got.get("r").asLong()).as("requests %s", at).isEqualTo(want.requests());
    assertThat(got.get("e5").asLong()).as("5xx %s", at).isEqualTo(want.status5xx());
    assertThat(got.get("e4").asLong()).as("4xx %s", at).isEqualTo(want.status4xx());
    long[] latencies = want.latenciesUs();
    assertThat(got.get("ls").asLong())
        .as("latency sum %s", at)
        .isEqualTo(Arrays.stream(latencies).sum());
    assertThat(got.get("lm").asLong())
        .as("latency max %s", at)
        .isEqualTo(latencies[latencies.length - 1]);
    Map<Long, Long> under = map(got.get("ut"), got.get("uc"));
    for (long threshold : thresholdsUs) {
      assertThat(under.getOrDefault(threshold, 0L))
          .as("under %d at %s", threshold, at)
          .isEqualTo(want.countAtOrUnder(threshold));
    }
    int[] buckets = new int[got.get("hb").size()];
    long[] counts = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = got.get("hb").get(i).asInt();
      counts[i] = got.get("hc").get(i).asLong();
    }
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      double p = LatencyBuckets.quantile(buckets, counts, q);
      assertThat(want.sketchAgrees(q, p, Quantiles.SKETCH_ALPHA))
          .as("p%s %s: from ClickHouse %s vs exact %s", q * 100, at, p, want.latencyQuantileUs(q))
          .isTrue();
    }
  }

  private static Map<Long, Long> map(JsonNode keys, JsonNode values) {
    Map<Long, Long> m = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      m.put(keys.get(i).asLong(), values.get(i).asLong());
    }
    return m;
  }

  /**
   * {@code dead_letters FINAL} holds exactly the records of {@code values} that the oracle judges
   * invalid (at {@code ingest}), each once: its original bytes, one row per origin.
   */
  public static void assertDeadLettersHoldEachInvalidRecordOnce(
      ClickHouse db, List<byte[]> values, Instant ingest) {
    List<String> invalid = new ArrayList<>();
    for (byte[] v : values) {
      if (!ApiOracle.judge(v, ingest).valid()) {
        invalid.add(Base64.getEncoder().encodeToString(v));
      }
    }
    List<String> stored = new ArrayList<>();
    Set<String> origins = new HashSet<>();
    for (JsonNode r : db.query("SELECT partition, offset, value_base64 FROM dead_letters FINAL")) {
      stored.add(r.get("value_base64").asText());
      assertThat(origins.add(r.get("partition").asText() + "@" + r.get("offset").asText()))
          .as("one dead-letter row per origin")
          .isTrue();
    }
    assertThat(stored).containsExactlyInAnyOrderElementsOf(invalid);
  }
}
