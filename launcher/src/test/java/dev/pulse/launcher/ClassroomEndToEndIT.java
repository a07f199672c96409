package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.oracle.ClassEvent;
import dev.pulse.oracle.EngagementOracle;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.FaultReport;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.SentEvents;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The classroom domain end to end, as an educator sees it: the simulator (fixed seed, with
 * duplicates, out-of-order, late and malformed records, learners who vanish without LEFT) writes a
 * school week (Monday to Friday) to a real Kafka broker; the stack the demo runs (both jobs on a
 * Flink MiniCluster, a real ClickHouse built by the migrations, serving-api) serves it over
 * GraphQL; every session minute, every learner's session, every course overview, day, at-risk list
 * and learner history answered equals the engagement oracle's, worked out from docs/engagement.md
 * alone.
 *
 * <p>The topic has one partition and the job runs at parallelism 1, so the watermark each event
 * meets is made by the events delivered before it, and which events are late follows from the
 * delivery order alone: the test works it out by the documented rule. The job reads the topic
 * bounded, so at its end every session ends.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ClassroomEndToEndIT {

  private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");

  /** The job's watermark lag and allowed lateness, given to it by this test. */
  private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(2);

  private static final Duration ALLOWED_LATENESS = Duration.ofSeconds(30);

  private PulseStack stack;
  private GraphQlOverHttp graphql;
  private EngagementOracle oracle;
  private FaultReport report;
  private final Set<String> lateIds = new HashSet<>();
  private long malformedSent;
  private final Map<String, String> tokenOfTenant = new LinkedHashMap<>();
  private final Map<String, List<String>> coursesOfTenant = new LinkedHashMap<>();

  @BeforeAll
  void runThePipeline(TestKafka kafka, TestClickHouse ch) throws Exception {
    String topic = kafka.topic("e2e-classroom", 1);
    SimulationConfig config =
        SimulationConfig.defaults()
            .withSeed(20260303)
            .withDomains(EnumSet.of(Domain.CLASSROOM))
            .withStart(START)
            .withDuration(Duration.ofDays(5))
            // Each course meets three times a week: enough ended sessions for the at-risk rule.
            .withPlatform(2, 2, 20, 1)
            .withFaults(new FaultConfig(0.03, 0.05, 0.02, 0.01));
    Simulator simulator = new Simulator(config);
    List<SimulatedRecord> all = new ArrayList<>();
    Simulator.RecordStream stream = simulator.records();
    stream.forEachRemaining(all::add);
    report = stream.report();

    // Which events are late, by the rule of docs/engagement.md ("Late events") with the settings
    // this test gives the job (LatenessByDelivery); late ones are counted nowhere.
    List<SimulatedRecord> sent = new ArrayList<>();
    List<ClassEvent> counted = new ArrayList<>();
    for (LatenessByDelivery.Delivery d :
        LatenessByDelivery.of(all, OUT_OF_ORDERNESS, ALLOWED_LATENESS)) {
      sent.add(d.record());
      switch (d.fate()) {
        case MALFORMED -> malformedSent++;
        case LATE -> lateIds.add(d.id());
        case ON_TIME -> counted.add(SentEvents.classEvent((ClassroomEvent) d.record().event()));
        // A copy of an event is dropped by dedup, as the first was counted or late.
        case DUPLICATE -> {}
      }
    }
    oracle = EngagementOracle.of(counted, Long.MAX_VALUE);

    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            kafka.bootstrapServers(),
            new Properties(),
            name -> name.equals(Topics.CLASSROOM.name()) ? topic : name)) {
      sent.forEach(writer::send);
      writer.flush();
      assertThat(writer.failedSends()).isZero();
    }

    DemoIdentity identity =
        DemoIdentity.create(
            Files.createTempDirectory("pulse-classroom-e2e-identity-"), Duration.ofHours(1));
    Map<String, String> apiProperties = new HashMap<>(identity.apiProperties());
    // One educator asks for every session and learner in a burst: the rate limit is not under test.
    apiProperties.put("pulse.limits.requests-per-second", "100000");
    apiProperties.put("pulse.limits.request-burst", "100000");
    for (String tenant : simulator.tenantIds()) {
      List<String> courses = simulator.courseIds(tenant);
      coursesOfTenant.put(tenant, courses);
      tokenOfTenant.put(
          tenant,
          identity.token(
              new DemoIdentity.Person(
                  "educator@" + tenant, "Educator", tenant, List.of("educator"), courses)));
    }
    long started = System.nanoTime();
    stack =
        EndToEndStack.start(
            kafka,
            ch,
            EndToEndStack.Job.CLASSROOM,
            topic,
            OUT_OF_ORDERNESS,
            ALLOWED_LATENESS,
            apiProperties);
    stack.awaitJobEnd(Duration.ofMinutes(3));
    System.out.printf(
        "[classroom-e2e] %d records sent (%d late, %s), %d sessions; stack started and job done in %d ms%n",
        sent.size(),
        lateIds.size(),
        report,
        oracle.sessions().size(),
        (System.nanoTime() - started) / 1_000_000);
    graphql = new GraphQlOverHttp(stack.apiPort());
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theSimulatedWeekHasEveryFaultAndLearnersWhoCameBack() {
    assertThat(report.duplicates()).isPositive();
    assertThat(report.malformed()).isPositive();
    assertThat(lateIds).isNotEmpty();
    assertThat(oracle.sessions()).hasSizeGreaterThanOrEqualTo(9);
    assertThat(
            oracle.sessions().stream()
                .flatMap(s -> oracle.learners(s.key()).stream())
                .filter(l -> l.presences() > 1))
        .as("learners with more than one presence (rejoined, or back after vanishing)")
        .isNotEmpty();
  }

  @Test
  void theLateEventsAreTheLateTableAndTheMalformedRecordsAreDeadLetters(TestClickHouse ch) {
    Set<String> stored = new HashSet<>();
    for (String line :
        ch.query("SELECT tenant_id, event_id FROM classroom_events_late FINAL").split("\n")) {
      if (!line.isBlank()) {
        stored.add(line.replace('\t', '/'));
      }
    }
    assertThat(stored).isEqualTo(lateIds);
    assertThat(ch.query("SELECT count() FROM dead_letters FINAL").strip())
        .isEqualTo(Long.toString(malformedSent));
  }

  @Test
  void everySessionMinuteAndEveryLearnerServedEqualsTheOracle() throws Exception {
    int minutes = 0;
    int learners = 0;
    for (EngagementOracle.Session s : oracle.sessions()) {
      JsonNode served =
          graphql
              .data(
                  tokenOfTenant.get(s.key().tenant()),
                  SESSION,
                  vars(s.key().course()).put("session", s.key().session()))
              .get("classSession");
      assertThat(served.get("live").asBoolean()).as("%s live", s.key()).isFalse();

      List<String> expectedMinutes = new ArrayList<>();
      for (EngagementOracle.Minute m : oracle.minutes(s.key())) {
        expectedMinutes.add(
            row(
                Instant.ofEpochMilli(m.minuteMs()),
                m.active(),
                m.peak(),
                m.joins(),
                m.presentMs() == 0 ? null : (double) m.focusedMs() / m.presentMs(),
                m.interactions()));
      }
      List<String> servedMinutes = new ArrayList<>();
      for (JsonNode m : served.get("minutes")) {
        servedMinutes.add(
            row(
                Instant.parse(m.get("time").asText()),
                m.get("activeLearners").asInt(),
                m.get("peakConcurrent").asInt(),
                m.get("joins").asInt(),
                m.get("attention").isNull() ? null : m.get("attention").asDouble(),
                interactions(m)));
      }
      assertThat(servedMinutes).as("minutes of %s", s.key()).isEqualTo(expectedMinutes);
      minutes += expectedMinutes.size();

      List<String> expectedLearners = expectedLearners(s.key(), s.startMs());
      assertThat(learnerRows(served.get("learners")))
          .as("learners of %s", s.key())
          .isEqualTo(expectedLearners);
      learners += expectedLearners.size();
    }
    System.out.printf(
        "[classroom-e2e] compared %d sessions, %d minutes, %d learner sessions%n",
        oracle.sessions().size(), minutes, learners);
    assertThat(minutes).isGreaterThan(300);
    assertThat(learners).isGreaterThan(100);
  }

  @Test
  void everyCourseOverviewAndDayServedEqualsTheOracle() throws Exception {
    for (Map.Entry<String, List<String>> tenant : coursesOfTenant.entrySet()) {
      for (String course : tenant.getValue()) {
        List<EngagementOracle.Session> sessions = sessionsOf(tenant.getKey(), course);
        // Newest first, ties by id (the API's order).
        List<String> expected = new ArrayList<>();
        Map<String, long[]> days = new TreeMap<>();
        Map<String, Set<String>> attending = new TreeMap<>();
        List<EngagementOracle.Session> newestFirst = new ArrayList<>(sessions);
        newestFirst.sort(
            (a, b) ->
                a.startMs() != b.startMs()
                    ? Long.compare(b.startMs(), a.startMs())
                    : a.key().session().compareTo(b.key().session()));
        for (EngagementOracle.Session s : newestFirst) {
          List<EngagementOracle.Learner> ls = oracle.learners(s.key());
          int peak = oracle.minutes(s.key()).stream().mapToInt(m -> m.peak()).max().orElse(0);
          long attended = ls.stream().filter(EngagementOracle.Learner::attended).count();
          Double meanScore =
              ls.isEmpty()
                  ? null
                  : (double) ls.stream().mapToLong(EngagementOracle.Learner::score).sum()
                      / ls.size();
          expected.add(
              String.join(
                  "|",
                  s.key().session(),
                  Long.toString(s.startMs()),
                  Long.toString(s.endMs()),
                  s.endedBy(),
                  Integer.toString(ls.size()),
                  Long.toString(attended),
                  Integer.toString(peak),
                  String.valueOf(meanScore)));
          String day = Instant.ofEpochMilli(s.startMs()).toString().substring(0, 10);
          // sessions, attended learner-sessions, present ms, focused ms, interactions
          long[] sums = days.computeIfAbsent(day, k -> new long[5]);
          sums[0]++;
          for (EngagementOracle.Learner l : ls) {
            sums[1] += l.attended() ? 1 : 0;
            sums[2] += l.attendanceMs();
            sums[3] += l.focusedMs();
            sums[4] += l.interactions().stream().mapToLong(Long::longValue).sum();
            if (l.attended()) {
              attending.computeIfAbsent(day, k -> new TreeSet<>()).add(l.user());
            }
          }
        }
        List<String> expectedDays = new ArrayList<>();
        days.forEach(
            (day, sums) ->
                expectedDays.add(
                    String.join(
                        "|",
                        day,
                        Long.toString(sums[0]),
                        Long.toString(sums[1]),
                        Integer.toString(attending.getOrDefault(day, Set.of()).size()),
                        String.valueOf(sums[2] == 0 ? null : (double) sums[3] / sums[2]),
                        Long.toString(sums[4]))));

        JsonNode served =
            graphql
                .data(
                    tokenOfTenant.get(tenant.getKey()),
                    COURSE,
                    vars(course)
                        .put("from", START.minus(Duration.ofDays(1)).toString())
                        .put("to", START.plus(Duration.ofDays(7)).toString()))
                .get("course");
        List<String> servedSessions = new ArrayList<>();
        for (JsonNode s : served.get("sessions")) {
          servedSessions.add(
              String.join(
                  "|",
                  s.get("session").asText(),
                  Long.toString(Instant.parse(s.get("start").asText()).toEpochMilli()),
                  Long.toString(Instant.parse(s.get("end").asText()).toEpochMilli()),
                  s.get("endedBy").asText(),
                  s.get("learners").asText(),
                  s.get("attended").asText(),
                  s.get("peakConcurrent").asText(),
                  String.valueOf(
                      s.get("meanScore").isNull() ? null : s.get("meanScore").asDouble())));
        }
        assertThat(servedSessions).as("sessions of %s", course).isEqualTo(expected);
        List<String> servedDays = new ArrayList<>();
        for (JsonNode d : served.get("days")) {
          servedDays.add(
              String.join(
                  "|",
                  d.get("day").asText(),
                  d.get("sessions").asText(),
                  d.get("attendedLearnerSessions").asText(),
                  d.get("uniqueAttendingLearners").asText(),
                  String.valueOf(
                      d.get("meanAttention").isNull() ? null : d.get("meanAttention").asDouble()),
                  d.get("interactions").asText()));
        }
        assertThat(servedDays).as("days of %s", course).isEqualTo(expectedDays);
      }
    }
  }

  @Test
  void everyCoursesAtRiskLearnersAndEveryLearnersHistoryServedEqualTheOracle() throws Exception {
    int atRisk = 0;
    int histories = 0;
    for (Map.Entry<String, List<String>> tenant : coursesOfTenant.entrySet()) {
      String token = tokenOfTenant.get(tenant.getKey());
      for (String course : tenant.getValue()) {
        List<String> expected = new ArrayList<>();
        for (EngagementOracle.AtRisk r : oracle.atRisk(tenant.getKey(), course)) {
          expected.add(r.user() + ": " + r.reason());
        }
        List<String> served = new ArrayList<>();
        for (JsonNode r : graphql.data(token, AT_RISK, vars(course)).get("atRiskLearners")) {
          served.add(r.get("learner").asText() + ": " + r.get("reason").asText());
        }
        assertThat(served).as("at risk in %s", course).isEqualTo(expected);
        atRisk += expected.size();

        // Each learner of the course: their sessions, newest first.
        Map<String, List<EngagementOracle.Session>> sessionsOfLearner = new TreeMap<>();
        List<EngagementOracle.Session> sessions =
            new ArrayList<>(sessionsOf(tenant.getKey(), course));
        sessions.sort(
            (a, b) ->
                a.startMs() != b.startMs()
                    ? Long.compare(b.startMs(), a.startMs())
                    : a.key().session().compareTo(b.key().session()));
        for (EngagementOracle.Session s : sessions) {
          for (EngagementOracle.Learner l : oracle.learners(s.key())) {
            sessionsOfLearner.computeIfAbsent(l.user(), k -> new ArrayList<>()).add(s);
          }
        }
        for (Map.Entry<String, List<EngagementOracle.Session>> learner :
            sessionsOfLearner.entrySet()) {
          List<String> history = new ArrayList<>();
          for (EngagementOracle.Session s : learner.getValue()) {
            history.addAll(
                expectedLearners(s.key(), s.startMs()).stream()
                    .filter(row -> row.startsWith(s.key().session() + "|" + learner.getKey() + "|"))
                    .toList());
          }
          JsonNode servedHistory =
              graphql
                  .data(token, HISTORY, vars(course).put("learner", learner.getKey()))
                  .get("learnerHistory");
          assertThat(learnerRows(servedHistory))
              .as("history of %s in %s", learner.getKey(), course)
              .isEqualTo(history);
          histories++;
        }
      }
    }
    System.out.printf(
        "[classroom-e2e] compared %d at-risk learners, %d learner histories%n", atRisk, histories);
    assertThat(atRisk).as("learners at risk, over all courses").isPositive();
    assertThat(histories).isGreaterThan(50);
  }

  private List<EngagementOracle.Session> sessionsOf(String tenant, String course) {
    return oracle.sessions().stream()
        .filter(s -> s.key().tenant().equals(tenant) && s.key().course().equals(course))
        .toList();
  }

  /** The oracle's learners of a session as rows of what the API shows, by learner. */
  private List<String> expectedLearners(ClassEvent.SessionKey key, long startMs) {
    List<String> rows = new ArrayList<>();
    for (EngagementOracle.Learner l : oracle.learners(key)) {
      double attendance = l.attendanceMs();
      rows.add(
          String.join(
              "|",
              key.session(),
              l.user(),
              Long.toString(startMs),
              Double.toString(attendance / 60_000),
              Integer.toString(l.presences()),
              Double.toString(l.focusedMs() / attendance),
              Double.toString(l.cameraMs() / attendance),
              Double.toString(l.micMs() / attendance),
              l.interactions().toString(),
              Boolean.toString(l.attended()),
              Integer.toString(l.score())));
    }
    return rows;
  }

  private static List<String> learnerRows(JsonNode learners) {
    List<String> rows = new ArrayList<>();
    for (JsonNode l : learners) {
      rows.add(
          String.join(
              "|",
              l.get("session").asText(),
              l.get("learner").asText(),
              Long.toString(Instant.parse(l.get("sessionStart").asText()).toEpochMilli()),
              Double.toString(l.get("attendanceMinutes").asDouble()),
              l.get("presences").asText(),
              Double.toString(l.get("attentionRatio").asDouble()),
              Double.toString(l.get("cameraShare").asDouble()),
              Double.toString(l.get("micShare").asDouble()),
              interactions(l).toString(),
              l.get("attended").asText(),
              l.get("score").asText()));
    }
    return rows;
  }

  private static List<Long> interactions(JsonNode n) {
    return List.of(
        n.get("chat").asLong(),
        n.get("hands").asLong(),
        n.get("polls").asLong(),
        n.get("reactions").asLong());
  }

  private static String row(
      Instant minute, int active, int peak, int joins, Double attention, List<Long> interactions) {
    return minute + "|" + active + "|" + peak + "|" + joins + "|" + attention + "|" + interactions;
  }

  private static ObjectNode vars(String course) {
    return GraphQlOverHttp.JSON.createObjectNode().put("course", course);
  }

  private static final String LEARNER_FIELDS =
      """
      fragment L on LearnerSession {
        session learner sessionStart attendanceMinutes presences attentionRatio cameraShare
        micShare chat hands polls reactions attended score
      }""";

  private static final String SESSION =
      """
      query S($course: String!, $session: String!) {
        classSession(course: $course, session: $session) {
          live
          minutes { time activeLearners peakConcurrent joins attention chat hands polls reactions }
          learners { ...L }
        }
      }"""
          + LEARNER_FIELDS;

  private static final String COURSE =
      """
      query C($course: String!, $from: DateTime!, $to: DateTime!) {
        course(id: $course, from: $from, to: $to) {
          sessions { session start end endedBy learners attended peakConcurrent meanScore }
          days { day sessions attendedLearnerSessions uniqueAttendingLearners meanAttention
                 interactions }
        }
      }""";

  private static final String AT_RISK =
      """
      query R($course: String!) { atRiskLearners(course: $course) { learner reason } }""";

  private static final String HISTORY =
      """
      query H($course: String!, $learner: String!) {
        learnerHistory(course: $course, learner: $learner) { ...L }
      }"""
          + LEARNER_FIELDS;
}
