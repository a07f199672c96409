package dev.pulse.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The oracle's own answers, on cases small enough to work out by hand. */
class ApiOracleTest {

  private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");

  /** The ingest clock: after every event of these cases. */
  private static final Instant NOW = Instant.parse("2026-03-03T00:00:00Z");

  private static int ids;

  private static Instant t(double seconds) {
    return START.plusMillis(Math.round(seconds * 1000));
  }

  private static String newId() {
    return String.format("00000000-0000-4000-8000-%012d", ++ids);
  }

  private static ApiEvent request(Instant at, int status, long latencyUs) {
    return request(newId(), at, "eu-west", status, latencyUs);
  }

  static ApiEvent request(String id, Instant at, String region, int status, long latencyUs) {
    return new ApiEvent(
        id,
        "northfield-academy",
        at.toEpochMilli(),
        "courses-api",
        "/courses/{courseId}",
        "GET",
        status,
        latencyUs,
        region,
        null);
  }

  private static ApiOracle oracle(List<ApiEvent> events) {
    return ApiOracle.ofEvents(events, NOW);
  }

  private static ApiKey key(String region, Grain grain, Instant bucket) {
    return new ApiKey(
        "northfield-academy", "courses-api", "/courses/{courseId}", "GET", region, grain, bucket);
  }

  private static ApiKey minute(Instant bucket) {
    return key("eu-west", Grain.MINUTE, bucket);
  }

  @Test
  void fourRequestsInOneMinuteGiveStatusCountsAndNearestRankPercentiles() {
    ApiOracle oracle =
        oracle(
            List.of(
                request(t(1), 200, 100),
                request(t(15), 404, 200),
                request(t(30), 500, 300),
                request(t(59), 503, 400)));
    ApiStats s = oracle.get(minute(START));
    assertThat(s.requests()).isEqualTo(4);
    assertThat(s.status4xx()).isEqualTo(1);
    assertThat(s.status5xx()).isEqualTo(2);
    assertThat(s.goodForAvailability()).isEqualTo(2);
    // Ranks: p50 = ceil(0.5 * 4) = 2 -> 200; p95 = ceil(3.8) = 4 -> 400; p99 = ceil(3.96) = 4 ->
    // 400.
    assertThat(s.p50()).isEqualTo(200);
    assertThat(s.p95()).isEqualTo(400);
    assertThat(s.p99()).isEqualTo(400);
    assertThat(oracle.stats(Grain.MINUTE)).hasSize(1);
  }

  @Test
  void latencyThresholdCountIncludesARequestOfExactlyTheThreshold() {
    ApiStats s =
        oracle(
                List.of(
                    request(t(1), 200, 100),
                    request(t(2), 200, 200),
                    request(t(3), 200, 201),
                    request(t(4), 200, 5000)))
            .get(minute(START));
    assertThat(s.countAtOrUnder(200)).isEqualTo(2);
    assertThat(s.countAtOrUnder(199)).isEqualTo(1);
    assertThat(s.countAtOrUnder(99)).isZero();
    assertThat(s.countAtOrUnder(5000)).isEqualTo(4);
  }

  @Test
  void aDuplicatedEventIdIsCountedOnceEvenWhenItsCopyDiffers() {
    String id = newId();
    ApiOracle oracle =
        oracle(
            List.of(
                request(id, t(5), "eu-west", 200, 100),
                request(id, t(5), "eu-west", 200, 100),
                // A "copy" with another status: first delivery wins, as the pipeline's dedup keeps
                // the first.
                request(id, t(6), "eu-west", 500, 900),
                request(t(7), 200, 300)));
    ApiStats s = oracle.get(minute(START));
    assertThat(s.requests()).isEqualTo(2);
    assertThat(s.status5xx()).isZero();
    assertThat(s.latenciesUs()).containsExactly(100, 300);
    assertThat(oracle.duplicatesIgnored()).isEqualTo(2);
    assertThat(oracle.counted()).isEqualTo(2);
  }

