package dev.pulse.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each dashboard page asks serving-api when it loads: its GraphQL documents as the page sends
 * them (dashboards/src/main/resources/static, the {@code QUERY} constants of each page's script,
 * with their {@code ${...}} parts written out), and the variables it sends with them for a range
 * that ends where the history does.
 */
final class PageQueries {

  /** One GraphQL request of a page: its document and variables. */
  record Request(String document, Map<String, Object> variables) {}

  /**
   * One page load: the requests the page sends, in order, and who sends them.
   *
   * @param name how the report names it, e.g. "service 1h"
   * @param educator true when an educator (of {@link Choice#course} and {@link Choice#videoCourse})
   *     signs in, false for an SRE
   */
  record Page(String name, boolean educator, List<Request> requests) {}

  /**
   * The rows the pages are asked about, chosen from the history (the busiest of each kind).
   *
   * @param end the end of the history: the pages' "now"
   */
  record Choice(
      String tenant,
      String service,
      String course,
      String session,
      String learner,
      String videoCourse,
      String video,
      String slo,
      Instant end) {}

  private PageQueries() {}

  static final String SERVICES = "query { services { name endpoints { path methods } } }";

  static final String SERVICE_SERIES =
      """
      query serviceMetrics($service: String!, $endpoint: String, $from: DateTime!, $to: DateTime!, $granularity: Granularity) {
        serviceMetrics(service: $service, endpoint: $endpoint, from: $from, to: $to, granularity: $granularity) {
          from to granularity
          points { time requests errors5xx errors4xx errorRate p50Ms p95Ms p99Ms maxMs }
          lateEvents
          lateEventsByBucket { time lateEvents }
        }
      }""";

  private static final String QOE_METRICS =
      "viewsStarted viewsEnded failureRate startupTimeP50Ms startupTimeP95Ms rebufferPercentage"
          + " startupScore smoothnessScore playbackSuccessScore experienceScore scoredViews"
          + " concurrentViewers";

  static final String QOE =
      """
      query qoe($filter: QoeFilter, $from: DateTime!, $to: DateTime!, $granularity: Granularity, $by: [QoeDimension!]!) {
        qoeSeries(filter: $filter, from: $from, to: $to, granularity: $granularity) {
          from to granularity points { time metrics { %METRICS% } }
        }
        qoeBreakdown(by: $by, filter: $filter, from: $from, to: $to, limit: 20) {
          from to combinations total { %METRICS% }
          rows { video course cdn region device player impact metrics { %METRICS% } }
        }
      }"""
          .replace("%METRICS%", QOE_METRICS);

  private static final String UPTIME_NUMBERS = "checks successes uptime meanLatencyMs";

  static final String UPTIME =
      """
      query uptime($from: DateTime!, $to: DateTime!, $target: String) {
        uptime(from: $from, to: $to, target: $target) {
          from to bucketMinutes
          targets { target %N% regions { region %N% } series { time %N% } }
        }
        incidents(from: $from, to: $to, target: $target, limit: 1000) {
          target start end durationSeconds downMinutes regions ongoing
        }
      }"""
          .replace("%N%", UPTIME_NUMBERS);

  static final String SLOS =
      """
      query slos { slos {
        name service objective remainingBudget evaluatedAt burnRates { window rate }
        firing { row severity since }
      } }""";

  private static final String SLO_STATUS =
      "name service objective windowStart eligible bad remainingBudget evaluatedAt burnRates {"
          + " window rate }\n  firing { row severity state at since threshold longWindowMinutes"
          + " shortWindowMinutes burnLong burnShort }";

  static final String SLO =
      """
      query slo($name: String!, $window: String!) {
        slo(name: $name) {
          %STATUS%
          budgetBurnDown { from to bucketMinutes points { time evaluatedAt remainingBudget } }
          burnRateSeries(window: $window) { window from to bucketMinutes points { time evaluatedAt rate } }
          alertHistory(limit: 200) { row severity state at since threshold longWindowMinutes shortWindowMinutes burnLong burnShort }
        }
      }"""
          .replace("%STATUS%", SLO_STATUS);

