package dev.pulse.flink.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.ProbeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.slo.SloSettings;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.SloOracle;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.Incident;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.slo.EventKind;
import dev.pulse.slo.Slo;
import dev.pulse.slo.SloFiles;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.SloOracleConfigs;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The probe job as deployed ({@link ProbeJob#wire}: Kafka source, every sink, the example SLOs) on
 * a MiniCluster at parallelism 2, over 90 simulated minutes of probes across a month's end (five
 * services from three regions every 30 s, a 5-minute grades-api outage), with duplicates, malformed
 * records and two results only the job's own rule refuses, from a real Kafka topic to a real
 * ClickHouse built by the migrations. Every expectation is recounted here from the delivered
 * records (the first delivery of each valid id), never read from the job: the raw and minute
 * tables, the dead letters, the incidents the documented query (docs/slo.md) finds, and
 * grades-api-uptime's evaluations and alert changes, which must equal the SLO oracle (testkit).
 * Nothing is delivered out of order, so nothing is late.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(300)
class ProbeJobIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static final Instant START = Instant.parse("2026-11-30T23:00:00Z");
  private static final Duration LENGTH = Duration.ofMinutes(90);
  private static final Instant OUTAGE = START.plus(Duration.ofMinutes(40));
  private static final String TENANT = "platform";
  private static final String TARGET = "grades-api/health";
  private static final String SLO = "grades-api-uptime";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ClickHouse db;
  private static TestKafka kafka;
  private static String topic;
  private static String deadLetterTopic;
  private static String alertTopic;

  /** The first delivery of each valid id, in delivery order: what the dedup keeps. */
  private static final List<ProbeResult> results = new ArrayList<>();

  private static long malformed;

  @BeforeAll
  static void runTheJob(TestKafka k, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster)
      throws Exception {
    kafka = k;
    db = ch.migratedDatabase();
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20261130)
            .withDomains(EnumSet.of(Domain.PROBES))
            .withStart(START)
            .withDuration(LENGTH)
            .withIncidents(
                List.of(
                    new Incident(
                        Incident.Kind.OUTAGE,
                        "grades-api",
                        null,
                        OUTAGE,
                        Duration.ofMinutes(5),
                        1.0)))
            .withFaults(new FaultConfig(0.05, 0, 0, 0.02));
    List<SimulatedRecord> records = new ArrayList<>();
    new Simulator(sim).records().forEachRemaining(records::add);
    // Two results the contract accepts and the job's rule does not, in the middle of the stream.
    int middle = records.size() / 2;
    Instant at = records.get(middle).eventTime();
    records.add(middle, refusedByTheJob(at, "courses-api/health", 3_600_000));
    records.add(middle, refusedByTheJob(at, " ", 40));

    topic = kafka.topic("probes", 1);
    deadLetterTopic = kafka.topic("probes-dlq", 1);
    alertTopic = kafka.topic("probe-slo-alerts", 1);
    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            kafka.bootstrapServers(),
            new Properties(),
            name -> name.equals(Topics.PROBES.name()) ? topic : name)) {
      records.forEach(writer::send);
      writer.flush();
      assertThat(writer.failedSends()).isZero();
    }
    Set<String> ids = new HashSet<>();
    for (SimulatedRecord r : records) {
      if (!r.isValid()) {
        malformed++;
      } else {
        ProbeResult p = (ProbeResult) r.event();
        if (ids.add(p.getTenantId() + "/" + p.getEventId().toLowerCase(Locale.ROOT))) {
          results.add(p);
        }
      }
    }

    Map<String, String> settings = SimulatedApiTopic.jobSettings(kafka, ch, topic, deadLetterTopic);
    settings.put("checkpoint-interval", "500ms");
    settings.put(SloSettings.EXAMPLES.key(), "true");
    settings.put(SloSettings.ALERT_TOPIC.key(), alertTopic);
    Configuration noRestarts = new Configuration();
    noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    var env = new TestStreamEnvironment(cluster, noRestarts, 2, List.of(), List.of());
    ProbeJob.wire(env, ProbeConfig.fromMap(settings), Clock.systemUTC());
    long started = System.nanoTime();
    JobClient job = env.executeAsync(ProbeJob.JOB_NAME);
    job.getJobExecutionResult().get(240, TimeUnit.SECONDS);
    System.out.printf(
        "[probe-it] %d records (%d unique valid, %d malformed); job %d ms%n",
        records.size(), results.size(), malformed, (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void rawResultsAreStoredOnceMalformedRecordsAreDeadLettersAndNothingIsLate() {
    List<String> expected = new ArrayList<>();
    for (ProbeResult p : results) {
      expected.add(
          String.join(
              "|",
              p.getEventId().toLowerCase(Locale.ROOT),
              p.getTenantId(),
              Long.toString(p.getEventTime().toEpochMilli()),
              p.getTarget(),
              p.getRegion(),
              p.getSuccess() ? "1" : "0",
              Long.toString(p.getLatencyMs()),
              p.getError() == null ? "null" : p.getError()));
    }
    List<String> stored = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT event_id, tenant_id, event_time_ms, target, region, success, latency_ms,"
                + " ifNull(error, 'null') AS error FROM probe_results_raw FINAL")) {
      List<String> cells = new ArrayList<>();
      r.fields().forEachRemaining(f -> cells.add(f.getValue().asText()));
      stored.add(String.join("|", cells));
    }
    assertThat(stored).hasSize(results.size()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(results.size()).isGreaterThan(2_500);

    assertThat(db.queryText("SELECT count() FROM probe_results_late").strip()).isEqualTo("0");
    assertThat(
            db.queryText(
                    "SELECT count() FROM dead_letters FINAL WHERE source_topic = '" + topic + "'")
                .strip())
        .isEqualTo(Long.toString(malformed));
    assertThat(malformed).isGreaterThan(20);
    List<String> refused = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT reason, message FROM dead_letters FINAL WHERE source_topic = '"
                + topic
                + "' AND (message LIKE 'latency_ms%' OR message LIKE 'target%')")) {
      refused.add(r.get("reason").asText() + ": " + r.get("message").asText());
    }
    assertThat(refused)
        .containsExactlyInAnyOrder(
            "INVALID_VALUE: latency_ms 3600000 is outside 0..3599999",
            "INVALID_VALUE: target is blank");
    // At least once on the topic (exactly once here: no restart).
    assertThat(SimulatedApiTopic.readAll(kafka, deadLetterTopic))
        .hasSizeGreaterThanOrEqualTo((int) malformed);
  }

  @Test
  void everyMinuteEqualsARecountOfTheResults() {
    Map<String, long[]> want = new TreeMap<>();
    for (ProbeResult p : results) {
      long[] m =
          want.computeIfAbsent(
              String.join(
                  "|",
                  p.getTenantId(),
                  p.getTarget(),
                  p.getRegion(),
                  Long.toString(Math.floorDiv(p.getEventTime().getEpochSecond(), 60) * 60)),
              k -> new long[3]);
      m[0]++;
      m[1] += p.getSuccess() ? 1 : 0;
      m[2] += p.getLatencyMs();
    }
    Map<String, long[]> got = new TreeMap<>();
    long rows = 0;
    for (JsonNode r :
        db.query(
            "SELECT tenant_id, target, region, toUInt32(minute) AS m, sum(checks) AS c,"
                + " sum(successes) AS s, sum(latency_ms_sum) AS l, count() AS n"
                + " FROM probe_minutes GROUP BY tenant_id, target, region, m")) {
      got.put(
          String.join(
              "|",
              r.get("tenant_id").asText(),
              r.get("target").asText(),
              r.get("region").asText(),
              r.get("m").asText()),
          new long[] {r.get("c").asLong(), r.get("s").asLong(), r.get("l").asLong()});
      rows += r.get("n").asLong();
    }
    // 90 minutes, 5 targets, 3 regions.
    assertThat(asText(got)).hasSize(90 * 5 * 3).isEqualTo(asText(want));
    // Nothing late: one row per minute, written once.
    assertThat(rows).isEqualTo(want.size());
    // The outage: every check of grades-api failed in its five minutes, from every region.
    for (int minute = 0; minute < 5; minute++) {
      for (String region : List.of("eu-west", "us-east", "ap-south")) {
        long[] m =
            got.get(
                String.join(
                    "|",
                    TENANT,
                    TARGET,
                    region,
                    Long.toString(OUTAGE.getEpochSecond() + 60L * minute)));
        assertThat(m[0]).isEqualTo(2);
        assertThat(m[1]).isZero();
      }
    }
  }

  @Test
  void theDocumentedIncidentQueryFindsExactlyTheOutage() throws Exception {
    // The rule of docs/slo.md, worked out here from the results: per target and minute.
    Map<String, TreeMap<Long, long[]>> byTarget = new TreeMap<>();
    Map<String, Set<String>> failedRegions = new TreeMap<>();
    for (ProbeResult p : results) {
      long minute = Math.floorDiv(p.getEventTime().getEpochSecond(), 60) * 60;
      long[] m =
          byTarget
              .computeIfAbsent(p.getTarget(), t -> new TreeMap<>())
              .computeIfAbsent(minute, x -> new long[2]);
      m[0]++;
      if (!p.getSuccess()) {
        m[1]++;
        failedRegions
            .computeIfAbsent(p.getTarget() + "@" + minute, x -> new TreeSet<>())
            .add(p.getRegion());
      }
    }
    List<String> expected = new ArrayList<>();
    for (var target : byTarget.entrySet()) {
      long runStart = -1;
      long runEnd = -1;
      Set<String> regions = new TreeSet<>();
      for (var minute : target.getValue().entrySet()) {
        boolean down = minute.getValue()[1] * 2 > minute.getValue()[0];
        if (down && runEnd == minute.getKey()) {
          runEnd += 60; // the run goes on
        } else if (down) {
          if (runStart >= 0) {
            expected.add(incident(target.getKey(), runStart, runEnd, regions));
          }
          runStart = minute.getKey();
          runEnd = runStart + 60;
          regions = new TreeSet<>();
        }
        if (down) {
          regions.addAll(failedRegions.get(target.getKey() + "@" + minute.getKey()));
        }
      }
      if (runStart >= 0) {
        expected.add(incident(target.getKey(), runStart, runEnd, regions));
      }
    }
    assertThat(expected)
        .containsExactly(
            incident(
                TARGET,
                OUTAGE.getEpochSecond(),
                OUTAGE.getEpochSecond() + 300,
                Set.of("ap-south", "eu-west", "us-east")));

    String sql =
        documentedIncidentQuery()
            .replace(":tenant", "'" + TENANT + "'")
            .replace(":from", Long.toString(START.getEpochSecond()))
            .replace(":to", Long.toString(START.plus(LENGTH).getEpochSecond()));
    List<String> found = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT tenant_id, target, toUInt32(start) AS s, toUInt32(end) AS e, duration_s,"
                + " down_minutes, regions FROM ("
                + sql
                + ")")) {
      assertThat(r.get("tenant_id").asText()).isEqualTo(TENANT);
      assertThat(r.get("duration_s").asLong()).isEqualTo(r.get("e").asLong() - r.get("s").asLong());
      assertThat(r.get("down_minutes").asLong() * 60).isEqualTo(r.get("duration_s").asLong());
      Set<String> regions = new TreeSet<>();
      r.get("regions").forEach(x -> regions.add(x.asText()));
      found.add(
          incident(r.get("target").asText(), r.get("s").asLong(), r.get("e").asLong(), regions));
    }
    assertThat(found).isEqualTo(expected);
  }

  @Test
  void gradesApiUptimeEvaluationsAndAlertChangesEqualTheOracle() throws Exception {
    Slo slo =
        SloFiles.examples().catalog().slos().stream()
            .filter(s -> s.name().equals(SLO))
            .findFirst()
            .orElseThrow();
    assertThat(slo.indicator().events()).isEqualTo(EventKind.PROBE_RESULTS);
    assertThat(slo.method()).isEqualTo(Slo.BudgetingMethod.TIMESLICES);
    assertThat(slo.window().isCalendarMonth()).isTrue();
    List<SloOracle.Event> events = new ArrayList<>();
    for (ProbeResult p : results) {
      if (p.getTenantId().equals(TENANT) && selects(slo, p)) {
        events.add(new SloOracle.Event(p.getEventTime().toEpochMilli(), p.getSuccess()));
      }
    }
    assertThat(events).hasSize(90 * 2 * 3);
    SloOracle.Result expected =
        SloOracle.evaluate(SloOracleConfigs.of(slo), events, Long.MAX_VALUE);
    List<String> expectedChanges = new ArrayList<>();
    for (SloOracle.Change c : expected.changes()) {
      expectedChanges.add(change(c.row(), c.firing(), c.atMs(), c.sinceMs()));
    }
    // The outage pages: not a vacuous comparison. By hand: at the end of the outage's (k+1)-th
    // minute the 1h window holds the 41 + k slices since 23:00, k + 1 of them bad, a burn of
    // (k + 1) / (41 + k) / 0.005, above 14.4 from k = 3 on (the 5m window's is 200 and more).
    assertThat(expectedChanges)
        .contains(
            change(
                "page-fast",
                true,
                OUTAGE.plusSeconds(4 * 60).toEpochMilli(),
                OUTAGE.plusSeconds(4 * 60).toEpochMilli()));

    List<JsonNode> rows =
        db.query(
            "SELECT toUnixTimestamp(minute) AS minute, good, total, toUnixTimestamp(window_start)"
                + " AS window_start, eligible, bad, remaining, burn_5m, burn_30m, burn_1h, burn_2h,"
                + " burn_6h, burn_1d, burn_3d FROM slo_status FINAL WHERE tenant_id = '"
                + TENANT
                + "' AND slo = '"
                + SLO
                + "' ORDER BY minute");
    assertThat(rows).hasSize(expected.statuses().size());
    assertThat(db.queryText("SELECT count() FROM slo_status FINAL").strip())
        .isEqualTo(Integer.toString(rows.size()));
    String[] burns = {"burn_5m", "burn_30m", "burn_1h", "burn_2h", "burn_6h", "burn_1d", "burn_3d"};
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      SloOracle.Status s = expected.statuses().get(i);
      String where = SLO + " " + Instant.ofEpochMilli(s.endMs());
      assertThat(row.get("minute").asLong() * 1000).as(where).isEqualTo(s.endMs() - 60_000);
      assertThat(row.get("good").asLong()).as(where).isEqualTo(s.minuteGood());
      assertThat(row.get("total").asLong()).as(where).isEqualTo(s.minuteTotal());
      assertThat(row.get("window_start").asLong() * 1000).as(where).isEqualTo(s.windowStartMs());
      assertThat(row.get("eligible").asLong()).as(where).isEqualTo(s.eligible());
      assertThat(row.get("bad").asLong()).as(where).isEqualTo(s.bad());
      assertThat(row.get("remaining").asDouble()).as(where).isCloseTo(s.remaining(), within(1e-9));
      for (int w = 0; w < burns.length; w++) {
        assertThat(row.get(burns[w]).asDouble())
            .as(where + " " + burns[w])
            .isCloseTo(s.burnRates()[w], within(1e-9));
      }
    }

    List<String> stored = new ArrayList<>();
    for (JsonNode row :
        db.query(
            "SELECT tenant_id, slo, alert_row, state, toUnixTimestamp(at) AS at,"
                + " toUnixTimestamp(since) AS since FROM slo_alerts FINAL")) {
      assertThat(row.get("tenant_id").asText()).isEqualTo(TENANT);
      assertThat(row.get("slo").asText()).isEqualTo(SLO);
      stored.add(
          change(
              row.get("alert_row").asText(),
              row.get("state").asText().equals("firing"),
              row.get("at").asLong() * 1000,
              row.get("since").asLong() * 1000));
    }
    assertThat(stored).containsExactlyInAnyOrderElementsOf(expectedChanges);

    List<String> published = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : SimulatedApiTopic.readAll(kafka, alertTopic)) {
      JsonNode a = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8));
      assertThat(a.get("tenant").asText() + "/" + a.get("slo").asText())
          .isEqualTo(TENANT + "/" + SLO);
      published.add(
          change(
              a.get("row").asText(),
              a.get("state").asText().equals("firing"),
              Instant.parse(a.get("at").asText()).toEpochMilli(),
              Instant.parse(a.get("since").asText()).toEpochMilli()));
    }
    assertThat(published).containsExactlyInAnyOrderElementsOf(expectedChanges);
  }

  /** The SQL block of docs/slo.md's "Uptime and incidents", as written there. */
  private static String documentedIncidentQuery() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "slo.md"));
    String section = doc.substring(doc.indexOf("## Uptime and incidents"));
    Matcher sql = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(sql.find()).as("an SQL block in docs/slo.md's Uptime and incidents").isTrue();
    return sql.group(1);
  }

  /** The SLI's selection, read from the result's own fields (as docs/slo.md names them). */
  private static boolean selects(Slo slo, ProbeResult p) {
    for (Map.Entry<String, String> s : slo.indicator().selection().entrySet()) {
      String value =
          switch (s.getKey()) {
            case "target" -> p.getTarget();
            case "region" -> p.getRegion();
            default -> throw new AssertionError(s.getKey());
          };
      if (!s.getValue().equals(value)) {
        return false;
      }
    }
    return true;
  }

  private static SimulatedRecord refusedByTheJob(Instant at, String target, long latencyMs) {
    ProbeResult p =
        ProbeResult.newBuilder()
            .setEventId(java.util.UUID.nameUUIDFromBytes(target.getBytes()).toString())
            .setTenantId(TENANT)
            .setEventTime(at)
            .setTarget(target)
            .setRegion("eu-west")
            .setSuccess(true)
            .setLatencyMs(latencyMs)
            .setError(null)
            .build();
    return new SimulatedRecord(
        Topics.PROBES,
        target,
        EventCodec.forTopic(Topics.PROBES).encode(p),
        at,
        SimulatedRecord.Kind.MALFORMED,
        SimulatedRecord.MalformedKind.INVALID_VALUES,
        null);
  }

  private static String incident(String target, long start, long end, Set<String> regions) {
    return target
        + " "
        + Instant.ofEpochSecond(start)
        + " - "
        + Instant.ofEpochSecond(end)
        + " "
        + new TreeSet<>(regions);
  }

  private static String change(String row, boolean firing, long atMs, long sinceMs) {
    return row
        + " "
        + (firing ? "firing" : "resolved")
        + " at "
        + Instant.ofEpochMilli(atMs)
        + " since "
        + Instant.ofEpochMilli(sinceMs);
  }

  private static Map<String, String> asText(Map<String, long[]> rows) {
    Map<String, String> out = new TreeMap<>();
    rows.forEach((k, v) -> out.put(k, java.util.Arrays.toString(v)));
    return out;
  }
}
