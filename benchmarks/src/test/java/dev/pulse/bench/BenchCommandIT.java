package dev.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.oracle.ClassEvent;
import dev.pulse.oracle.EngagementOracle;
import dev.pulse.simulator.SimulatedEvent;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.SentEvents;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code pulse bench} with a tiny N against the test Kafka broker and ClickHouse server, and
 * checks the work each phase measured, not its timing: every phase moved exactly the preloaded
 * events, the loader and Pulse stored the same rows the simulator generated, Pulse's minute facts
 * cover the minutes its watermark must close, and the report prints the three rates and ratios.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class BenchCommandIT {

  private static final long EVENTS = 20_000;

  /**
   * 4,000 requests a minute at the peak: the 20,000 events span about five minutes of event time.
   */
  private static final double EVENTS_PER_MINUTE = 4_000;

  private static final long SEED = 7;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyPhaseMovesExactlyThePreloadedEventsAndTheReportShowsThreeRatesAndBothRatios(
      TestKafka kafka, TestClickHouse clickHouse, @TempDir Path dir) throws Exception {
    String report =
        bench(
            kafka,
            clickHouse,
            dir,
            "--events",
            Long.toString(EVENTS),
            "--events-per-minute",
            Double.toString(EVENTS_PER_MINUTE),
            "--database-prefix",
            clickHouse.database(),
            "--loader-batch-rows",
            "7000");
    assertThat(report).containsPattern("(?m)^consumer\\s+20,000 .*/s .*/s");
    assertThat(report).contains("memory: the dedup state holds 100,000 remembered ids");
    assertThat(report).containsPattern("(?m)^loader\\s+20,000 .*/s .*/s");
    assertThat(report).containsPattern("(?m)^pulse\\s+20,000 .*/s .*/s");
    assertThat(report).containsPattern("Pulse / bare consumer:\\s+\\d+\\.\\d\\d");
    assertThat(report).containsPattern("Pulse / loader:\\s+\\d+\\.\\d\\d");
    assertThat(report).containsPattern("Pulse target: >= 0.50x the loader \\([0-9,]+ events/s");

    // What the simulator generated, recounted here from its own events.
    Expected expected = expected();
    JsonNode phases = new ObjectMapper().readTree(dir.resolve("bench.json").toFile()).get("phases");
    assertThat(phases.get("preload").get("events").asLong()).isEqualTo(EVENTS);
    assertThat(phases.get("consumer").get("events").asLong()).isEqualTo(EVENTS);
    assertThat(phases.get("consumer").get("details").get("valueBytes").asLong())
        .isEqualTo(expected.valueBytes);
    // Each job held its live keys (N, N/10 views, N/200 sessions) in its keyed operator's state.
    JsonNode memory = phases.get("memory").get("details");
    for (String[] live :
        new String[][] {
          {"api", "1000", "api-minute-facts"},
          {"playback", "100", "playback-views"},
          {"classroom", "5", "classroom-engagement"}
        }) {
      JsonNode d = memory.get("liveKeys." + live[0]);
      assertThat(d.get("keys").asLong()).as(live[0]).isEqualTo(Long.parseLong(live[1]));
      assertThat(d.get("checkpointBytes").asLong()).as(live[0]).isPositive();
      assertThat(d.get("checkpointBytesPerThousandKeys").fieldNames())
          .toIterable()
          .as(live[0])
          .anyMatch(operator -> operator.startsWith(live[2]));
    }
    assertThat(report).contains("live keys, playback job: per thousand of open view");

    String loaderDb = phases.get("loader").get("details").get("database").asText();
    String pulseDb = phases.get("pulse").get("details").get("database").asText();
    try (ClickHouse ch =
        ClickHouse.connect(clickHouse.httpUrl(), clickHouse.user(), clickHouse.password(), null)) {
      for (String db : new String[] {loaderDb, pulseDb}) {
        JsonNode raw =
            ch.query(
                    "SELECT count() AS rows, uniqExact(event_id) AS ids, sum(latency_us) AS latency, "
                        + "countIf(status_code >= 500) AS errors FROM "
                        + db
                        + ".api_requests_raw")
                .get(0);
        assertThat(raw.get("rows").asLong()).as(db + " rows").isEqualTo(EVENTS);
        assertThat(raw.get("ids").asLong()).as(db + " distinct event ids").isEqualTo(EVENTS);
        assertThat(raw.get("latency").asLong())
            .as(db + " latency sum")
            .isEqualTo(expected.latencySum);
        assertThat(raw.get("errors").asLong()).as(db + " 5xx").isEqualTo(expected.errors5xx);
      }
      JsonNode loaderMinutes =
          ch.query(
                  "SELECT sum(events) AS events, sum(errors) AS errors, sum(value_sum) AS latency,"
                      + " uniqExact(minute) AS minutes FROM "
                      + loaderDb
                      + ".bench_loader_minutes")
              .get(0);
      assertThat(loaderMinutes.get("events").asLong()).isEqualTo(EVENTS);
      assertThat(loaderMinutes.get("errors").asLong()).isEqualTo(expected.errors5xx);
      assertThat(loaderMinutes.get("latency").asLong()).isEqualTo(expected.latencySum);
      assertThat(loaderMinutes.get("minutes").asLong()).isEqualTo(expected.minutes);
      long inFacts =
          ch.query("SELECT sum(requests) AS n FROM " + pulseDb + ".api_request_minutes")
              .get(0)
              .get("n")
              .asLong();
      long late =
          ch.query("SELECT count() AS n FROM " + pulseDb + ".api_requests_late")
              .get(0)
              .get("n")
              .asLong();
      long deadLetters =
          ch.query("SELECT count() AS n FROM " + pulseDb + ".dead_letters")
              .get(0)
              .get("n")
              .asLong();
      // A minute closes once the watermark (latest event time - 2 s out-of-orderness) passes its
      // end.
      assertThat(expected.closable)
          .as("the data must close some minutes, or the facts check proves nothing")
          .isGreaterThan(EVENTS / 2);
      assertThat(inFacts + late).isBetween(expected.closable, EVENTS);
      assertThat(deadLetters).isZero();
      for (String db : new String[] {loaderDb, pulseDb}) {
        ch.execute("DROP DATABASE IF EXISTS " + db);
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void classroomTrafficIsStoredOnceByTheLoaderAndPulseAndPulsesFactsEqualTheOracle(
      TestKafka kafka, TestClickHouse clickHouse, @TempDir Path dir) throws Exception {
    String report =
        bench(
            kafka,
            clickHouse,
            dir,
            "--traffic",
            "classroom",
            "--events",
            Long.toString(EVENTS),
            "--database-prefix",
            clickHouse.database() + "_classroom",
            "--skip",
            "consumer");
    assertThat(report).contains("20,000 classroom events");
    assertThat(report).containsPattern("(?m)^loader\\s+20,000 .*/s .*/s");
    assertThat(report).containsPattern("(?m)^pulse\\s+20,000 .*/s .*/s");

    // The engagement oracle over the simulator's own events: no faults, so none is late.
    List<ClassEvent> sent = new ArrayList<>();
    for (Iterator<SimulatedEvent> it =
            new Simulator(Traffic.classroom.simulation(EVENTS, 0, SEED)).events();
        it.hasNext(); ) {
      ClassroomEvent e = (ClassroomEvent) it.next().event();
      sent.add(SentEvents.classEvent(e));
    }
    assertThat(sent).hasSize((int) EVENTS);
    EngagementOracle oracle = EngagementOracle.of(sent, Long.MAX_VALUE);
    long minutes = 0;
    long learnerSessions = 0;
    long attendance = 0;
    for (EngagementOracle.Session s : oracle.sessions()) {
      minutes += oracle.minutes(s.key()).size();
      for (EngagementOracle.Learner l : oracle.learners(s.key())) {
        learnerSessions++;
        attendance += l.attendanceMs();
      }
    }
    assertThat(oracle.sessions()).as("classes running at once").hasSizeGreaterThan(50);

    JsonNode phases = new ObjectMapper().readTree(dir.resolve("bench.json").toFile()).get("phases");
    String loaderDb = phases.get("loader").get("details").get("database").asText();
    String pulseDb = phases.get("pulse").get("details").get("database").asText();
    try (ClickHouse ch =
        ClickHouse.connect(clickHouse.httpUrl(), clickHouse.user(), clickHouse.password(), null)) {
      for (String db : new String[] {loaderDb, pulseDb}) {
        JsonNode raw =
            ch.query(
                    "SELECT count() AS rows, uniqExact(event_id) AS ids FROM "
                        + db
                        + ".classroom_events_raw")
                .get(0);
        assertThat(raw.get("rows").asLong()).as(db + " rows").isEqualTo(EVENTS);
        assertThat(raw.get("ids").asLong()).as(db + " distinct event ids").isEqualTo(EVENTS);
      }
      JsonNode facts =
          ch.query(
                  "SELECT (SELECT count() FROM "
                      + pulseDb
                      + ".classroom_sessions) AS sessions, (SELECT count() FROM "
                      + pulseDb
                      + ".classroom_session_minutes) AS minutes, (SELECT count() FROM "
                      + pulseDb
                      + ".classroom_learner_sessions) AS learners, (SELECT sum(attendance_ms) FROM "
                      + pulseDb
                      + ".classroom_learner_sessions) AS attendance, (SELECT count() FROM "
                      + pulseDb
                      + ".classroom_events_late) AS late, (SELECT count() FROM "
                      + pulseDb
                      + ".dead_letters) AS dead")
              .get(0);
      assertThat(facts.get("sessions").asLong()).isEqualTo(oracle.sessions().size());
      assertThat(facts.get("minutes").asLong()).isEqualTo(minutes);
      assertThat(facts.get("learners").asLong()).isEqualTo(learnerSessions);
      assertThat(facts.get("attendance").asLong()).isEqualTo(attendance);
      assertThat(facts.get("late").asLong()).isZero();
      assertThat(facts.get("dead").asLong()).isZero();
      for (String db : new String[] {loaderDb, pulseDb}) {
        ch.execute("DROP DATABASE IF EXISTS " + db);
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void mixedTrafficOfAllFourDomainsIsStoredOnceByTheLoaderAndPulseWithEveryMinuteCounted(
      TestKafka kafka, TestClickHouse clickHouse, @TempDir Path dir) throws Exception {
    String report =
        bench(
            kafka,
            clickHouse,
            dir,
            "--traffic",
            "mixed",
            "--events",
            Long.toString(EVENTS),
            "--events-per-minute",
            Double.toString(EVENTS_PER_MINUTE),
            "--database-prefix",
            clickHouse.database() + "_mixed",
            "--skip",
            "consumer",
            "--loader-batch-rows",
            "3000");
    assertThat(report).contains("20,000 mixed events");
    assertThat(report).containsPattern("(?m)^loader\\s+20,000 .*/s .*/s");
    assertThat(report).containsPattern("(?m)^pulse\\s+20,000 .*/s .*/s");

    // Per raw table, the simulator's own events of its domain, recounted here.
    Map<String, Long> perTable = new TreeMap<>();
    for (Iterator<SimulatedEvent> it =
            new Simulator(Traffic.mixed.simulation(EVENTS, EVENTS_PER_MINUTE, SEED)).events();
        it.hasNext(); ) {
      Object e = it.next().event();
      String table =
          e instanceof ApiRequestEvent
              ? "api_requests_raw"
              : e instanceof ClassroomEvent
                  ? "classroom_events_raw"
                  : e instanceof PlaybackEvent ? "playback_events_raw" : "probe_results_raw";
      perTable.merge(table, 1L, Long::sum);
    }
    assertThat(perTable.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(EVENTS);
    assertThat(perTable).as("all four domains in the preload").hasSize(4);

    JsonNode phases = new ObjectMapper().readTree(dir.resolve("bench.json").toFile()).get("phases");
    String loaderDb = phases.get("loader").get("details").get("database").asText();
    String pulseDb = phases.get("pulse").get("details").get("database").asText();
    try (ClickHouse ch =
        ClickHouse.connect(clickHouse.httpUrl(), clickHouse.user(), clickHouse.password(), null)) {
      for (String db : new String[] {loaderDb, pulseDb}) {
        for (var table : perTable.entrySet()) {
          JsonNode raw =
              ch.query(
                      "SELECT count() AS rows, uniqExact(event_id) AS ids FROM "
                          + db
                          + "."
                          + table.getKey())
                  .get(0);
          assertThat(raw.get("rows").asLong())
              .as(db + "." + table.getKey())
              .isEqualTo(table.getValue());
          assertThat(raw.get("ids").asLong())
              .as(db + "." + table.getKey())
              .isEqualTo(table.getValue());
        }
      }
      assertThat(
              ch.query("SELECT sum(events) AS n FROM " + loaderDb + ".bench_loader_minutes")
                  .get(0)
                  .get("n")
                  .asLong())
          .isEqualTo(EVENTS);
      // Bounded: at the end the watermark passes every minute, so each request and check is in
      // its minute or late.
      JsonNode facts =
          ch.query(
                  "SELECT (SELECT sum(requests) FROM "
                      + pulseDb
                      + ".api_request_minutes) + (SELECT count() FROM "
                      + pulseDb
                      + ".api_requests_late) AS requests, (SELECT sum(checks) FROM "
                      + pulseDb
                      + ".probe_minutes) + (SELECT count() FROM "
                      + pulseDb
                      + ".probe_results_late) AS checks, (SELECT count() FROM "
                      + pulseDb
                      + ".classroom_sessions) AS sessions, (SELECT count() FROM "
                      + pulseDb
                      + ".slo_status) AS slo, (SELECT count() FROM "
                      + pulseDb
                      + ".dead_letters) AS dead")
              .get(0);
      assertThat(facts.get("requests").asLong()).isEqualTo(perTable.get("api_requests_raw"));
      assertThat(facts.get("checks").asLong()).isEqualTo(perTable.get("probe_results_raw"));
      assertThat(facts.get("sessions").asLong()).isPositive();
      assertThat(facts.get("slo").asLong()).as("the example SLOs were evaluated").isPositive();
      assertThat(facts.get("dead").asLong()).isZero();
      for (String db : new String[] {loaderDb, pulseDb}) {
        ch.execute("DROP DATABASE IF EXISTS " + db);
      }
    }
  }

  /**
   * Runs {@code pulse bench} with {@code args} and the test servers, the seed, 1 s checkpoints, the
   * data kept and the JSON in {@code dir}/bench.json; returns the report after checking exit 0.
   */
  private static String bench(
      TestKafka kafka, TestClickHouse clickHouse, Path dir, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new BenchCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--seed",
            Long.toString(SEED),
            "--kafka",
            kafka.bootstrapServers(),
            "--clickhouse",
            clickHouse.httpUrl(),
            "--user",
            clickHouse.user(),
            "--checkpoint-interval",
            "1s",
            "--progress-seconds",
            "1",
            "--memory-ids",
            "100000",
            "--memory-live-keys",
            "1000",
            "--keep-data",
            "--json",
            dir.resolve("bench.json").toString()));
    int exit = cmd.execute(all.toArray(String[]::new));
    assertThat(exit).as("exit code; stderr:%n%s", err).isZero();
    return out.toString();
  }

  private record Expected(
      long valueBytes, long latencySum, long errors5xx, long closable, long minutes) {}

  private static Expected expected() {
    Simulator simulator = new Simulator(Traffic.api.simulation(EVENTS, EVENTS_PER_MINUTE, SEED));
    long bytes = 0;
    for (Iterator<SimulatedRecord> it = simulator.records(); it.hasNext(); ) {
      bytes += it.next().value().length;
    }
    long latency = 0;
    long errors = 0;
    long maxTime = Long.MIN_VALUE;
    TreeMap<Long, Long> perMinute = new TreeMap<>();
    long n = 0;
    for (Iterator<SimulatedEvent> it = simulator.events(); it.hasNext(); ) {
      ApiRequestEvent e = (ApiRequestEvent) it.next().event();
      latency += e.getLatencyUs();
      errors += e.getStatusCode() >= 500 ? 1 : 0;
      long t = e.getEventTime().toEpochMilli();
      maxTime = Math.max(maxTime, t);
      perMinute.merge(t / 60_000, 1L, Long::sum);
      n++;
    }
    assertThat(n).isEqualTo(EVENTS);
    long closable = 0;
    for (var m : perMinute.entrySet()) {
      // minute end + 2 s out-of-orderness + 1 s slack for the partitions' different latest events
      if ((m.getKey() + 1) * 60_000 + 3_000 <= maxTime) {
        closable += m.getValue();
      }
    }
    return new Expected(bytes, latency, errors, closable, perMinute.size());
  }
}
