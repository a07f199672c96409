package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.oracle.PlayEvent;
import dev.pulse.oracle.QoeOracle;
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
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Video QoE end to end, as an SRE sees it: the simulator (fixed seed, with duplicates,
 * out-of-order, late and malformed records, abandoned views, start failures, the slow CDN in
 * ap-south) writes an evening of views to a real Kafka broker; the stack the demo runs (every job
 * on a Flink MiniCluster, a real ClickHouse built by the migrations, serving-api) serves it over
 * GraphQL; every view's facts, every minute of every tenant and every breakdown row answered equal
 * the QoE oracle's, worked out from docs/qoe.md alone, and the slow CDN in its region is the worst
 * row.
 *
 * <p>As in the classroom end-to-end test, one partition and parallelism 1 make the watermark each
 * event meets follow from the delivery order, so which events are late follows from it by the
 * documented rule; a late event of a view Pulse has seen corrects the view (so the oracle counts
 * it), one of a view not seen before is stored in the late table and counted nowhere.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class PlaybackEndToEndIT {

  private static final Instant START = Instant.parse("2026-03-02T18:00:00Z");

  private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(2);
  private static final Duration ALLOWED_LATENESS = Duration.ofSeconds(30);

  private PulseStack stack;
  private GraphQlOverHttp graphql;
  private QoeOracle oracle;
  private FaultReport report;
  private final Set<String> lateStored = new HashSet<>();
  private int lateApplied;
  private long malformedSent;
  private final Map<String, String> tokenOfTenant = new LinkedHashMap<>();

  @BeforeAll
  void runThePipeline(TestKafka kafka, TestClickHouse ch) throws Exception {
    String topic = kafka.topic("e2e-playback", 1);
    SimulationConfig config =
        SimulationConfig.defaults()
            .withSeed(20261204)
            .withDomains(EnumSet.of(Domain.PLAYBACK))
            .withStart(START)
            .withDuration(Duration.ofMinutes(45))
            .withRates(1, 20)
            .withFaults(new FaultConfig(0.03, 0.05, 0.02, 0.01));
    Simulator simulator = new Simulator(config);
    List<SimulatedRecord> all = new ArrayList<>();
    Simulator.RecordStream stream = simulator.records();
    stream.forEachRemaining(all::add);
    report = stream.report();

    // Late by the rule of docs/qoe.md ("Late events") with this test's settings
    // (LatenessByDelivery). A late event of a view seen before (kept for 2 hours after its end,
    // longer than this evening) corrects it; one of a view not seen before goes to the late table.
    List<SimulatedRecord> sent = new ArrayList<>();
    List<PlayEvent> counted = new ArrayList<>();
    Set<PlayEvent.ViewKey> seen = new HashSet<>();
    for (LatenessByDelivery.Delivery d :
        LatenessByDelivery.of(all, OUT_OF_ORDERNESS, ALLOWED_LATENESS)) {
      sent.add(d.record());
      if (d.fate() == LatenessByDelivery.Fate.MALFORMED) {
        malformedSent++;
        continue;
      }
      if (d.fate() == LatenessByDelivery.Fate.DUPLICATE) {
        continue;
      }
      PlayEvent p = SentEvents.playEvent((PlaybackEvent) d.record().event());
      boolean late = d.fate() == LatenessByDelivery.Fate.LATE;
      if (late && !seen.contains(p.key())) {
        lateStored.add(d.id());
        continue;
      }
      lateApplied += late ? 1 : 0;
      seen.add(p.key());
      counted.add(p);
    }
    oracle = QoeOracle.of(counted, Long.MAX_VALUE);

    try (KafkaEventWriter writer =
        new KafkaEventWriter(
            kafka.bootstrapServers(),
            new Properties(),
            name -> name.equals(Topics.PLAYBACK.name()) ? topic : name)) {
      sent.forEach(writer::send);
      writer.flush();
      assertThat(writer.failedSends()).isZero();
    }

    DemoIdentity identity =
        DemoIdentity.create(
            Files.createTempDirectory("pulse-playback-e2e-identity-"), Duration.ofHours(1));
    Map<String, String> apiProperties = new HashMap<>(identity.apiProperties());
    // One SRE asks for every view in a burst: the rate limit is not under test.
    apiProperties.put("pulse.limits.requests-per-second", "100000");
    apiProperties.put("pulse.limits.request-burst", "100000");
    for (String tenant : simulator.tenantIds()) {
      tokenOfTenant.put(
          tenant,
          identity.token(
              new DemoIdentity.Person("sre@" + tenant, "SRE", tenant, List.of("sre"), List.of())));
    }
    long started = System.nanoTime();
    stack =
        EndToEndStack.start(
            kafka,
            ch,
            EndToEndStack.Job.PLAYBACK,
            topic,
            OUT_OF_ORDERNESS,
            ALLOWED_LATENESS,
            apiProperties);
    stack.awaitJobEnd(Duration.ofMinutes(3));
    System.out.printf(
        "[playback-e2e] %d records sent (%d late: %d correcting a view, %d stored as late; %s),"
            + " %d views; stack started and job done in %d ms%n",
        sent.size(),
        lateApplied + lateStored.size(),
        lateApplied,
        lateStored.size(),
        report,
        oracle.views().size(),
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
  void theSimulatedEveningHasEveryFaultAndEveryOutcome() {
    assertThat(report.duplicates()).isPositive();
    assertThat(report.malformed()).isPositive();
    assertThat(lateApplied).as("late events that correct a view").isPositive();
    Set<String> outcomes = new HashSet<>();
    oracle.views().forEach(v -> outcomes.add(v.outcome()));
    assertThat(outcomes)
        .containsExactlyInAnyOrder(
            "success", "start-failure", "exit-before-start", "playback-failure");
    assertThat(oracle.views()).hasSizeGreaterThan(400);
  }

  @Test
  void theLateTableHoldsExactlyTheLateEventsOfUnseenViewsAndMalformedRecordsAreDeadLetters(
      TestClickHouse ch) {
    Set<String> stored = new HashSet<>();
    for (String line :
        ch.query("SELECT tenant_id, lower(event_id) FROM playback_events_late").split("\n")) {
      if (!line.isBlank()) {
        stored.add(line.replace('\t', '/'));
      }
    }
    assertThat(stored).isEqualTo(lateStored);
    assertThat(
            ch.query("SELECT count() FROM dead_letters FINAL WHERE source_topic LIKE '%playback%'")
                .strip())
        .isEqualTo(Long.toString(malformedSent));
  }

  private static final String VIEW =
      "query($id: String!) { playbackView(id: $id) { video cdn region start facts { end endedBy"
          + " outcome startupTimeMs rebuffers rebufferMs viewTimeMs playingTimeMs"
          + " averageBitrateKbps errors exitPlayheadMs startupScore smoothnessScore"
          + " playbackSuccessScore experienceScore version } } }";

  @Test
  void everyViewServedEqualsTheOracle() throws Exception {
    int corrected = 0;
    for (QoeOracle.View v : oracle.views()) {
      JsonNode served =
          graphql
              .data(
                  tokenOfTenant.get(v.key().tenant()),
                  VIEW,
                  GraphQlOverHttp.JSON.createObjectNode().put("id", v.key().viewId()))
              .get("playbackView");
      assertThat(served.isNull()).as("%s served", v.key()).isFalse();
      JsonNode f = served.get("facts");
      assertThat(viewRow(served, f)).as("view %s", v.key()).isEqualTo(expectedRow(v));
      corrected += f.get("version").asInt() > 1 ? 1 : 0;
    }
    System.out.printf(
        "[playback-e2e] compared %d views (%d corrected by late events)%n",
        oracle.views().size(), corrected);
    assertThat(corrected).as("views corrected by a late event").isPositive();
  }

  private static String expectedRow(QoeOracle.View v) {
    return String.join(
        "|",
        v.dimensions().video(),
        v.dimensions().cdn(),
        v.dimensions().region(),
        Instant.ofEpochMilli(v.startMs()).toString(),
        Instant.ofEpochMilli(v.endMs()).toString(),
        v.endedBy(),
        v.outcome(),
        String.valueOf(v.startupMs()),
        Integer.toString(v.rebufferCount()),
        Long.toString(v.rebufferMs()),
        Long.toString(v.viewMs()),
        Long.toString(v.playingMs()),
        v.bitrateMs() == 0 ? "null" : Double.toString((double) v.bitrateKbpsMs() / v.bitrateMs()),
        Integer.toString(v.errors()),
        Long.toString(v.exitPlayheadMs()),
        points(v.startupScore()),
        points(v.smoothnessScore()),
        points(v.playbackScore()),
        points(v.experienceScore()));
  }

  /** A score in thousandths as points, "null" without one. */
  private static String points(Integer thousandths) {
    return thousandths == null ? "null" : Double.toString(thousandths / 1000.0);
  }

  private static String viewRow(JsonNode served, JsonNode f) {
    return String.join(
        "|",
        served.get("video").asText(),
        served.get("cdn").asText(),
        served.get("region").asText(),
        Instant.parse(served.get("start").asText()).toString(),
        Instant.parse(f.get("end").asText()).toString(),
        f.get("endedBy").asText(),
        f.get("outcome").asText(),
        f.get("startupTimeMs").isNull() ? "null" : f.get("startupTimeMs").asText(),
        f.get("rebuffers").asText(),
        f.get("rebufferMs").asText(),
        f.get("viewTimeMs").asText(),
        f.get("playingTimeMs").asText(),
        f.get("averageBitrateKbps").isNull()
            ? "null"
            : Double.toString(f.get("averageBitrateKbps").asDouble()),
        f.get("errors").asText(),
        f.get("exitPlayheadMs").asText(),
        score(f.get("startupScore")),
        score(f.get("smoothnessScore")),
        score(f.get("playbackSuccessScore")),
        score(f.get("experienceScore")));
  }

  private static String score(JsonNode n) {
    return n.isNull() ? "null" : Double.toString(n.asDouble());
  }

  /** One tenant-minute of the oracle, by the rules of docs/qoe.md, "Per minute". */
  private static final class Minute {
    final long[] counts = new long[14];
    final List<Long> startups = new ArrayList<>();
    long experienceSum;
    long activeMs;

    static final String[] FIELDS = {
      "viewsStarted",
      "viewsEnded",
      "startFailures",
      "exitsBeforeStart",
      "playbackFailures",
      "successes",
      "startups",
      "rebuffers",
      "rebufferMs",
      "viewTimeMs",
      "playingTimeMs",
      "errors",
      "scoredViews",
      "startupMsSum"
    };
  }

  private Map<String, TreeMap<Long, Minute>> expectedMinutes() {
    Map<String, TreeMap<Long, Minute>> byTenant = new TreeMap<>();
    for (QoeOracle.View v : oracle.views()) {
      TreeMap<Long, Minute> minutes =
          byTenant.computeIfAbsent(v.key().tenant(), t -> new TreeMap<>());
      minutes.computeIfAbsent(minuteOf(v.startMs()), m -> new Minute()).counts[0]++;
      Minute end = minutes.computeIfAbsent(minuteOf(v.endMs()), m -> new Minute());
      end.counts[1]++;
      end.counts[
          switch (v.outcome()) {
            case "start-failure" -> 2;
            case "exit-before-start" -> 3;
            case "playback-failure" -> 4;
            default -> 5;
          }]++;
      if (v.startupMs() != null) {
        end.counts[6]++;
        end.counts[13] += v.startupMs();
        end.startups.add(v.startupMs());
      }
      end.counts[7] += v.rebufferCount();
      end.counts[8] += v.rebufferMs();
      end.counts[9] += v.viewMs();
      end.counts[10] += v.playingMs();
      end.counts[11] += v.errors();
      if (v.experienceScore() != null) {
        end.counts[12]++;
        end.experienceSum += v.experienceScore();
      }
      oracle
          .activeMs(v.key())
          .forEach((m, ms) -> minutes.computeIfAbsent(m, k -> new Minute()).activeMs += ms);
    }
    return byTenant;
  }

  private static long minuteOf(long ms) {
    return Math.floorDiv(ms, 60_000) * 60_000;
  }

  /** The nearest-rank q-quantile of {@code values} (docs/qoe.md), exactly. */
  private static double nearestRank(List<Long> values, double q) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = Math.max(1, (int) Math.ceil(q * sorted.size()));
    return sorted.get(rank - 1);
  }

  private static final String SERIES =
      "query($from: DateTime!, $to: DateTime!) { qoeSeries(from: $from, to: $to, granularity:"
          + " MINUTE) { points { time metrics { viewsStarted viewsEnded startFailures"
          + " exitsBeforeStart playbackFailures successes startups rebuffers rebufferMs viewTimeMs"
          + " playingTimeMs errors scoredViews startupTimeMeanMs startupTimeP50Ms startupTimeP95Ms"
          + " startupTimeP99Ms experienceScore concurrentViewers } } } }";

  @Test
  void everyMinuteOfEveryTenantServedEqualsTheOracle() throws Exception {
    int compared = 0;
    for (Map.Entry<String, TreeMap<Long, Minute>> tenant : expectedMinutes().entrySet()) {
      TreeMap<Long, Minute> want = tenant.getValue();
      ObjectNode range =
          GraphQlOverHttp.JSON
              .createObjectNode()
              .put("from", Instant.ofEpochMilli(want.firstKey()).toString())
              .put("to", Instant.ofEpochMilli(want.lastKey() + 60_000).toString());
      Map<Long, JsonNode> served = new TreeMap<>();
      for (JsonNode p :
          graphql.data(tokenOfTenant.get(tenant.getKey()), SERIES, range).at("/qoeSeries/points")) {
        JsonNode m = p.get("metrics");
        boolean empty = m.get("concurrentViewers").asDouble() == 0;
        for (String field : Minute.FIELDS) {
          empty &= !m.has(field) || m.get(field).asLong() == 0;
        }
        // A minute a correction moved every number out of nets to zero rows: nothing to show.
        if (!empty) {
          served.put(Instant.parse(p.get("time").asText()).toEpochMilli(), m);
        }
      }
      assertThat(served.keySet()).as("minutes of %s", tenant.getKey()).isEqualTo(want.keySet());
      for (Map.Entry<Long, Minute> e : want.entrySet()) {
        String what = tenant.getKey() + " " + Instant.ofEpochMilli(e.getKey());
        Minute w = e.getValue();
        JsonNode m = served.get(e.getKey());
        for (int i = 0; i < 13; i++) {
          assertThat(m.get(Minute.FIELDS[i]).asLong())
              .as("%s %s", what, Minute.FIELDS[i])
              .isEqualTo(w.counts[i]);
        }
        assertThat(m.get("concurrentViewers").asDouble())
            .as("%s concurrent viewers", what)
            .isCloseTo(w.activeMs / 60_000.0, within(1e-9));
        if (w.counts[12] == 0) {
          assertThat(m.get("experienceScore").isNull()).as(what).isTrue();
        } else {
          assertThat(m.get("experienceScore").asDouble())
              .as("%s experience", what)
              .isCloseTo(w.experienceSum / 1000.0 / w.counts[12], within(1e-9));
        }
        if (w.startups.isEmpty()) {
          assertThat(m.get("startupTimeP95Ms").isNull()).as(what).isTrue();
        } else {
          assertThat(m.get("startupTimeMeanMs").asDouble())
              .as("%s startup mean", what)
              .isCloseTo((double) w.counts[13] / w.counts[6], within(1e-9));
          for (double q : new double[] {0.50, 0.95, 0.99}) {
            String field = "startupTimeP" + Math.round(q * 100) + "Ms";
            double exact = nearestRank(w.startups, q);
            // docs/qoe.md: percentiles within 1 % (relative) of the nearest-rank value.
            assertThat(m.get(field).asDouble())
                .as("%s %s", what, field)
                .isCloseTo(exact, within(exact * 0.01));
          }
        }
        compared++;
      }
    }
    System.out.printf("[playback-e2e] compared %d tenant-minutes%n", compared);
    assertThat(compared).isGreaterThan(100);
  }

  private static final String BREAKDOWN =
      "query($from: DateTime!, $to: DateTime!) { qoeBreakdown(by: [CDN, REGION], from: $from, to:"
          + " $to, limit: 100) { combinations rows { cdn region impact metrics { scoredViews"
          + " experienceScore } } } }";

  @Test
  void everyBreakdownRowEqualsTheOracleAndTheSlowCdnInItsRegionIsTheWorst() throws Exception {
    long from = oracle.views().stream().mapToLong(v -> minuteOf(v.startMs())).min().orElseThrow();
    long to = oracle.views().stream().mapToLong(v -> minuteOf(v.endMs())).max().orElseThrow();
    int apSouthTenants = 0;
    for (String tenant : tokenOfTenant.keySet()) {
      // Experience sums and scored views by CDN and region: the oracle's rows.
      Map<String, long[]> rows = new TreeMap<>();
      Map<String, Integer> viewsByRegion = new TreeMap<>();
      long sum = 0;
      long scored = 0;
      for (QoeOracle.View v : oracle.views()) {
        if (!v.key().tenant().equals(tenant)) {
          continue;
        }
        viewsByRegion.merge(v.dimensions().region(), 1, Integer::sum);
        long[] row =
            rows.computeIfAbsent(
                v.dimensions().cdn() + " · " + v.dimensions().region(), k -> new long[2]);
        if (v.experienceScore() != null) {
          row[0] += v.experienceScore();
          row[1]++;
          sum += v.experienceScore();
          scored++;
        }
      }
      double overall = sum / 1000.0 / scored;
      Map<String, Double> impact = new TreeMap<>();
      rows.forEach(
          (k, r) -> impact.put(k, r[1] == 0 ? 0.0 : (overall - r[0] / 1000.0 / r[1]) * r[1]));
      JsonNode b =
          graphql
              .data(
                  tokenOfTenant.get(tenant),
                  BREAKDOWN,
                  GraphQlOverHttp.JSON
                      .createObjectNode()
                      .put("from", Instant.ofEpochMilli(from).toString())
                      .put("to", Instant.ofEpochMilli(to + 60_000).toString()))
              .get("qoeBreakdown");
      Map<String, Double> served = new LinkedHashMap<>();
      for (JsonNode r : b.get("rows")) {
        served.put(
            r.get("cdn").asText() + " · " + r.get("region").asText(), r.get("impact").asDouble());
      }
      assertThat(served.keySet()).as(tenant).containsExactlyInAnyOrderElementsOf(impact.keySet());
      impact.forEach(
          (k, want) ->
              assertThat(served.get(k))
                  .as("%s %s impact", tenant, k)
                  .isCloseTo(want, within(1e-6)));
      // The served order is by impact, largest first.
      List<Double> order = new ArrayList<>(served.values());
      List<Double> sorted = new ArrayList<>(order);
      sorted.sort(Collections.reverseOrder());
      assertThat(order).as(tenant).isEqualTo(sorted);
      String home =
          viewsByRegion.entrySet().stream()
              .max(Map.Entry.comparingByValue())
              .orElseThrow()
              .getKey();
      if (home.equals("ap-south")) {
        apSouthTenants++;
        assertThat(served.keySet()).as(tenant).first().isEqualTo("cloudfront · ap-south");
      }
      System.out.printf("[playback-e2e] %s (mostly %s): worst %s%n", tenant, home, served);
    }
    assertThat(apSouthTenants).as("tenants in ap-south").isPositive();
  }
}
