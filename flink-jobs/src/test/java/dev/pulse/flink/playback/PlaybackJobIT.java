package dev.pulse.flink.playback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.slo.SloSettings;
import dev.pulse.flink.testing.SimulatedApiTopic;
import dev.pulse.flink.testing.SmallBufferMiniCluster;
import dev.pulse.oracle.PlayEvent;
import dev.pulse.oracle.QoeOracle;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.KafkaExtension;
import dev.pulse.testing.SentEvents;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
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
 * The playback job as deployed ({@link PlaybackJob#wire}: Kafka source, every sink) on a
 * MiniCluster at parallelism 2, from simulated evening views (duplicates, out-of-order and
 * malformed records, abandoned views, start failures, the slow CDN in ap-south) in a real Kafka
 * topic to a real ClickHouse built by the migrations: every view stored equals the QoE oracle's,
 * and every minute's sums, and the hour rollup folded from them, equal the oracle's. Events are out
 * of order by at most 20 s, within the allowed lateness, so none is late.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(240)
class PlaybackJobIT {

  @RegisterExtension static final MiniClusterExtension FLINK = SmallBufferMiniCluster.extension();

  private static ClickHouse db;
  private static QoeOracle oracle;
  private static long uniqueValid;
  private static long malformed;

  @BeforeAll
  static void runTheJob(TestKafka kafka, TestClickHouse ch, @InjectMiniCluster MiniCluster cluster)
      throws Exception {
    db = ch.migratedDatabase();
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(20261203)
            .withDomains(EnumSet.of(Domain.PLAYBACK))
            .withStart(Instant.parse("2026-03-02T18:00:00Z"))
            .withDuration(Duration.ofMinutes(60))
            .withRates(1, 20)
            .withFaults(new FaultConfig(0.03, 0.05, 0.0, 0.01));
    List<SimulatedRecord> records = new ArrayList<>();
    new Simulator(sim).records().forEachRemaining(records::add);
    String topic = kafka.topic("playback", 1);
    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            kafka.bootstrapServers(),
            new Properties(),
            name -> name.equals(Topics.PLAYBACK.name()) ? topic : name)) {
      records.forEach(writer::send);
      writer.flush();
      assertThat(writer.failedSends()).isZero();
    }
    List<PlayEvent> valid = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (SimulatedRecord r : records) {
      if (r.isValid()) {
        PlaybackEvent e = (PlaybackEvent) r.event();
        ids.add(e.getTenantId() + "/" + e.getEventId().toLowerCase(Locale.ROOT));
        valid.add(SentEvents.playEvent(e));
      } else {
        malformed++;
      }
    }
    uniqueValid = ids.size();
    oracle = QoeOracle.of(valid, Long.MAX_VALUE);

    Map<String, String> settings =
        SimulatedApiTopic.jobSettings(kafka, ch, topic, kafka.topic("playback-dlq"));
    settings.put("checkpoint-interval", "500ms");
    settings.put(SloSettings.EXAMPLES.key(), "true");
    settings.put(SloSettings.ALERT_TOPIC.key(), kafka.topic("playback-slo-alerts", 1));
    PlaybackConfig config = PlaybackConfig.fromMap(settings);
    var env = new TestStreamEnvironment(cluster, new Configuration(), 2, List.of(), List.of());
    PlaybackJob.wire(env, config, Clock.systemUTC());
    long started = System.nanoTime();
    JobClient job = env.executeAsync(PlaybackJob.JOB_NAME);
    job.getJobExecutionResult().get(180, TimeUnit.SECONDS);
    System.out.printf(
        "[playback-it] %d records (%d unique valid, %d malformed), %d views; job %d ms%n",
        records.size(),
        uniqueValid,
        malformed,
        oracle.views().size(),
        (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void theSimulatedEveningHasViewsOfEveryOutcome() {
    Set<String> outcomes = new HashSet<>();
    oracle.views().forEach(v -> outcomes.add(v.outcome()));
    assertThat(oracle.views()).hasSizeGreaterThan(500);
    assertThat(outcomes)
        .containsExactlyInAnyOrder(
            "success", "start-failure", "exit-before-start", "playback-failure");
    assertThat(malformed).isPositive();
  }

  @Test
  void everyViewStoredEqualsTheOracle() {
    List<String> expected = new ArrayList<>();
    for (QoeOracle.View v : oracle.views()) {
      expected.add(
          String.join(
              "|",
              v.key().tenant(),
              v.key().viewId(),
              v.dimensions().cdn(),
              Long.toString(v.startMs()),
              Long.toString(v.endMs()),
              v.endedBy(),
              v.outcome(),
              Long.toString(v.startupMs() == null ? -1 : v.startupMs()),
              Integer.toString(v.rebufferCount()),
              Long.toString(v.rebufferMs()),
              Long.toString(v.viewMs()),
              Long.toString(v.playingMs()),
              Long.toString(v.bitrateKbpsMs()),
              Integer.toString(v.errors()),
              Long.toString(v.exitPlayheadMs()),
              Integer.toString(v.experienceScore() == null ? -1 : v.experienceScore())));
    }
    List<String> stored = new ArrayList<>();
    for (JsonNode r :
        db.query(
            "SELECT tenant_id, view_id, cdn, view_start_ms, view_end_ms, ended_by, outcome,"
                + " startup_ms, rebuffers, rebuffer_ms, view_ms, playing_ms, bitrate_kbps_ms,"
                + " errors, exit_playhead_ms, experience_score FROM playback_views FINAL"
                + " ORDER BY tenant_id, view_id")) {
      List<String> cells = new ArrayList<>();
      r.fields().forEachRemaining(f -> cells.add(f.getValue().asText()));
      stored.add(String.join("|", cells));
    }
    assertThat(stored).hasSizeGreaterThan(500).isEqualTo(expected);
  }

  @Test
  void everyMinutesSumsAndTheHourRollupEqualTheOracle() {
    Map<String, long[]> want = new TreeMap<>();
    for (QoeOracle.View v : oracle.views()) {
      add(want, v.key().tenant(), v.startMs(), v.dimensions(), 0, 1);
      long end = v.endMs();
      add(want, v.key().tenant(), end, v.dimensions(), 1, 1);
      add(
          want,
          v.key().tenant(),
          end,
          v.dimensions(),
          2,
          v.outcome().equals("start-failure") ? 1 : 0);
      add(want, v.key().tenant(), end, v.dimensions(), 3, v.rebufferMs());
      add(want, v.key().tenant(), end, v.dimensions(), 4, v.viewMs());
      add(
          want,
          v.key().tenant(),
          end,
          v.dimensions(),
          5,
          v.startupMs() == null ? 0 : v.startupMs());
      add(
          want,
          v.key().tenant(),
          end,
          v.dimensions(),
          6,
          v.experienceScore() == null ? 0 : v.experienceScore());
      oracle
          .activeMs(v.key())
          .forEach((m, ms) -> add(want, v.key().tenant(), m, v.dimensions(), 7, ms));
    }
    Map<String, long[]> got = new TreeMap<>();
    for (JsonNode r :
        db.query(
            "SELECT tenant_id, toUInt32(minute) AS m, video_id, cdn, region, device, player,"
                + " sum(views_started) AS s0, sum(views_ended) AS s1, sum(start_failures) AS s2,"
                + " sum(rebuffer_ms) AS s3, sum(view_ms) AS s4, sum(startup_ms_sum) AS s5,"
                + " sum(experience_score_sum) AS s6, sum(active_ms) AS s7 FROM playback_minutes"
                + " GROUP BY tenant_id, m, video_id, cdn, region, device, player")) {
      long[] s = new long[8];
      for (int i = 0; i < 8; i++) {
        s[i] = r.get("s" + i).asLong();
      }
      got.put(
          String.join(
              "|",
              r.get("tenant_id").asText(),
              Long.toString(r.get("m").asLong() * 1000),
              r.get("video_id").asText(),
              r.get("cdn").asText(),
              r.get("region").asText(),
              r.get("device").asText(),
              r.get("player").asText()),
          s);
    }
    assertThat(asText(got)).hasSizeGreaterThan(100).isEqualTo(asText(want));
    long hourViews =
        db.query("SELECT sumMerge(views_ended) AS n FROM playback_hours").get(0).get("n").asLong();
    assertThat(hourViews).isEqualTo(oracle.views().size());
  }

  /**
   * The example SLO video-start (98 % of views without a start failure) counts every ended view
   * once, by the minute it ended, corrections included: at its last evaluation (three quiet days
   * after the evening, every view inside the 30-day window) each tenant's eligible views and bad
   * ones are the oracle's views and start failures.
   */
  @Test
  void theVideoStartSloCountsEveryViewOnceAndEachStartFailureAsBad() {
    Map<String, long[]> want = new TreeMap<>();
    for (QoeOracle.View v : oracle.views()) {
      long[] n = want.computeIfAbsent(v.key().tenant(), t -> new long[2]);
      n[0]++;
      if (v.outcome().equals("start-failure")) {
        n[1]++;
      }
    }
    Map<String, long[]> got = new TreeMap<>();
    for (JsonNode row :
        db.query(
            "SELECT tenant_id, argMax(eligible, minute) AS eligible, argMax(bad, minute) AS bad"
                + " FROM slo_status FINAL WHERE slo = 'video-start' GROUP BY tenant_id")) {
      got.put(
          row.get("tenant_id").asText(),
          new long[] {row.get("eligible").asLong(), row.get("bad").asLong()});
    }
    assertThat(got.keySet()).isEqualTo(want.keySet());
    for (String tenant : want.keySet()) {
      assertThat(got.get(tenant)).as(tenant).containsExactly(want.get(tenant));
    }
    assertThat(want.values().stream().mapToLong(n -> n[1]).sum()).isPositive();
  }

  @Test
  void rawEventsAreStoredOnceAndMalformedRecordsAreDeadLettersAndNothingIsLate() {
    assertThat(db.queryText("SELECT count() FROM playback_events_raw FINAL").strip())
        .isEqualTo(Long.toString(uniqueValid));
    assertThat(db.queryText("SELECT count() FROM playback_events_late").strip()).isEqualTo("0");
    assertThat(
            db.queryText(
                    "SELECT count() FROM dead_letters FINAL WHERE source_topic LIKE '%playback%'")
                .strip())
        .isEqualTo(Long.toString(malformed));
  }

  private static void add(
      Map<String, long[]> rows,
      String tenant,
      long ms,
      QoeOracle.Dimensions d,
      int field,
      long value) {
    String key =
        String.join(
            "|",
            tenant,
            Long.toString(Math.floorDiv(ms, 60_000) * 60_000),
            d.video(),
            d.cdn(),
            d.region(),
            d.device(),
            d.player());
    rows.computeIfAbsent(key, k -> new long[8])[field] += value;
  }

  private static Map<String, String> asText(Map<String, long[]> rows) {
    Map<String, String> out = new TreeMap<>();
    rows.forEach((k, v) -> out.put(k, java.util.Arrays.toString(v)));
    out.values().removeIf(v -> v.equals("[0, 0, 0, 0, 0, 0, 0, 0]"));
    return out;
  }
}
