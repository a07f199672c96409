package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.metrics.LatencyBuckets;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * Video QoE through GraphQL against the running application and the real QoE tables (rows written
 * here, every expected number worked out by hand in the comments): series at each granularity,
 * breakdowns ranked by impact, one view's facts and timeline, the live minutes, the educators'
 * videos, and nothing of another tenant or of a course the educator's token does not name.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class QoeIT {

  private static TestClickHouse server;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "200ms");
  }

  @LocalServerPort private int port;

  private static final String MINUTE_COLUMNS =
      "INSERT INTO playback_minutes (tenant_id, video_id, course_id, cdn, region, device, player,"
          + " minute, views_started, views_ended, start_failures, successes, startups,"
          + " startup_ms_sum, startup_buckets, startup_counts, rebuffers, rebuffer_ms, view_ms,"
          + " playing_ms, bitrate_kbps_ms, bitrate_ms, startup_score_sum, startup_scores,"
          + " experience_score_sum, experience_scores, active_ms, batch_id) VALUES ";

  private static final String VIEW_COLUMNS =
      "INSERT INTO playback_views (tenant_id, view_id, video_id, course_id, user_id, cdn, region,"
          + " device, player, view_start, view_start_ms, view_end_ms, ended_by, outcome,"
          + " startup_ms, rebuffers, rebuffer_ms, view_ms, playing_ms, bitrate_kbps_ms,"
          + " bitrate_ms, errors, exit_playhead_ms, startup_score, smoothness_score,"
          + " playback_score, experience_score, version) VALUES ";

  private static final String EVENT_COLUMNS =
      "INSERT INTO playback_events_raw (event_id, tenant_id, event_time, event_time_ms, view_id,"
          + " video_id, course_id, user_id, type, bitrate_kbps, playhead_ms, error_code, fatal,"
          + " cdn, region, device, player) VALUES ";

  private static final String SRE = TestIdentity.sre("qoe-t");
  private static final String EDUCATOR =
      TestIdentity.caller("erin").tenant("qoe-t").roles("educator").courses("c-1").sign();

  private static final int B1000 = LatencyBuckets.bucketOf(1000);
  private static final int B4000 = LatencyBuckets.bucketOf(4000);

  /** A minute for the live test, recent so it is the tenant's latest. */
  private static final Instant LIVE = Instant.now().truncatedTo(ChronoUnit.MINUTES);

  @BeforeAll
  static void facts(TestClickHouse ch) {
    server = ch;
    ClickHouse db = ch.migratedDatabase();
    // A, 10:00, cloudfront / ap-south: 2 views ended, one a start failure (experience 0), one a
    // success (startup 4 s, score 66.667; experience 70); 2 rebuffers, 6 s of 60 s view time;
    // 50 s playing at 800 kbps; 90 s active.
    // B, 10:00, akamai / eu-west: 4 successes, startup 1 s each, experience 95 each (380 in all);
    // 240 s view time, 236 s playing, no bitrate known; 240 s active.
    // C, 10:01, akamai / eu-west, video v-2 of c-2: one success scored 90, then a late correction
    // (-90 + 80): net one view scored 80.
    db.execute(
        MINUTE_COLUMNS
            + "('qoe-t', 'v-1', 'c-1', 'cloudfront', 'ap-south', 'phone', 'p1', '2026-03-02"
            + " 10:00:00', 2, 2, 1, 1, 1, 4000, ["
            + B4000
            + "], [1], 2, 6000, 60000, 50000, 40000000, 50000, 66667, 1, 70000, 2, 90000, 'b'),"
            + " ('qoe-t', 'v-1', 'c-1', 'akamai', 'eu-west', 'desktop', 'p2', '2026-03-02"
            + " 10:00:00', 4, 4, 0, 4, 4, 4000, ["
            + B1000
            + "], [4], 0, 0, 240000, 236000, 0, 0, 400000, 4, 380000, 4, 240000, 'b'),"
            + " ('qoe-t', 'v-2', 'c-2', 'akamai', 'eu-west', 'desktop', 'p2', '2026-03-02"
            + " 10:01:00', 0, 1, 0, 1, 0, 0, [], [], 0, 0, 30000, 30000, 0, 0, 0, 0, 90000, 1,"
            + " 30000, 'b'), ('qoe-t', 'v-2', 'c-2', 'akamai', 'eu-west', 'desktop', 'p2',"
            + " '2026-03-02 10:01:00', 0, 0, 0, 0, 0, 0, [], [], 0, 0, 0, 0, 0, 0, 0, 0, -10000,"
            + " 0, 0, 'b2')");
    // Another tenant with the same dimensions: never seen.
    db.execute(
        MINUTE_COLUMNS
            + "('qoe-other', 'v-1', 'c-1', 'cloudfront', 'ap-south', 'phone', 'p1', '2026-03-02"
            + " 10:00:00', 50, 50, 50, 0, 0, 0, [], [], 0, 0, 0, 0, 0, 0, 0, 0, 0, 50, 0, 'b')");

    // One view of v-1 (course c-1), corrected once: version 2 is the latest.
    long s = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
    for (int version = 1; version <= 2; version++) {
      db.execute(
          VIEW_COLUMNS
              + "('qoe-t', 'view-1', 'v-1', 'c-1', 'u-1', 'cloudfront', 'ap-south', 'phone', 'p1',"
              + " '2026-03-02 10:00:00', "
              + s
              + ", "
              + (s + 64_000)
              + ", 'VIEW_END', 'success', 4000, "
              + version
              + ", 6000, 60000, 50000, 40000000, 50000, 0, 125000, 66667, 70000, 100000, "
              + (version == 1 ? 80000 : 70000)
              + ", "
              + version
              + ")");
    }
    // Its events: FIRST_FRAME inserted before the VIEW_START of the same millisecond, and one
    // event stored twice (the at-least-once raw sink).
    db.execute(
        EVENT_COLUMNS
            + event("e-2", s, "FIRST_FRAME", "800", 0)
            + ", "
            + event("e-1", s, "VIEW_START", "NULL", 0)
            + ", "
            + event("e-3", s + 64_000, "VIEW_END", "NULL", 125_000)
            + ", "
            + event("e-3", s + 64_000, "VIEW_END", "NULL", 125_000));
    // c-1's views for its educator: v-1 watched by u-1 (view-1, exit at 2:05), by u-1 again (exit
    // at 0:30) and by u-2 who gave up before the first frame; a view that started the day after;
    // c-2's view, not the educator's.
    db.execute(
        VIEW_COLUMNS
            + view("view-2", "v-1", "c-1", "u-1", "2026-03-02T11:00:00Z", "success", 30_000, 90000)
            + ", "
            + view(
                "view-3",
                "v-1",
                "c-1",
                "u-2",
                "2026-03-02T12:00:00Z",
                "exit-before-start",
                0,
                50000)
            + ", "
            + view("view-4", "v-1", "c-1", "u-3", "2026-03-03T12:00:00Z", "success", 0, 100000)
            + ", "
            + view("view-5", "v-2", "c-2", "u-9", "2026-03-02T12:00:00Z", "success", 0, 100000));
    db.execute(
        VIEW_COLUMNS
            + "('qoe-other', 'view-1', 'v-1', 'c-1', 'spy', 'x', 'x', 'x', 'x', '2026-03-02"
            + " 10:00:00', "
            + s
            + ", "
            + s
            + ", 'idle', 'success', -1, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, 9)");
  }

  private static String event(String id, long t, String type, String bitrate, long playhead) {
    return ("('%s', 'qoe-t', toDateTime(%d), %d, 'view-1', 'v-1', 'c-1', 'u-1', '%s', %s, %d,"
            + " NULL, 0, 'cloudfront', 'ap-south', 'phone', 'p1')")
        .formatted(id, t / 1000, t, type, bitrate, playhead);
  }

  private static String view(
      String id,
      String video,
      String course,
      String user,
      String start,
      String outcome,
      long exitPlayhead,
      int experience) {
    long s = Instant.parse(start).toEpochMilli();
    return ("('qoe-t', '%s', '%s', '%s', '%s', 'akamai', 'eu-west', 'desktop', 'p2', toDateTime(%d),"
            + " %d, %d, 'VIEW_END', '%s', 1000, 0, 0, 60000, 40000, 0, 0, 0, %d, 88889, 100000,"
            + " 100000, %d, 1)")
        .formatted(
            id, video, course, user, s / 1000, s, s + 60_000, outcome, exitPlayhead, experience);
  }

  private JsonNode ask(String token, String query) throws Exception {
    JsonNode answer = ApiClient.post(port, token, query, Map.of());
    assertThat(answer.path("errors")).as(answer.toString()).isEmpty();
    return answer.get("data");
  }

  private String refusal(String token, String query) throws Exception {
    return ApiClient.post(port, token, query, Map.of())
        .at("/errors/0/extensions/classification")
        .asText();
  }

  private static final String METRICS =
      "metrics { viewsStarted viewsEnded startFailures failureRate startups startupTimeMeanMs"
          + " startupTimeP50Ms startupTimeP95Ms rebuffers rebufferPercentage rebufferFrequency"
          + " averageBitrateKbps startupScore experienceScore scoredViews concurrentViewers }";

  @Test
  void aMinuteSeriesSumsTheTenantsRowsPerMinuteCorrectionsIncluded() throws Exception {
    JsonNode series =
        ask(
                SRE,
                "{ qoeSeries(from: \"2026-03-02T10:00:00Z\", to: \"2026-03-02T10:02:00Z\") {"
                    + " granularity points { time "
                    + METRICS
                    + " } } }")
            .get("qoeSeries");
    assertThat(series.get("granularity").asText()).isEqualTo("MINUTE");
    JsonNode points = series.get("points");
    assertThat(points.findValuesAsText("time"))
        .containsExactly("2026-03-02T10:00:00Z", "2026-03-02T10:01:00Z");
    JsonNode m = points.get(0).get("metrics");
    // 10:00 = A + B: 6 started and ended, 1 start failure.
    assertThat(m.get("viewsStarted").asLong()).isEqualTo(6);
    assertThat(m.get("viewsEnded").asLong()).isEqualTo(6);
    assertThat(m.get("failureRate").asDouble()).isCloseTo(1.0 / 6, within(1e-12));
    // Startups 4 s, 1 s x 4: mean 8000 / 5; nearest rank p50 = 3rd = 1 s, p95 = 5th = 4 s (1 %).
    assertThat(m.get("startups").asLong()).isEqualTo(5);
    assertThat(m.get("startupTimeMeanMs").asDouble()).isEqualTo(1600.0);
    assertThat(m.get("startupTimeP50Ms").asDouble()).isCloseTo(1000, within(10.0));
    assertThat(m.get("startupTimeP95Ms").asDouble()).isCloseTo(4000, within(40.0));
    // 6 s of rebuffering in 300 s view time: 2 %; 2 rebuffers in 5 view minutes: 0.4 a minute.
    assertThat(m.get("rebuffers").asLong()).isEqualTo(2);
    assertThat(m.get("rebufferPercentage").asDouble()).isCloseTo(2.0, within(1e-12));
    assertThat(m.get("rebufferFrequency").asDouble()).isCloseTo(0.4, within(1e-12));
    // Only A's playing time has a bitrate.
    assertThat(m.get("averageBitrateKbps").asDouble()).isEqualTo(800.0);
    // Startup scores 66.667 and 4 x 100: 466.667 / 5.
    assertThat(m.get("startupScore").asDouble()).isCloseTo(93.3334, within(1e-9));
    // Experience 70 + 0 + 4 x 95 = 450 over 6 views: 75.
    assertThat(m.get("experienceScore").asDouble()).isEqualTo(75.0);
    assertThat(m.get("scoredViews").asLong()).isEqualTo(6);
    // 330 s active in a minute: 5.5 viewers on average.
    assertThat(m.get("concurrentViewers").asDouble()).isEqualTo(5.5);
    // 10:01 = C with its correction: one view scored 80, 0.5 concurrent viewers.
    JsonNode c = points.get(1).get("metrics");
    assertThat(c.get("experienceScore").asDouble()).isEqualTo(80.0);
    assertThat(c.get("scoredViews").asLong()).isEqualTo(1);
    assertThat(c.get("concurrentViewers").asDouble()).isEqualTo(0.5);
    assertThat(c.get("startupTimeP50Ms").isNull()).isTrue();
    assertThat(c.get("failureRate").asDouble()).isEqualTo(0.0);
  }

  @Test
  void hourAndDayPointsComeFromTheRollupsWithTheSameTotals() throws Exception {
    for (String granularity : List.of("HOUR", "DAY")) {
      JsonNode points =
          ask(
                  SRE,
                  "{ qoeSeries(from: \"2026-03-02T10:00:00Z\", to: \"2026-03-02T11:00:00Z\","
                      + " granularity: "
                      + granularity
                      + ") { points { time "
                      + METRICS
                      + " } } }")
              .at("/qoeSeries/points");
      assertThat(points).as(granularity).hasSize(1);
      JsonNode m = points.get(0).get("metrics");
      // A + B + C: 450 + 80 = 530 points over 7 scored views.
      assertThat(m.get("experienceScore").asDouble()).isCloseTo(530.0 / 7, within(1e-9));
      assertThat(m.get("viewsEnded").asLong()).isEqualTo(7);
      assertThat(m.get("startupTimeP95Ms").asDouble()).isCloseTo(4000, within(40.0));
      // 360 s active over an hour (or a day).
      double span = granularity.equals("HOUR") ? 3_600_000 : 86_400_000;
      assertThat(m.get("concurrentViewers").asDouble()).isCloseTo(360_000 / span, within(1e-12));
    }
  }

  @Test
  void aFilterNarrowsTheSeriesToItsViews() throws Exception {
    JsonNode points =
        ask(
                SRE,
                "{ qoeSeries(filter: {cdn: \"cloudfront\", region: \"ap-south\"}, from:"
                    + " \"2026-03-02T10:00:00Z\", to: \"2026-03-02T10:02:00Z\") { points { time "
                    + METRICS
                    + " } } }")
            .at("/qoeSeries/points");
    assertThat(points).hasSize(1);
    assertThat(points.get(0).at("/metrics/experienceScore").asDouble()).isEqualTo(35.0);
    assertThat(points.get(0).at("/metrics/failureRate").asDouble()).isEqualTo(0.5);
    JsonNode none =
        ask(
                SRE,
                "{ qoeSeries(filter: {player: \"nobody\"}, from: \"2026-03-02T10:00:00Z\", to:"
                    + " \"2026-03-02T10:02:00Z\") { points { time } } }")
            .at("/qoeSeries/points");
    assertThat(none).isEmpty();
  }

  @Test
  void aBreakdownPutsTheCombinationThatPullsTheScoreDownMostFirst() throws Exception {
    JsonNode b =
        ask(
                SRE,
                "{ qoeBreakdown(by: [CDN, REGION], from: \"2026-03-02T10:00:00Z\", to:"
                    + " \"2026-03-02T10:02:00Z\") { sort combinations total { experienceScore }"
                    + " rows { cdn region device impact metrics { experienceScore scoredViews"
                    + " concurrentViewers } } } }")
            .get("qoeBreakdown");
    assertThat(b.get("sort").asText()).isEqualTo("IMPACT");
    assertThat(b.get("combinations").asInt()).isEqualTo(2);
    double overall = 530.0 / 7;
    assertThat(b.at("/total/experienceScore").asDouble()).isCloseTo(overall, within(1e-9));
    JsonNode rows = b.get("rows");
    // cloudfront / ap-south: mean 35 over 2 views, impact (75.714 - 35) x 2 = 81.43; akamai /
    // eu-west: mean 92 over 5, impact (75.714 - 92) x 5 = -81.43.
    assertThat(rows.get(0).get("cdn").asText()).isEqualTo("cloudfront");
    assertThat(rows.get(0).get("region").asText()).isEqualTo("ap-south");
    assertThat(rows.get(0).get("device").isNull()).isTrue();
    assertThat(rows.get(0).get("impact").asDouble()).isCloseTo((overall - 35) * 2, within(1e-9));
    assertThat(rows.get(1).get("impact").asDouble()).isCloseTo((overall - 92) * 5, within(1e-9));
    // 90 s active over the 2-minute range.
    assertThat(rows.get(0).at("/metrics/concurrentViewers").asDouble()).isEqualTo(0.75);

    JsonNode byViews =
        ask(
                SRE,
                "{ qoeBreakdown(by: [CDN], sort: VIEWS, limit: 1, from: \"2026-03-02T10:00:00Z\","
                    + " to: \"2026-03-02T10:02:00Z\") { combinations rows { cdn } } }")
            .get("qoeBreakdown");
    assertThat(byViews.get("combinations").asInt()).isEqualTo(2);
    assertThat(byViews.get("rows").findValuesAsText("cdn")).containsExactly("akamai");
  }

  @Test
  void aViewHasItsLatestFactsAndItsEventsOnceInTheOrderTheyAreApplied() throws Exception {
    JsonNode v =
        ask(
                SRE,
                "{ playbackView(id: \"view-1\") { video course viewer cdn start facts { end endedBy"
                    + " outcome startupTimeMs rebuffers averageBitrateKbps exitPlayheadMs"
                    + " startupScore experienceScore version } events { time type bitrateKbps"
                    + " eventId } } }")
            .get("playbackView");
    assertThat(v.get("viewer").asText()).isEqualTo("u-1");
    assertThat(v.get("start").asText()).isEqualTo("2026-03-02T10:00:00Z");
    JsonNode f = v.get("facts");
    assertThat(f.get("version").asInt()).isEqualTo(2);
    assertThat(f.get("rebuffers").asInt()).isEqualTo(2);
    assertThat(f.get("experienceScore").asDouble()).isEqualTo(70.0);
    assertThat(f.get("startupScore").asDouble()).isEqualTo(66.667);
    assertThat(f.get("averageBitrateKbps").asDouble()).isEqualTo(800.0);
    assertThat(f.get("end").asText()).isEqualTo("2026-03-02T10:01:04Z");
    assertThat(v.get("events").findValuesAsText("type"))
        .containsExactly("VIEW_START", "FIRST_FRAME", "VIEW_END");
    assertThat(v.at("/events/1/bitrateKbps").asInt()).isEqualTo(800);
    // Another tenant's view of the same id is not this tenant's; an unknown view is null.
    assertThat(ask(SRE, "{ playbackView(id: \"nope\") { id } }").get("playbackView").isNull())
        .isTrue();
    assertThat(
            ask(TestIdentity.sre("qoe-nobody"), "{ playbackView(id: \"view-1\") { id } }")
                .get("playbackView")
                .isNull())
        .isTrue();
  }

  @Test
  void theLiveSubscriptionSendsTheLatestMinuteThenANewOne() throws Exception {
    String sre = TestIdentity.sre("qoe-live");
    insertLive(LIVE.minusSeconds(60), 3);
    List<Map> received =
        ApiClient.webSocket(port, sre)
            .document("subscription { qoeMinutes { time metrics { viewsStarted } } }")
            .executeSubscription()
            .toFlux("qoeMinutes", Map.class)
            .take(2)
            .doOnNext(
                p -> {
                  if (p.get("time").equals(LIVE.minusSeconds(60).toString())) {
                    insertLive(LIVE, 5);
                  }
                })
            .collectList()
            .block(java.time.Duration.ofSeconds(30));
    assertThat(received)
        .extracting(p -> p.get("time") + "=" + ((Map) p.get("metrics")).get("viewsStarted"))
        .containsExactly(LIVE.minusSeconds(60) + "=3", LIVE + "=5");
  }

  private static void insertLive(Instant minute, int views) {
    server
        .migratedDatabase()
        .execute(
            "INSERT INTO playback_minutes (tenant_id, minute, views_started, batch_id) VALUES"
                + " ('qoe-live', toDateTime("
                + minute.getEpochSecond()
                + "), "
                + views
                + ", 'b')");
  }

  @Test
  void anEducatorSeesTheirCoursesVideosAndWhereViewersStopped() throws Exception {
    JsonNode videos =
        ask(
                EDUCATOR,
                "{ courseVideos(course: \"c-1\", from: \"2026-03-02T00:00:00Z\", to:"
                    + " \"2026-03-03T00:00:00Z\") { video views viewers watchTimeMs startedPlaying"
                    + " experienceScore } }")
            .get("courseVideos");
    // view-1 (70), view-2 (90) and view-3 (EBVS, 50) of 2 March; view-4 is of 3 March.
    assertThat(videos).hasSize(1);
    assertThat(videos.get(0).get("video").asText()).isEqualTo("v-1");
    assertThat(videos.get(0).get("views").asLong()).isEqualTo(3);
    assertThat(videos.get(0).get("viewers").asLong()).isEqualTo(2);
    assertThat(videos.get(0).get("watchTimeMs").asLong()).isEqualTo(180_000);
    assertThat(videos.get(0).get("startedPlaying").asLong()).isEqualTo(2);
    assertThat(videos.get(0).get("experienceScore").asDouble()).isEqualTo(70.0);
    JsonNode video =
        ask(
                EDUCATOR,
                "{ courseVideo(course: \"c-1\", video: \"v-1\", from: \"2026-03-02T00:00:00Z\","
                    + " to: \"2026-03-03T00:00:00Z\") { totals { views } exits { minute views } }"
                    + " }")
            .get("courseVideo");
    // view-2 stopped at 0:30, view-1 at 2:05; view-3 never played.
    assertThat(video.get("exits").toString())
        .isEqualTo("[{\"minute\":0,\"views\":1},{\"minute\":2,\"views\":1}]");
    assertThat(
            refusal(
                EDUCATOR,
                "{ courseVideos(course: \"c-2\", from: \"2026-03-02T00:00:00Z\", to:"
                    + " \"2026-03-03T00:00:00Z\") { video } }"))
        .isEqualTo("FORBIDDEN");
  }

  @Test
  void rolesBadArgumentsAndHostileStringsAreRefused() throws Exception {
    String range = "from: \"2026-03-02T10:00:00Z\", to: \"2026-03-02T10:02:00Z\"";
    assertThat(refusal(EDUCATOR, "{ qoeSeries(" + range + ") { from } }")).isEqualTo("FORBIDDEN");
    assertThat(refusal(SRE, "{ courseVideos(course: \"c-1\", " + range + ") { video } }"))
        .isEqualTo("FORBIDDEN");
    assertThat(refusal(SRE, "{ qoeBreakdown(by: [], " + range + ") { combinations } }"))
        .isEqualTo("BAD_REQUEST");
    assertThat(refusal(SRE, "{ qoeBreakdown(by: [CDN, CDN], " + range + ") { combinations } }"))
        .isEqualTo("BAD_REQUEST");
    assertThat(
            refusal(SRE, "{ qoeBreakdown(by: [CDN], limit: 0, " + range + ") { rows { cdn } } }"))
        .isEqualTo("BAD_REQUEST");
    assertThat(
            refusal(
                SRE,
                "{ qoeSeries(from: \"2026-03-02T10:00:00Z\", to: \"2026-03-02T09:00:00Z\") { from"
                    + " } }"))
        .isEqualTo("BAD_REQUEST");
    assertThat(
            refusal(
                SRE,
                "{ qoeSeries(filter: {cdn: \""
                    + "x".repeat(300)
                    + "\"}, "
                    + range
                    + ") { from } }"))
        .isEqualTo("BAD_REQUEST");
    assertThat(
            refusal(
                EDUCATOR,
                "{ courseVideo(course: \"c-1\", video: \"v-1\", from: \"2026-03-02T00:00:00Z\","
                    + " to: \"2026-03-01T00:00:00Z\") { video } }"))
        .isEqualTo("BAD_REQUEST");
    // Quotes and backslashes in a filter are values, not SQL.
    JsonNode none =
        ask(
                SRE,
                "{ qoeSeries(filter: {cdn: \"x' OR 1 = 1 --\\\\\"}, "
                    + range
                    + ") { points { time }"
                    + " } }")
            .at("/qoeSeries/points");
    assertThat(none).isEmpty();
  }
}
