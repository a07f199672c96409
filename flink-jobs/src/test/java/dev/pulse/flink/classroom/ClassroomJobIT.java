package dev.pulse.flink.classroom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.ClassEvent;
import dev.pulse.oracle.EngagementOracle;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The classroom job as deployed ({@link ClassroomJob#wire}: Kafka source, every sink) on a
 * MiniCluster at parallelism 2, from a simulated school day in a real Kafka topic (duplicates,
 * out-of-order and late events, malformed records, learners who vanish and come back) to a real
 * ClickHouse built by the migrations: every session minute, learner session and session stored
 * equals the engagement oracle's, worked out from the valid events sent but the late ones (which
 * are exactly the late table); the course/day rollups equal the oracle's sums.
 *
 * <p>The job reads the topic bounded: at the end of input the watermark jumps to the end of time,
 * so every session ends (by its SESSION_ENDED, or idle for those the simulation cut off).
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(240)
class ClassroomJobIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static ClickHouse db;
  private static EngagementOracle oracle;
  private static long uniqueValid;
  private static long malformed;
  private static long outOfOrder;
  private static final Set<String> late = new HashSet<>();

  @BeforeAll
  static void runTheJob(TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster)
      throws Exception {
    db = ch.migratedDatabase();
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20260302)
            .withDomains(EnumSet.of(Domain.CLASSROOM))
            .withStart(Instant.parse("2026-03-02T08:00:00Z"))
            .withDuration(Duration.ofHours(10))
            .withPlatform(2, 4, 25, 1)
            .withFaults(new FaultConfig(0.03, 0.05, 0.02, 0.01));
    List<SimulatedRecord> all = new ArrayList<>();
    new Simulator(sim).records().forEachRemaining(all::add);
    // Without what the simulator releases at the end of its stream (events it still held back,
    // not yet delayed as long as their label says): every LATE record left is 10-30 minutes of
    // event time behind, far beyond the watermark less the 30 s allowed lateness, so late by
    // construction; OUT_OF_ORDER ones (1-20 s) are within it and count.
    int lastOriginal = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).kind() == SimulatedRecord.Kind.ORIGINAL) {
        lastOriginal = i;
      }
    }
    List<SimulatedRecord> records = new ArrayList<>(all.subList(0, lastOriginal + 1));
    all.subList(lastOriginal + 1, all.size()).stream()
        .filter(r -> r.kind() == SimulatedRecord.Kind.MALFORMED)
        .forEach(records::add);
    String topic = kafka.topic("classroom", 1);
    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            kafka.bootstrapServers(),
            new Properties(),
            name -> name.equals(Topics.CLASSROOM.name()) ? topic : name)) {
      records.forEach(writer::send);
      writer.flush();
      assertThat(writer.failedSends()).isZero();
    }
    List<ClassEvent> valid = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (SimulatedRecord r : records) {
      if (r.isValid()) {
        ClassroomEvent e = (ClassroomEvent) r.event();
        String id = e.getTenantId() + "/" + e.getEventId().toLowerCase(java.util.Locale.ROOT);
        if (!ids.contains(id) && r.kind() == SimulatedRecord.Kind.LATE) {
          late.add(e.getEventId().toLowerCase(java.util.Locale.ROOT));
        }
        if (r.kind() == SimulatedRecord.Kind.OUT_OF_ORDER) {
          outOfOrder++;
        }
        if (late.contains(e.getEventId().toLowerCase(java.util.Locale.ROOT))) {
          ids.add(id);
          continue; // late: in the raw and late tables only
        }
        valid.add(
            new ClassEvent(
                e.getEventId(),
                e.getTenantId(),
                e.getCourseId(),
                e.getSessionId(),
                e.getUserId(),
                e.getRole().name(),
                e.getType().name(),
                e.getEventTime().toEpochMilli()));
        ids.add(id);
      } else {
        malformed++;
      }
    }
    uniqueValid = ids.size();
    oracle = EngagementOracle.of(valid, Long.MAX_VALUE);

    Map<String, String> settings =
        SimulatedApiTopic.jobSettings(kafka, ch, topic, kafka.topic("classroom-dlq"));
    settings.put("checkpoint-interval", "500ms");
    ClassroomConfig config = ClassroomConfig.fromMap(settings);
    var env = new TestStreamEnvironment(cluster, new Configuration(), 2, List.of(), List.of());
    ClassroomJob.wire(env, config, Clock.systemUTC());
    long started = System.nanoTime();
    JobClient job = env.executeAsync(ClassroomJob.JOB_NAME);
    job.getJobExecutionResult().get(180, TimeUnit.SECONDS);
    System.out.printf(
        "[classroom-it] %d records (%d unique valid, %d out of order, %d late, %d malformed), %d"
            + " sessions; job %d ms%n",
        records.size(),
        uniqueValid,
        outOfOrder,
        late.size(),
        malformed,
        oracle.sessions().size(),
        (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void theSimulatedDayHasSessionsLearnersAndFaults() {
    assertThat(oracle.sessions()).hasSizeGreaterThanOrEqualTo(6);
    assertThat(oracle.sessions().stream().mapToInt(s -> oracle.learners(s.key()).size()).sum())
        .isGreaterThan(30);
    assertThat(malformed).isPositive();
    assertThat(outOfOrder).isPositive();
    assertThat(late).isNotEmpty();
  }

  @Test
  void everySessionMinuteEqualsTheOracle() {
    List<String> expected = new ArrayList<>();
    for (EngagementOracle.Session s : oracle.sessions()) {
      for (EngagementOracle.Minute m : oracle.minutes(s.key())) {
        expected.add(
            String.join(
                "|",
                s.key().tenant(),
                s.key().course(),
                s.key().session(),
                Long.toString(m.minuteMs() / 1000),
                Integer.toString(m.active()),
                Integer.toString(m.peak()),
                Integer.toString(m.joins()),
                Long.toString(m.presentMs()),
                Long.toString(m.focusedMs()),
                Long.toString(m.cameraMs()),
                Long.toString(m.micMs()),
                m.interactions().get(0).toString(),
                m.interactions().get(1).toString(),
                m.interactions().get(2).toString(),
                m.interactions().get(3).toString()));
      }
    }
    List<String> stored = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT tenant_id, course_id, session_id, toUInt32(minute) AS minute, active_learners,"
                + " peak_concurrent, joins, present_ms, focused_ms, camera_ms, mic_ms, chat,"
                + " hands, polls, reactions FROM classroom_session_minutes"
                + " ORDER BY tenant_id, course_id, session_id, minute")) {
      List<String> cells = new ArrayList<>();
      r.fields().forEachRemaining(f -> cells.add(f.getValue().asText()));
      stored.add(String.join("|", cells));
    }
    assertThat(stored).hasSizeGreaterThan(100).isEqualTo(expected);
  }

  @Test
  void everyLearnerSessionAndSessionEqualsTheOracle() {
    List<String> expected = new ArrayList<>();
    List<String> sessions = new ArrayList<>();
    for (EngagementOracle.Session s : oracle.sessions()) {
      sessions.add(
          String.join(
              "|",
              s.key().session(),
              Long.toString(s.startMs()),
              Long.toString(s.endMs()),
              s.endedBy(),
              Integer.toString(oracle.learners(s.key()).size())));
      for (EngagementOracle.Learner l : oracle.learners(s.key())) {
        expected.add(
            String.join(
                "|",
                s.key().session(),
                l.user(),
                Long.toString(l.attendanceMs()),
                Long.toString(l.firstJoinedMs()),
                Long.toString(l.lastLeftMs()),
                Integer.toString(l.presences()),
                Long.toString(l.focusedMs()),
                Long.toString(l.cameraMs()),
                Long.toString(l.micMs()),
                l.interactions().toString(),
                l.attended() ? "1" : "0",
                Integer.toString(l.score())));
      }
    }
    List<String> stored = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT session_id, user_id, attendance_ms, first_joined_ms, last_left_ms, presences,"
                + " focused_ms, camera_ms, mic_ms, chat, hands, polls, reactions, attended, score"
                + " FROM classroom_learner_sessions ORDER BY tenant_id, course_id, session_id,"
                + " user_id")) {
      stored.add(
          String.join(
              "|",
              r.get("session_id").asText(),
              r.get("user_id").asText(),
              r.get("attendance_ms").asText(),
              r.get("first_joined_ms").asText(),
              r.get("last_left_ms").asText(),
              r.get("presences").asText(),
              r.get("focused_ms").asText(),
              r.get("camera_ms").asText(),
              r.get("mic_ms").asText(),
              List.of(
                      r.get("chat").asLong(),
                      r.get("hands").asLong(),
                      r.get("polls").asLong(),
                      r.get("reactions").asLong())
                  .toString(),
              r.get("attended").asText(),
              r.get("score").asText()));
    }
    assertThat(stored).isEqualTo(expected);
    List<String> storedSessions = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT session_id, session_start_ms, session_end_ms, ended_by, learners"
                + " FROM classroom_sessions ORDER BY tenant_id, course_id, session_id")) {
      storedSessions.add(
          String.join(
              "|",
              r.get("session_id").asText(),
              r.get("session_start_ms").asText(),
              r.get("session_end_ms").asText(),
              r.get("ended_by").asText(),
              r.get("learners").asText()));
    }
    assertThat(storedSessions).isEqualTo(sessions);
  }

  @Test
  void rawEventsAreStoredOnceMalformedRecordsAreDeadLettersAndTheLateOnesAreTheLateTable() {
    assertThat(db.queryText("SELECT count() FROM classroom_events_raw FINAL").strip())
        .isEqualTo(Long.toString(uniqueValid));
    Set<String> stored = new HashSet<>();
    db.query("SELECT event_id FROM classroom_events_late FINAL")
        .forEach(r -> stored.add(r.get("event_id").asText()));
    assertThat(stored).isEqualTo(late);
    assertThat(
            db.queryText(
                    "SELECT count() FROM dead_letters FINAL WHERE source_topic LIKE '%classroom%'")
                .strip())
        .isEqualTo(Long.toString(malformed));
  }

  @Test
  void theCourseDayRollupsEqualTheOraclesSums() {
    Map<String, long[]> expected = new TreeMap<>();
    Map<String, Set<String>> attending = new TreeMap<>();
    for (EngagementOracle.Session s : oracle.sessions()) {
      String day =
          s.key().course() + "|" + Instant.ofEpochMilli(s.startMs()).toString().substring(0, 10);
      long[] sums = expected.computeIfAbsent(day, k -> new long[5]);
      sums[0]++;
      for (EngagementOracle.Learner l : oracle.learners(s.key())) {
        sums[1]++;
        sums[2] += l.attended() ? 1 : 0;
        sums[3] += l.attendanceMs();
        sums[4] += l.focusedMs();
        if (l.attended()) {
          attending.computeIfAbsent(day, k -> new HashSet<>()).add(l.user());
        }
      }
    }
    Map<String, String> want = new TreeMap<>();
    expected.forEach(
        (day, sums) ->
            want.put(
                day,
                sums[0]
                    + "|"
                    + sums[1]
                    + "|"
                    + sums[2]
                    + "|"
                    + attending.getOrDefault(day, Set.of()).size()
                    + "|"
                    + sums[3]
                    + "|"
                    + sums[4]));
    Map<String, String> stored = new TreeMap<>();
    for (JsonNode r :
        db.query(
            "SELECT course_id, toString(day) AS day, sumMerge(sessions) AS s,"
                + " sumMerge(learner_sessions) AS ls, sumMerge(attended_learner_sessions) AS a,"
                + " uniqExactIfMerge(attending_learners) AS u, sumMerge(present_ms) AS p,"
                + " sumMerge(focused_ms) AS f FROM classroom_course_days GROUP BY course_id, day")) {
      stored.put(
          r.get("course_id").asText() + "|" + r.get("day").asText(),
          String.join(
              "|",
              r.get("s").asText(),
              r.get("ls").asText(),
              r.get("a").asText(),
              r.get("u").asText(),
              r.get("p").asText(),
              r.get("f").asText()));
    }
    assertThat(stored).isEqualTo(want);
  }
}