  static final String COURSE =
      """
      query($id: String!, $from: DateTime!, $to: DateTime!) {
        courses { id liveSession }
        course(id: $id, from: $from, to: $to) {
          sessions { session start end endedBy learners attended peakConcurrent meanScore }
          days { day sessions attendedLearnerSessions uniqueAttendingLearners meanAttention interactions }
        }
        atRiskLearners(course: $id) { learner reason }
        courseVideos(course: $id, from: $from, to: $to) { video views viewers watchTimeMs startedPlaying experienceScore }
      }""";

  static final String SESSION =
      """
      query($course: String!, $session: String!) {
        classSession(course: $course, session: $session) {
          live
          minutes { time activeLearners peakConcurrent joins attention chat hands polls reactions }
          learners { learner attendanceMinutes attentionRatio cameraShare chat hands polls reactions attended score }
        }
      }""";

  static final String LEARNER =
      """
      query($course: String!, $learner: String!) {
        learnerHistory(course: $course, learner: $learner) {
          session sessionStart attendanceMinutes attentionRatio chat hands polls reactions attended score
        }
      }""";

  static final String VIDEO =
      """
      query($course: String!, $video: String!, $from: DateTime!, $to: DateTime!) {
        courseVideo(course: $course, video: $video, from: $from, to: $to) {
          from to
          totals { views viewers watchTimeMs playingTimeMs startedPlaying experienceScore }
          exits { minute views }
        }
      }""";

  /**
   * Every page's load, with the ranges its range menus offer first and last (the SRE pages' "last
   * hour" and "last 30 days"; the educator pages' 90 days), ending at {@code c.end()}.
   */
  static List<Page> pages(Choice c) {
    Instant end = c.end();
    return List.of(
        new Page(
            "service 1h",
            false,
            List.of(
                new Request(SERVICES, Map.of()),
                new Request(SERVICE_SERIES, series(c.service(), end, Duration.ofHours(1))))),
        new Page(
            "service 30d",
            false,
            List.of(new Request(SERVICE_SERIES, series(c.service(), end, Duration.ofDays(30))))),
        new Page("qoe 1h", false, List.of(new Request(QOE, qoe(end, Duration.ofHours(1))))),
        new Page("qoe 7d", false, List.of(new Request(QOE, qoe(end, Duration.ofDays(7))))),
        new Page("uptime 24h", false, List.of(new Request(UPTIME, range(end, Duration.ofDays(1))))),
        new Page(
            "uptime 30d", false, List.of(new Request(UPTIME, range(end, Duration.ofDays(30))))),
        new Page("slos", false, List.of(new Request(SLOS, Map.of()))),
        new Page("slo", false, List.of(new Request(SLO, Map.of("name", c.slo(), "window", "1h")))),
        new Page(
            "course",
            true,
            List.of(new Request(COURSE, with(educatorRange(end), "id", c.course())))),
        new Page(
            "session",
            true,
            List.of(new Request(SESSION, Map.of("course", c.course(), "session", c.session())))),
        new Page(
            "learner",
            true,
            List.of(new Request(LEARNER, Map.of("course", c.course(), "learner", c.learner())))),
        new Page(
            "video",
            true,
            List.of(
                new Request(
                    VIDEO,
                    with(
                        with(educatorRange(end), "course", c.videoCourse()),
                        "video",
                        c.video())))));
  }

  private static Map<String, Object> series(String service, Instant end, Duration length) {
    Map<String, Object> v = range(end, length);
    v.put("service", service);
    v.put("endpoint", null);
    v.put("granularity", null);
    return v;
  }

  private static Map<String, Object> qoe(Instant end, Duration length) {
    Map<String, Object> v = range(end, length);
    v.put("filter", null);
    v.put("granularity", null);
    v.put("by", List.of("CDN", "REGION"));
    return v;
  }

  private static Map<String, Object> range(Instant end, Duration length) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("from", end.minus(length).toString());
    v.put("to", end.toString());
    return v;
  }

  /** The educator pages' range: 90 days before the page's "now" to a minute after it. */
  private static Map<String, Object> educatorRange(Instant end) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("from", end.minus(Duration.ofDays(90)).toString());
    v.put("to", end.plus(Duration.ofMinutes(1)).toString());
    return v;
  }

  private static Map<String, Object> with(Map<String, Object> v, String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(v);
    copy.put(key, value);
    return copy;
  }
}