  @Test
  void aDifferentRegionIsADifferentKey() {
    ApiOracle oracle =
        oracle(
            List.of(
                request(newId(), t(1), "eu-west", 200, 100),
                request(newId(), t(2), "us-east", 500, 700)));
    assertThat(oracle.get(key("eu-west", Grain.MINUTE, START)).requests()).isEqualTo(1);
    assertThat(oracle.get(key("us-east", Grain.MINUTE, START)).status5xx()).isEqualTo(1);
    assertThat(oracle.stats(Grain.MINUTE)).hasSize(2);
  }

  @Test
  void lastMillisecondOfAMinuteAndTheFirstOfTheNextLandInDifferentMinutes() {
    ApiOracle oracle = oracle(List.of(request(t(59.999), 200, 100), request(t(60), 200, 200)));
    assertThat(oracle.get(minute(START)).latenciesUs()).containsExactly(100);
    assertThat(oracle.get(minute(t(60))).latenciesUs()).containsExactly(200);
  }

  @Test
  void hourRollupOfTwoMinutesEqualsTheHandMergedPopulation() {
    ApiOracle oracle =
        oracle(
            List.of(
                request(t(10), 200, 300),
                request(t(20), 500, 100), // 10:00
                request(t(59 * 60 + 1), 404, 1000),
                request(t(59 * 60 + 2), 200, 200), // 10:59
                request(t(59 * 60 + 3), 200, 400),
                request(t(60 * 60), 200, 50))); // 11:00
    ApiStats hour = oracle.get(key("eu-west", Grain.HOUR, START));
    // Hand-merged 10:00-10:59: 100, 200, 300, 400, 1000.
    assertThat(hour.requests()).isEqualTo(5);
    assertThat(hour.status5xx()).isEqualTo(1);
    assertThat(hour.status4xx()).isEqualTo(1);
    assertThat(hour.latenciesUs()).containsExactly(100, 200, 300, 400, 1000);
    assertThat(hour.p50()).isEqualTo(300); // rank ceil(2.5) = 3
    assertThat(hour.p95()).isEqualTo(1000); // rank ceil(4.75) = 5
    assertThat(oracle.get(key("eu-west", Grain.HOUR, t(3600))).requests()).isEqualTo(1);
    ApiStats day = oracle.get(key("eu-west", Grain.DAY, Instant.parse("2026-03-02T00:00:00Z")));
    assertThat(day.requests()).isEqualTo(6);
    assertThat(day.p50()).isEqualTo(200); // 50, 100, 200, 300, 400, 1000: rank 3
  }

  @Test
  void invalidEventsAreNotCountedAndDoNotHideALaterValidCopy() {
    String id = newId();
    ApiOracle oracle =
        oracle(
            List.of(
                request(t(1), 200, 100),
                request(t(2), 999, 100),
                request("not-a-uuid", t(3), "eu-west", 200, 100),
                request(newId(), Instant.ofEpochMilli(42), "eu-west", 200, 100),
                // Invalid first (status 0), then valid: the valid copy is counted.
                request(id, t(4), "eu-west", 0, 100),
                request(id, t(4), "eu-west", 200, 100)));
    assertThat(oracle.counted()).isEqualTo(2);
    assertThat(oracle.invalidIgnored()).isEqualTo(4);
    assertThat(oracle.duplicatesIgnored()).isZero();
    assertThat(oracle.stats(Grain.MINUTE)).containsOnlyKeys(minute(START));
  }

