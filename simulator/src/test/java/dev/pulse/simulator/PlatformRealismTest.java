package dev.pulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.ClassroomEventType;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.PlaybackEventType;
import dev.pulse.events.ProbeResult;
import dev.pulse.events.topics.Topics;
import dev.pulse.oracle.ApiKey;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.ApiStats;
import dev.pulse.oracle.Grain;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The simulated day must carry the signals the dashboards are built to show. */
class PlatformRealismTest {

  private static final Instant MIDNIGHT = Instant.parse("2026-03-02T00:00:00Z");

  private static Instant at(String hhmm) {
    return Instant.parse("2026-03-02T" + hhmm + ":00Z");
  }

  private static List<Object> events(SimulationConfig config) {
    List<Object> out = new ArrayList<>();
    new Simulator(config).events().forEachRemaining(e -> out.add(e.event()));
    return out;
  }

  /** The simulation's API events as Kafka values, for the oracle to read. */
  private static List<byte[]> apiValues(SimulationConfig config) {
    List<byte[]> out = new ArrayList<>();
    new Simulator(config)
        .events()
        .forEachRemaining(
            e -> {
              if (e.topic() == Topics.API_REQUESTS) {
                out.add(Encoding.encode(e.topic(), e.event()));
              }
            });
    return out;
  }

  /** The oracle of {@code values}, ingested after every simulated event. */
  private static ApiOracle oracle(List<byte[]> values) {
    return ApiOracle.ofRecords(values, Instant.parse("2030-01-01T00:00:00Z"));
  }

  @Test
  void apiRequestsAtTenInTheMorningOutnumberThoseAtThreeAtNight() {
    SimulationConfig day =
        SimulationConfig.defaults()
            .withStart(MIDNIGHT)
            .withDuration(Duration.ofHours(24))
            .withDomains(EnumSet.of(Domain.API))
            .withRates(600, 1)
            .withIncidents(List.of());
    long at3 = 0;
    long at10 = 0;
    for (var it = new Simulator(day).events(); it.hasNext(); ) {
      Instant t = it.next().eventTime();
      if (!t.isBefore(at("03:00")) && t.isBefore(at("04:00"))) {
        at3++;
      } else if (!t.isBefore(at("10:00")) && t.isBefore(at("11:00"))) {
        at10++;
      }
    }
    // Curve values 0.03 vs 0.95 of 600/min: about 1,100 vs 34,000 in the hour.
    assertThat(at3).isBetween(500L, 2_000L);
    assertThat(at10).isGreaterThan(20 * at3);
  }

  @Test
  void errorSpikeRaisesFiveHundredsOnlyOnItsServiceAndOnlyDuringIt() {
    SimulationConfig config =
        SimulationConfig.defaults()
            .withDomains(EnumSet.of(Domain.API))
            .withDuration(Duration.ofHours(3))
            .withRates(2000, 1);
    Incident spike = config.incidents().get(0);
    assertThat(spike.kind()).isEqualTo(Incident.Kind.ERROR_SPIKE);
    assertThat(spike.start()).isEqualTo(at("10:00"));
    long[] during = new long[2];
    long[] outside = new long[2];
    long[] otherServicesDuring = new long[2];
    for (Map.Entry<ApiKey, ApiStats> e : oracle(apiValues(config)).stats(Grain.MINUTE).entrySet()) {
      boolean inSpike = spike.activeAt(e.getKey().bucket().toEpochMilli());
      long[] target =
          !e.getKey().service().equals("sessions-api")
              ? (inSpike ? otherServicesDuring : null)
              : inSpike ? during : outside;
      if (target != null) {
        target[0] += e.getValue().requests();
        target[1] += e.getValue().status5xx();
      }
    }
    // Configured share 0.25 during, baseline 0.0004 outside.
    assertThat((double) during[1] / during[0]).isBetween(0.2, 0.3);
    assertThat((double) outside[1] / outside[0]).isLessThan(0.01);
    assertThat((double) otherServicesDuring[1] / otherServicesDuring[0]).isLessThan(0.01);
  }

