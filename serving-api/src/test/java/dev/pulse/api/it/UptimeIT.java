package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Uptime and incidents through GraphQL against the running application and the real {@code
 * probe_minutes} (rows written here as the probe job writes them, late rows included; every
 * expected number worked out by hand in the comments): each target's uptime, mean latency, regions
 * and series, per minute and in coarser buckets; the incidents by the rule of docs/slo.md, whole
 * when they run across a bound of the range, the newest one ongoing; nothing of another tenant;
 * educators and bad arguments refused.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UptimeIT {

  private static TestClickHouse server;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
  }

  @LocalServerPort private int port;

  private static final String TENANT = "uptime-it";
  private static final String OTHER = "uptime-other";
  private static final String SRE = TestIdentity.sre(TENANT);
  private static final String ANALYST =
      TestIdentity.caller("ana").tenant(TENANT).roles("analyst").sign();
  private static final String EDUCATOR =
      TestIdentity.caller("erin").tenant(TENANT).roles("educator").courses("c-1").sign();

  private static final String GRADES = "grades-api/health";
  private static final String COURSES = "courses-api/health";
  private static final String SEARCH = "search-api/health";
  private static final String EU = "eu-west";
  private static final String US = "us-east";
  private static final String AP = "ap-south";

  private static final Instant M0 = Instant.parse("2026-03-02T10:00:00Z");

  /** The minute {@code i} minutes after 10:00 on 2 March 2026. */
  private static Instant m(int i) {
    return M0.plus(Duration.ofMinutes(i));
  }

  @BeforeAll
  static void probeMinutes(TestClickHouse ch) {
    server = ch;
    ClickHouse db = ch.migratedDatabase();
    List<String> rows = new ArrayList<>();
    // grades-api/health, checked twice a minute from each of eu-west, us-east and ap-south (6
    // checks a minute) from 10:00 to 10:09, successes per region (eu, us, ap):
    //   10:00 (2, 2, 2)  all up
    //   10:01 (1, 2, 2)  a blip: 1 of 6 failed, not down
    //   10:02 (2, 2, 0)  ap-south cannot reach it: 2 of 6 failed, not down
    //   10:03 (0, 2, 0)  4 of 6 failed: down (eu-west, ap-south failed)
    //   10:04 (0, 0, 2)  down (eu-west, us-east); us-east's checks in two rows, on time and late
    //   10:05 (0, 2, 1)  3 of 6 failed: exactly half, not down
    //   10:06 (0, 0, 0)  down, every region; ap-south's two checks timed out (5000 ms each)
    //   10:07            no check at all: ends the run (no data is not downtime)
    //   10:08 (0, 0, 2)  down (eu-west, us-east)
    //   10:09 (0, 0, 2)  down (eu-west, us-east): the latest minute with checks
    // Incidents: A 10:03-10:05 (eu-west, ap-south, then us-east), B 10:06-10:07 (all three),
    // C 10:08-10:10 (eu-west, us-east), ongoing. Latency: 100 ms a check from eu-west, 200 from
    // us-east, 300 from ap-south (but 10:06's timeouts).
    int[][] grades = {
      {2, 2, 2}, {1, 2, 2}, {2, 2, 0}, {0, 2, 0}, {0, 0, 2}, {0, 2, 1}, {0, 0, 0}, null, {0, 0, 2},
      {0, 0, 2}
    };
    for (int i = 0; i < grades.length; i++) {
      if (grades[i] == null) {
        continue;
      }
      rows.add(row(TENANT, GRADES, EU, m(i), 2, grades[i][0], 200));
      if (i == 4) {
        rows.add(row(TENANT, GRADES, US, m(i), 1, 0, 200));
        rows.add(row(TENANT, GRADES, US, m(i), 1, 0, 200));
      } else {
        rows.add(row(TENANT, GRADES, US, m(i), 2, grades[i][1], 400));
      }
      rows.add(row(TENANT, GRADES, AP, m(i), 2, grades[i][2], i == 6 ? 10_000 : 600));
    }
    // courses-api/health: eu-west 2 of 2 a minute at 50 ms from 10:00 to 10:04 (10:02 in two
    // rows); us-east only at 10:00 and 10:01, 1 of 2 at 400 ms. Never down (10:00: 1 of 4 failed).
    for (int i = 0; i < 5; i++) {
      if (i == 2) {
        rows.add(row(TENANT, COURSES, EU, m(i), 1, 1, 50));
        rows.add(row(TENANT, COURSES, EU, m(i), 1, 1, 50));
      } else {
        rows.add(row(TENANT, COURSES, EU, m(i), 2, 2, 100));
      }
      if (i < 2) {
        rows.add(row(TENANT, COURSES, US, m(i), 2, 1, 800));
      }
    }
    // search-api/health, from eu-west only: down (0 of 2, timeouts of 5000 ms) every minute from
    // 27 February 00:00 to 2 March 10:00 (3 days 10 hours and a minute: 4921 minutes), then up (2
    // of 2 at 80 ms) from 10:01 to 10:09. One incident, 2026-02-27T00:00 - 2026-03-02T10:01.
    Instant down = Instant.parse("2026-02-27T00:00:00Z");
    for (Instant t = down; !t.isAfter(M0); t = t.plusSeconds(60)) {
      rows.add(row(TENANT, SEARCH, EU, t, 2, 0, 10_000));
    }
    for (int i = 1; i < 10; i++) {
      rows.add(row(TENANT, SEARCH, EU, m(i), 2, 2, 160));
    }
    // Another tenant: grades-api/health down from eu-west 10:00 to 10:15 (later than ours: it must
    // not make ours look ended), and a target of its own.
    for (int i = 0; i < 16; i++) {
      rows.add(row(OTHER, GRADES, EU, m(i), 2, 0, 200));
      rows.add(row(OTHER, "other-only/health", EU, m(i), 2, 2, 20));
    }
    for (int from = 0; from < rows.size(); from += 1000) {
      db.execute(
          "INSERT INTO probe_minutes (tenant_id, target, region, minute, checks, successes,"
              + " latency_ms_sum, batch_id) VALUES "
              + String.join(", ", rows.subList(from, Math.min(rows.size(), from + 1000))));
    }
  }

  private static String row(
      String tenant,
      String target,
      String region,
      Instant minute,
      long checks,
      long successes,
      long latencyMsSum) {
    return "('%s', '%s', '%s', toDateTime(%d), %d, %d, %d, 'uptime-it-batch')"
        .formatted(
            tenant, target, region, minute.getEpochSecond(), checks, successes, latencyMsSum);
  }

  private JsonNode ask(String token, String query) throws Exception {
    JsonNode answer = ApiClient.post(port, token, query, Map.of());
    assertThat(answer.path("errors")).as(answer.toString()).isEmpty();
    return answer.get("data");
  }

  private String refusal(String token, String query) throws Exception {
    JsonNode answer = ApiClient.post(port, token, query, Map.of());
    assertThat(answer.at("/errors/0/message").asText()).as(answer.toString()).isNotBlank();
    return answer.at("/errors/0/extensions/classification").asText();
  }

  private static final String NUMBERS = "checks successes uptime meanLatencyMs";

  private JsonNode uptime(String token, String arguments) throws Exception {
    return ask(
            token,
            "{ uptime("
                + arguments
                + ") { from to bucketMinutes targets { target "
                + NUMBERS
                + " regions { region "
                + NUMBERS
                + " } series { time "
                + NUMBERS
                + " } } } }")
        .get("uptime");
  }

  private static String range(String from, String to) {
    return "from: \"" + from + "\", to: \"" + to + "\"";
  }

  private static final String TEN_MINUTES = range("2026-03-02T10:00:00Z", "2026-03-02T10:10:00Z");

  private static void assertNumbers(
      JsonNode n, long checks, long successes, double uptime, double meanLatencyMs) {
    assertThat(n.get("checks").asLong()).as(n.toString()).isEqualTo(checks);
    assertThat(n.get("successes").asLong()).as(n.toString()).isEqualTo(successes);
    assertThat(n.get("uptime").asDouble()).as(n.toString()).isEqualTo(uptime);
    assertThat(n.get("meanLatencyMs").asDouble()).as(n.toString()).isEqualTo(meanLatencyMs);
  }

  @Test
  void eachTargetsUptimeIsItsSummedSuccessesOverItsSummedChecksLowestFirst() throws Exception {
    JsonNode uptime = uptime(SRE, TEN_MINUTES);
    assertThat(uptime.get("from").asText()).isEqualTo("2026-03-02T10:00:00Z");
    assertThat(uptime.get("to").asText()).isEqualTo("2026-03-02T10:10:00Z");
    assertThat(uptime.get("bucketMinutes").asInt()).isEqualTo(1);
    // grades 26/54 = 0.48, courses 12/14 = 0.86, search 18/20 = 0.9; nothing of uptime-other.
    JsonNode targets = uptime.get("targets");
    assertThat(targets.findValuesAsText("target")).containsExactly(GRADES, COURSES, SEARCH);

    // grades: 9 minutes with checks x 6 = 54 checks; successes 6 + 5 + 4 + 2 + 2 + 3 + 0 + 2 + 2
    // = 26. Latency: eu-west 18 x 100 = 1800, us-east 18 x 200 = 3600, ap-south 8 x 600 + 10,000
    // = 14,800; (1800 + 3600 + 14,800) / 54.
    JsonNode grades = targets.get(0);
    assertNumbers(grades, 54, 26, 26.0 / 54, 20_200.0 / 54);
    // By region name: ap-south 2+2+0+0+2+1+0+2+2 = 11; eu-west 2+1+2 = 5; us-east 2+2+2+2+2 = 10.
    JsonNode regions = grades.get("regions");
    assertThat(regions.findValuesAsText("region")).containsExactly(AP, EU, US);
    assertNumbers(regions.get(0), 18, 11, 11.0 / 18, 14_800.0 / 18);
    assertNumbers(regions.get(1), 18, 5, 5.0 / 18, 100);
    assertNumbers(regions.get(2), 18, 10, 10.0 / 18, 200);
    // One point per minute with checks: 10:07 absent.
    JsonNode series = grades.get("series");
    assertThat(series.findValuesAsText("time"))
        .containsExactly(
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:01:00Z",
            "2026-03-02T10:02:00Z",
            "2026-03-02T10:03:00Z",
            "2026-03-02T10:04:00Z",
            "2026-03-02T10:05:00Z",
            "2026-03-02T10:06:00Z",
            "2026-03-02T10:08:00Z",
            "2026-03-02T10:09:00Z");
    assertThat(series.findValuesAsText("successes"))
        .containsExactly("6", "5", "4", "2", "2", "3", "0", "2", "2");
    // 10:04: us-east's two rows summed, 2 checks; 200 + 400 + 600 ms over 6 checks.
    assertNumbers(series.get(4), 6, 2, 2.0 / 6, 200);
    // 10:06: 200 + 400 + 10,000 ms over 6 checks.
    assertNumbers(series.get(6), 6, 0, 0, 10_600.0 / 6);

    // courses: eu-west 10 of 10 at 50 ms, us-east 2 of 4 at 400 ms: 12 of 14, (500 + 1600) / 14
    // = 150 ms (not the regions' mean of means, 225).
    JsonNode courses = targets.get(1);
    assertNumbers(courses, 14, 12, 12.0 / 14, 150);
    assertNumbers(courses.at("/regions/0"), 10, 10, 1, 50);
    assertNumbers(courses.at("/regions/1"), 4, 2, 0.5, 400);
    // 10:00: 3 of 4, (100 + 800) / 4; 10:02: eu-west's two rows, 2 of 2.
    assertNumbers(courses.at("/series/0"), 4, 3, 0.75, 225);
    assertNumbers(courses.at("/series/2"), 2, 2, 1, 50);
    assertThat(courses.get("series")).hasSize(5);

    // search: 10:00 down (0 of 2, 10,000 ms), 10:01 .. 10:09 up (2 of 2, 160 ms): 18 of 20,
    // (10,000 + 9 x 160) / 20 = 572.
    JsonNode search = targets.get(2);
    assertNumbers(search, 20, 18, 0.9, 572);
    assertThat(search.get("regions").findValuesAsText("region")).containsExactly(EU);

    // Analysts read it too, the same; a tenant without probes has no target.
    assertThat(uptime(ANALYST, TEN_MINUTES)).isEqualTo(uptime);
    assertThat(uptime(TestIdentity.sre("uptime-nobody"), TEN_MINUTES).get("targets")).isEmpty();
  }

  @Test
  void oneTargetPartOfMinutesAndAnotherTenantsTargets() throws Exception {
    JsonNode courses = uptime(SRE, TEN_MINUTES + ", target: \"" + COURSES + "\"").get("targets");
    assertThat(courses.findValuesAsText("target")).containsExactly(COURSES);
    assertThat(courses.get(0)).isEqualTo(uptime(SRE, TEN_MINUTES).get("targets").get(1));
    // The minutes that start in [10:00:30, 10:02): 10:01 only. grades 5 of 6; courses 3 of 4;
    // search 2 of 2.
    JsonNode part =
        uptime(SRE, range("2026-03-02T10:00:30Z", "2026-03-02T10:02:00Z")).get("targets");
    assertThat(part.findValuesAsText("target")).containsExactly(COURSES, GRADES, SEARCH);
    assertThat(part).extracting(t -> t.get("successes").asLong()).containsExactly(3L, 5L, 2L);
    assertThat(part.get(1).get("series").findValuesAsText("time"))
        .containsExactly("2026-03-02T10:01:00Z");
    // A target that is no target: nothing, whatever it contains.
    assertThat(uptime(SRE, TEN_MINUTES + ", target: \"x' OR 1 = 1 --\"").get("targets")).isEmpty();
    assertThat(uptime(SRE, TEN_MINUTES + ", target: \"other-only/health\"").get("targets"))
        .isEmpty();
    // The other tenant's own: its grades 0 of 32 from eu-west, and its own target.
    JsonNode theirs = uptime(TestIdentity.sre(OTHER), TEN_MINUTES).get("targets");
    assertThat(theirs.findValuesAsText("target")).containsExactly(GRADES, "other-only/health");
    assertNumbers(theirs.get(0), 20, 0, 0, 100);
    assertThat(theirs.get(0).get("regions").findValuesAsText("region")).containsExactly(EU);
  }

  @Test
  void aLongRangeHasCoarserBucketsEachTheSumOfItsMinutes() throws Exception {
    // Two days: 2880 minutes are more than 1500 points; by 2 minutes 1440 fit.
    JsonNode uptime = uptime(SRE, range("2026-03-01T10:00:00Z", "2026-03-03T10:00:00Z"));
    assertThat(uptime.get("bucketMinutes").asInt()).isEqualTo(2);
    // search now has its outage from 1 March 10:00: 1440 + 10 minutes x 2 = 2900 checks, 18 of
    // them passed; 2882 x 5000 ms + 18 x 80 ms.
    JsonNode targets = uptime.get("targets");
    assertThat(targets.findValuesAsText("target")).containsExactly(SEARCH, GRADES, COURSES);
    assertNumbers(targets.get(0), 2900, 18, 18.0 / 2900, (2882 * 5000.0 + 18 * 80) / 2900);
    assertThat(targets.get(0).get("series")).hasSize(725);
    assertNumbers(targets.at("/0/series/0"), 4, 0, 0, 5000);
    assertThat(targets.at("/0/series/0/time").asText()).isEqualTo("2026-03-01T10:00:00Z");
    // grades by 2 minutes: 10:00 + 10:01 = 11 of 12, 10:02 + 10:03 = 6, 10:04 + 10:05 = 5, 10:06
    // alone (10:07 had none) = 0 of 6, 10:08 + 10:09 = 4.
    JsonNode grades = targets.get(1).get("series");
    assertThat(grades.findValuesAsText("time"))
        .containsExactly(
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:02:00Z",
            "2026-03-02T10:04:00Z",
            "2026-03-02T10:06:00Z",
            "2026-03-02T10:08:00Z");
    assertThat(grades.findValuesAsText("checks")).containsExactly("12", "12", "12", "6", "12");
    assertThat(grades.findValuesAsText("successes")).containsExactly("11", "6", "5", "0", "4");
    // 10:02 + 10:03: eu 400, us 800, ap 1200 ms over 12 checks.
    assertNumbers(grades.get(1), 12, 6, 0.5, 200);
    // The totals do not depend on the buckets.
    assertNumbers(targets.get(1), 54, 26, 26.0 / 54, 20_200.0 / 54);
  }

  private static final String INCIDENT =
      "target start end durationSeconds downMinutes regions ongoing";

  private JsonNode incidents(String token, String arguments) throws Exception {
    return ask(token, "{ incidents(" + arguments + ") { " + INCIDENT + " } }").get("incidents");
  }

  /** An incident as "target start - end minutes regions [ongoing]". */
  private static List<String> shown(JsonNode incidents) {
    List<String> out = new ArrayList<>();
    for (JsonNode i : incidents) {
      Instant start = Instant.parse(i.get("start").asText());
      Instant end = Instant.parse(i.get("end").asText());
      assertThat(i.get("durationSeconds").asLong())
          .isEqualTo(Duration.between(start, end).toSeconds())
          .isEqualTo(i.get("downMinutes").asLong() * 60);
      List<String> regions = new ArrayList<>();
      i.get("regions").forEach(r -> regions.add(r.asText()));
      out.add(
          i.get("target").asText()
              + " "
              + start
              + " - "
              + end
              + " "
              + i.get("downMinutes").asLong()
              + " "
              + regions
              + (i.get("ongoing").asBoolean() ? " ongoing" : ""));
    }
    return out;
  }

  private static final String A =
      GRADES + " 2026-03-02T10:03:00Z - 2026-03-02T10:05:00Z 2 [ap-south, eu-west, us-east]";
  private static final String B =
      GRADES + " 2026-03-02T10:06:00Z - 2026-03-02T10:07:00Z 1 [ap-south, eu-west, us-east]";
  private static final String C =
      GRADES + " 2026-03-02T10:08:00Z - 2026-03-02T10:10:00Z 2 [eu-west, us-east] ongoing";
  private static final String SEARCH_OUTAGE =
      SEARCH + " 2026-02-27T00:00:00Z - 2026-03-02T10:01:00Z 4921 [eu-west]";

  @Test
  void theIncidentsAreTheRunsOfDownMinutesNewestFirstTheLatestOngoing() throws Exception {
    // Newest first: C (10:08), B (10:06), A (10:03); search's outage runs into the range from 27
    // February (followed back through windows of 1, 2 and 4 days); courses never was down.
    JsonNode all = incidents(SRE, TEN_MINUTES);
    assertThat(shown(all)).containsExactly(C, B, A, SEARCH_OUTAGE);
    JsonNode c = all.get(0);
    assertThat(c.get("start").asText()).isEqualTo("2026-03-02T10:08:00Z");
    assertThat(c.get("end").asText()).isEqualTo("2026-03-02T10:10:00Z");
    assertThat(c.get("durationSeconds").asLong()).isEqualTo(120);
    assertThat(c.get("ongoing").asBoolean()).isTrue();
    // search's: 4921 minutes = 295,260 s; it ended at 10:01, and search was checked after.
    assertThat(all.get(3).get("durationSeconds").asLong()).isEqualTo(295_260);
    assertThat(all.get(3).get("ongoing").asBoolean()).isFalse();

    assertThat(shown(incidents(SRE, TEN_MINUTES + ", limit: 2"))).containsExactly(C, B);
    // The fourth and last starts at the range's start: still exactly the four.
    assertThat(shown(incidents(SRE, TEN_MINUTES + ", limit: 4")))
        .containsExactly(C, B, A, SEARCH_OUTAGE);
    assertThat(shown(incidents(SRE, TEN_MINUTES + ", target: \"" + SEARCH + "\"")))
        .containsExactly(SEARCH_OUTAGE);
    assertThat(incidents(SRE, TEN_MINUTES + ", target: \"" + COURSES + "\"")).isEmpty();
    assertThat(incidents(ANALYST, TEN_MINUTES)).isEqualTo(all);
  }

  @Test
  void anIncidentAcrossABoundIsGivenWhole() throws Exception {
    // From 10:04: A's 10:04 is in the range, its start (10:03) is not; search's outage is before.
    assertThat(shown(incidents(SRE, range("2026-03-02T10:04:00Z", "2026-03-02T10:10:00Z"))))
        .containsExactly(C, B, A);
    // To 10:04: A's 10:03 is in, its 10:04 (followed forward) is not; C has not happened yet,
    // A is not ongoing (grades was checked up to 10:09).
    assertThat(shown(incidents(SRE, range("2026-03-02T10:00:00Z", "2026-03-02T10:04:00Z"))))
        .containsExactly(A, SEARCH_OUTAGE);
    // 09:00 .. 10:00: only search's outage, followed both ways.
    assertThat(shown(incidents(SRE, range("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"))))
        .containsExactly(SEARCH_OUTAGE);
    // The minutes that start in [10:03:30, 10:04:30): 10:04 only, A's second minute.
    assertThat(shown(incidents(SRE, range("2026-03-02T10:03:30Z", "2026-03-02T10:04:30Z"))))
        .containsExactly(A);
    // After the latest checks, and within one minute's seconds: nothing.
    assertThat(incidents(SRE, range("2026-03-02T10:10:00Z", "2026-03-02T11:00:00Z"))).isEmpty();
    assertThat(incidents(SRE, range("2026-03-02T10:03:10Z", "2026-03-02T10:03:50Z"))).isEmpty();
  }

  @Test
  void anotherTenantsIncidentsAreItsOwn() throws Exception {
    // uptime-other's grades: down from 10:00 to 10:15 from eu-west, its latest minute.
    assertThat(shown(incidents(TestIdentity.sre(OTHER), TEN_MINUTES)))
        .containsExactly(
            GRADES + " 2026-03-02T10:00:00Z - 2026-03-02T10:16:00Z 16 [eu-west] ongoing");
    // And its later checks of grades do not end ours (C stays ongoing).
    assertThat(shown(incidents(SRE, TEN_MINUTES + ", target: \"" + GRADES + "\"")))
        .containsExactly(C, B, A);
    assertThat(incidents(TestIdentity.sre("uptime-nobody"), TEN_MINUTES)).isEmpty();
  }

  @Test
  void educatorsAndBadArgumentsAreRefused() throws Exception {
    assertThat(refusal(EDUCATOR, "{ uptime(" + TEN_MINUTES + ") { bucketMinutes } }"))
        .isEqualTo("FORBIDDEN");
    assertThat(refusal(EDUCATOR, "{ incidents(" + TEN_MINUTES + ") { target } }"))
        .isEqualTo("FORBIDDEN");
    List<String> ranges =
        List.of(
            range("2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z"),
            range("2026-03-02T11:00:00Z", "2026-03-02T10:00:00Z"),
            range("2025-01-01T00:00:00Z", "2026-03-02T10:00:00Z"),
            range("1969-12-31T00:00:00Z", "1970-01-02T00:00:00Z"),
            range("2105-12-31T00:00:00Z", "2106-01-02T00:00:00Z"),
            TEN_MINUTES + ", target: \"" + "a".repeat(300) + "\"");
    for (String arguments : ranges) {
      assertThat(refusal(SRE, "{ uptime(" + arguments + ") { bucketMinutes } }"))
          .as(arguments)
          .isEqualTo("BAD_REQUEST");
      assertThat(refusal(SRE, "{ incidents(" + arguments + ") { target } }"))
          .as(arguments)
          .isEqualTo("BAD_REQUEST");
    }
    for (String limit : List.of("0", "1001", "-1")) {
      assertThat(
              refusal(SRE, "{ incidents(" + TEN_MINUTES + ", limit: " + limit + ") { target } }"))
          .as(limit)
          .isEqualTo("BAD_REQUEST");
    }
  }
}