  @Test
  void theSameUuidInAnotherCaseIsADuplicateButFromAnotherTenantItIsNot() {
    String id = "0000000a-000b-4000-8000-00000000000c";
    ApiEvent lower = request(id, t(1), "eu-west", 200, 100);
    ApiOracle oracle =
        oracle(
            List.of(
                lower,
                lower.withEventId(id.toUpperCase(java.util.Locale.ROOT)),
                lower.withTenantId("southfield-college")));
    assertThat(oracle.counted()).isEqualTo(2);
    assertThat(oracle.duplicatesIgnored()).isEqualTo(1);
    assertThat(oracle.countedEvents())
        .extracting(ApiEvent::tenantId)
        .containsExactly("northfield-academy", "southfield-college");
  }

  @Test
  void nearestRankFollowsCeilingOfQTimesN() {
    assertThat(Quantiles.nearestRank(0.95, 20)).isEqualTo(19);
    assertThat(Quantiles.nearestRank(0.95, 21)).isEqualTo(20);
    assertThat(Quantiles.nearestRank(0.5, 1)).isEqualTo(1);
    assertThat(Quantiles.nearestRank(0.0, 5)).isEqualTo(1);
    assertThat(Quantiles.nearestRank(1.0, 5)).isEqualTo(5);
    // 0.07 * 100 is 7.000000000000001 in floating point: still rank 7.
    assertThat(Quantiles.nearestRank(0.07, 100)).isEqualTo(7);
    assertThatThrownBy(() -> Quantiles.nearestRank(1.5, 5)).hasMessageContaining("[0, 1]");
    assertThatThrownBy(() -> Quantiles.nearestRank(0.5, 0)).hasMessageContaining("empty");
  }

  @Test
  void aZeroLatencyIsComparedAsOneMicrosecondAsTheContractStoresIt() {
    ApiStats s = oracle(List.of(request(t(1), 200, 0))).get(minute(START));
    assertThat(s.p50()).isZero();
    assertThat(s.sketchAgrees(0.5, 1.01, Quantiles.SKETCH_ALPHA)).isTrue();
    assertThat(s.sketchAgrees(0.5, 1.02, Quantiles.SKETCH_ALPHA)).isFalse();
  }

  @Test
  void relativeErrorToleranceIsInclusiveAtAlphaTimesExact() {
    assertThat(Quantiles.withinRelativeError(1000, 1010, 0.01)).isTrue();
    assertThat(Quantiles.withinRelativeError(1000, 990, 0.01)).isTrue();
    assertThat(Quantiles.withinRelativeError(1000, 1010.5, 0.01)).isFalse();
    assertThat(Quantiles.withinRelativeError(1000, 989, 0.01)).isFalse();
  }

  @Test
  void theSketchBucketOfTheNearestRankValueIsAcceptedAndAOnePercentMissIsNot() {
    // The pipeline answers with the representative value of the DDSketch bucket holding the
    // nearest-rank latency; check the tolerance against the real library's mapping.
    var mapping =
        new com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping(Quantiles.SKETCH_ALPHA);
    SplittableRandom r = new SplittableRandom(7);
    List<ApiEvent> events = new ArrayList<>();
    for (int i = 0; i < 997; i++) {
      events.add(request(t(r.nextInt(60_000) / 1000.0), 200, 50 + r.nextInt(2_000_000)));
    }
    ApiStats s = oracle(events).get(minute(START));
    assertThat(s.requests()).isEqualTo(997);
    long[] sorted = events.stream().mapToLong(ApiEvent::latencyUs).sorted().toArray();
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      long exact = sorted[(int) Math.ceil(q * 997) - 1];
      assertThat(s.latencyQuantileUs(q)).isEqualTo(exact);
      double sketch = mapping.value(mapping.index(exact));
      assertThat(s.sketchAgrees(q, sketch, Quantiles.SKETCH_ALPHA)).as("q=" + q).isTrue();
      assertThat(s.sketchAgrees(q, exact * 1.0101, Quantiles.SKETCH_ALPHA)).isFalse();
    }
    assertThat(Arrays.stream(s.latenciesUs()).sum()).isEqualTo(Arrays.stream(sorted).sum());
  }
}