  @Test
  void latencyRegressionSlowsTheManifestEndpointFiveFold() {
    SimulationConfig config =
        SimulationConfig.defaults()
            .withDomains(EnumSet.of(Domain.API))
            .withStart(at("11:30"))
            .withDuration(Duration.ofHours(1))
            .withRates(3000, 1);
    Incident regression = config.incidents().get(1);
    assertThat(regression.start()).isEqualTo(at("12:00"));
    List<Long> during = new ArrayList<>();
    List<Long> before = new ArrayList<>();
    for (Object o : events(config)) {
      ApiRequestEvent e = (ApiRequestEvent) o;
      if (e.getEndpoint().equals("/videos/{videoId}/manifest") && e.getStatusCode() < 400) {
        (regression.activeAt(e.getEventTime().toEpochMilli())
                ? during
                : e.getEventTime().isBefore(regression.start()) ? before : new ArrayList<Long>())
            .add(e.getLatencyUs());
      }
    }
    assertThat(median(during)).isBetween(3.5 * median(before), 7.0 * median(before));
  }

  @Test
  void everyGradesApiProbeFailsDuringItsOutageAndAlmostNoneOutside() {
    SimulationConfig config =
        SimulationConfig.defaults()
            .withDomains(EnumSet.of(Domain.PROBES))
            .withDuration(Duration.ofHours(7));
    Incident outage = config.incidents().get(2);
    assertThat(outage.kind()).isEqualTo(Incident.Kind.OUTAGE);
    int duringTotal = 0;
    int duringFailed = 0;
    int outsideTotal = 0;
    int outsideFailed = 0;
    for (Object o : events(config)) {
      ProbeResult p = (ProbeResult) o;
      if (!p.getTarget().equals("grades-api/health")) {
        continue;
      }
      if (outage.activeAt(p.getEventTime().toEpochMilli())) {
        duringTotal++;
        duringFailed += p.getSuccess() ? 0 : 1;
        assertThat(p.getError()).isNotBlank();
      } else {
        outsideTotal++;
        outsideFailed += p.getSuccess() ? 0 : 1;
      }
    }
    // 5 minutes x 2 checks a minute x 3 regions.
    assertThat(duringTotal).isEqualTo(30);
    assertThat(duringFailed).isEqualTo(30);
    assertThat(outsideFailed).isLessThanOrEqualTo(outsideTotal / 100);
  }

  @Test
  void eachSessionStartsBeforeAnyJoinAndEndsLast() {
    SimulationConfig config = SimulationConfig.defaults().withDomains(EnumSet.of(Domain.CLASSROOM));
    Map<String, List<ClassroomEvent>> sessions = new TreeMap<>();
    for (Object o : events(config)) {
      ClassroomEvent e = (ClassroomEvent) o;
      sessions.computeIfAbsent(e.getSessionId(), k -> new ArrayList<>()).add(e);
    }
    // 18 courses, each meeting on Mondays.
    assertThat(sessions).hasSize(18);
    int withoutLeft = 0;
    for (List<ClassroomEvent> s : sessions.values()) {
      assertThat(s.get(0).getType()).isEqualTo(ClassroomEventType.SESSION_STARTED);
      assertThat(s.get(s.size() - 1).getType()).isEqualTo(ClassroomEventType.SESSION_ENDED);
      assertThat(s.stream().filter(e -> e.getType() == ClassroomEventType.JOINED).count())
          .isGreaterThan(5);
      Map<String, List<ClassroomEventType>> byLearner =
          s.stream()
              .filter(e -> !e.getUserId().startsWith("i-"))
              .collect(
                  Collectors.groupingBy(
                      ClassroomEvent::getUserId,
                      TreeMap::new,
                      Collectors.mapping(ClassroomEvent::getType, Collectors.toList())));
      for (List<ClassroomEventType> types : byLearner.values()) {
        assertThat(types.get(0)).isEqualTo(ClassroomEventType.JOINED);
        withoutLeft += types.contains(ClassroomEventType.LEFT) ? 0 : 1;
      }
    }
    assertThat(withoutLeft).isGreaterThan(0);
  }

