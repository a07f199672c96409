package dev.pulse.flink.classroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.flink.testing.ClassroomFactTables;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SimulatedClassroomTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.EngagementOracle;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  private static SimulatedClassroomTopic input;
  private static EngagementOracle oracle;

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
    String topic = kafka.topic("classroom", 1);
    input = SimulatedClassroomTopic.write(kafka, topic, sim);
    oracle = input.oracle();

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
        input.records(),
        input.uniqueValid(),
        input.outOfOrder(),
        input.late().size(),
        input.malformed(),
        oracle.sessions().size(),
        (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void theSimulatedDayHasSessionsLearnersAndFaults() {
    assertThat(oracle.sessions()).hasSizeGreaterThanOrEqualTo(6);
    assertThat(oracle.sessions().stream().mapToInt(s -> oracle.learners(s.key()).size()).sum())
        .isGreaterThan(30);
    assertThat(input.malformed()).isPositive();
    assertThat(input.outOfOrder()).isPositive();
    assertThat(input.late()).isNotEmpty();
  }

  @Test
  void everySessionMinuteEqualsTheOracle() {
    assertThat(ClassroomFactTables.minutes(db))
        .hasSizeGreaterThan(100)
        .isEqualTo(ClassroomFactTables.minutes(oracle));
  }

  @Test
  void everyLearnerSessionAndSessionEqualsTheOracle() {
    assertThat(ClassroomFactTables.learners(db)).isEqualTo(ClassroomFactTables.learners(oracle));
    assertThat(ClassroomFactTables.sessions(db)).isEqualTo(ClassroomFactTables.sessions(oracle));
  }

  @Test
  void rawEventsAreStoredOnceMalformedRecordsAreDeadLettersAndTheLateOnesAreTheLateTable() {
    assertThat(db.queryText("SELECT count() FROM classroom_events_raw FINAL").strip())
        .isEqualTo(Long.toString(input.uniqueValid()));
    Set<String> stored = new HashSet<>();
    db.query("SELECT event_id FROM classroom_events_late FINAL")
        .forEach(r -> stored.add(r.get("event_id").asText()));
    assertThat(stored).isEqualTo(input.late());
    assertThat(
            db.queryText(
                    "SELECT count() FROM dead_letters FINAL WHERE source_topic LIKE '%classroom%'")
                .strip())
        .isEqualTo(Long.toString(input.malformed()));
  }

  @Test
  void theCourseDayRollupsEqualTheOraclesSums() {
    assertThat(ClassroomFactTables.courseDays(db))
        .isEqualTo(ClassroomFactTables.courseDays(oracle));
  }
}