  @Test
  void someLearnersAreChronicallyAbsentOverAWeek() {
    SimulationConfig week =
        SimulationConfig.defaults()
            .withDomains(EnumSet.of(Domain.CLASSROOM))
            .withStart(MIDNIGHT)
            .withDuration(Duration.ofDays(5));
    Map<String, Map<String, Integer>> joinsByCourseAndLearner = new TreeMap<>();
    Map<String, Set<String>> sessionsByCourse = new TreeMap<>();
    for (Object o : events(week)) {
      ClassroomEvent e = (ClassroomEvent) o;
      sessionsByCourse.computeIfAbsent(e.getCourseId(), k -> new TreeSet<>()).add(e.getSessionId());
      if (e.getType() == ClassroomEventType.JOINED) {
        joinsByCourseAndLearner
            .computeIfAbsent(e.getCourseId(), k -> new TreeMap<>())
            .merge(e.getUserId() + "/" + e.getSessionId(), 1, Integer::sum);
      }
    }
    assertThat(sessionsByCourse.values()).allSatisfy(s -> assertThat(s).hasSize(3));
    // Sessions attended per learner per course: most attend all 3, some at most one.
    Map<String, Integer> attended = new TreeMap<>();
    joinsByCourseAndLearner.forEach(
        (course, m) ->
            m.keySet()
                .forEach(
                    k ->
                        attended.merge(
                            course + "/" + k.substring(0, k.indexOf('/')), 1, Integer::sum)));
    long all3 = attended.values().stream().filter(n -> n == 3).count();
    long atMostOne = attended.values().stream().filter(n -> n <= 1).count();
    assertThat(all3).isGreaterThan(attended.size() / 2);
    assertThat(atMostOne).isGreaterThan(0);
  }

  @Test
  void everyFirstFrameFollowsItsViewStartAndCloudfrontIsSlowInApSouth() {
    SimulationConfig config =
        SimulationConfig.defaults()
            .withDomains(EnumSet.of(Domain.PLAYBACK))
            .withStart(at("17:00"))
            .withDuration(Duration.ofHours(2))
            .withRates(1, 120);
    Map<String, Long> viewStart = new TreeMap<>();
    Map<String, List<Long>> startupByCdnRegion = new TreeMap<>();
    int firstFrames = 0;
    for (Object o : events(config)) {
      PlaybackEvent e = (PlaybackEvent) o;
      long t = e.getEventTime().toEpochMilli();
      if (e.getType() == PlaybackEventType.VIEW_START) {
        assertThat(viewStart.put(e.getViewId(), t)).as("one VIEW_START per view").isNull();
      } else {
        assertThat(viewStart)
            .as("VIEW_START precedes every other event of a view")
            .containsKey(e.getViewId());
      }
      if (e.getType() == PlaybackEventType.FIRST_FRAME) {
        firstFrames++;
        long startup = t - viewStart.get(e.getViewId());
        assertThat(startup).isPositive();
        startupByCdnRegion
            .computeIfAbsent(e.getCdn() + "/" + e.getRegion(), k -> new ArrayList<>())
            .add(startup);
      }
    }
    assertThat(firstFrames).isGreaterThan(5_000);
    // Modelled factors: cloudfront in ap-south 1.1 x 2.5 x 1.2 = 3.3 against 1.0 for akamai in
    // eu-west.
    double slow = median(startupByCdnRegion.get("cloudfront/ap-south"));
    double fast = median(startupByCdnRegion.get("akamai/eu-west"));
    assertThat(slow).isBetween(2.5 * fast, 4.5 * fast);
  }

  private static double median(List<Long> values) {
    assertThat(values).isNotEmpty();
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
