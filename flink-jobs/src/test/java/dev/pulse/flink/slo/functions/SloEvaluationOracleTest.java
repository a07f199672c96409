package dev.pulse.flink.slo.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pulse.flink.slo.records.AlertChange;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.flink.slo.records.SloKey;
import dev.pulse.flink.slo.records.SloStatus;
import dev.pulse.oracle.SloOracle;
import dev.pulse.slo.AlertRow;
import dev.pulse.slo.Slo;
import dev.pulse.slo.SloFiles;
import dev.pulse.slo.TimeWindow;
import dev.pulse.testing.SloOracleConfigs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SLO evaluation against {@link SloOracle}, the testkit's independent recount: seeded random
 * traffic with incidents (error rates from 0 to 100 %, volumes from empty minutes to bursts, quiet
 * stretches long enough to pause evaluation), sent one event at a time in event-time order with
 * watermarks at minute ends; every status (budget and the 7 burn rates) and every alert change must
 * be the oracle's.
 *
 * <p>Also the threshold's edge, built by hand so that a burn rate is exactly the threshold in
 * floating point: a row fires only above it, so neither the oracle nor the function fires there.
 * The example's 0.999 cannot make an exact 14.4 (1 - 0.999 is not a binary fraction: 0.0144 / (1 -
 * 0.999) is 14.399999999999986), so those cases use 0.9375, whose 1 - objective is 1/16.
 */
class SloEvaluationOracleTest {

  private static final long MINUTE = 60_000;
  private static final long DAY_MINUTES = 24 * 60;
  private static final String TENANT = "oakmont-school";
  private static final long LATENESS = Duration.ofMinutes(5).toMillis();
  private static final double EPS = 1e-9;

  private static Slo slo(String name) {
    return SloFiles.examples().catalog().slos().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static final Slo AVAILABILITY = slo("courses-api-availability");
  private static final Slo UPTIME = slo("grades-api-uptime");
  private static final Slo LATENCY = slo("courses-api-latency");

  /** Timeslices of 5 minutes, 90 % good each, over 7 days: scaled windows and partial slices. */
  private static final Slo UPTIME_5M =
      new Slo(
          "grades-api-uptime-5m",
          "Grades API uptime, 5-minute slices",
          "",
          UPTIME.service(),
          UPTIME.indicator(),
          0.99,
          TimeWindow.rollingDays(7),
          Slo.BudgetingMethod.TIMESLICES,
          Duration.ofMinutes(5),
          0.9,
          List.of(AlertRow.values()));

  // ---------------------------------------------------------------------------------------------
  // Running the function

  /** What the function emitted. */
  private record Emitted(List<SloStatus> statuses, List<AlertChange> changes) {}

  /**
   * Sends {@code events} one per SliCount in time order; after each minute with events the
   * watermark moves to its end; after an empty minute only with probability {@code emptyMark} (so
   * it also jumps over quiet stretches); finally to {@code lastEndMs - 1}.
   */
  private static Emitted run(
      Slo slo, List<SloOracle.Event> events, long lastEndMs, SplittableRandom rnd, double emptyMark)
      throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new SloEvaluationFunction(List.of(slo), LATENESS)),
            SliCount::key,
            TypeInformation.of(SloKey.class));
    h.open();
    List<SloOracle.Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(SloOracle.Event::timeMs));
    List<SloStatus> statuses = new ArrayList<>();
    List<AlertChange> changes = new ArrayList<>();
    if (!sorted.isEmpty()) {
      int i = 0;
      long minute = Math.floorDiv(sorted.get(0).timeMs(), MINUTE);
      long lastMinute = lastEndMs / MINUTE - 1;
      for (; minute <= lastMinute; minute++) {
        boolean any = false;
        while (i < sorted.size() && sorted.get(i).timeMs() < (minute + 1) * MINUTE) {
          SloOracle.Event e = sorted.get(i++);
          h.processElement(
              new StreamRecord<>(
                  new SliCount(TENANT, slo.name(), e.timeMs(), e.good() ? 1 : 0, 1), e.timeMs()));
          any = true;
        }
        if (any || minute == lastMinute || rnd.nextDouble() < emptyMark) {
          h.processWatermark(new Watermark((minute + 1) * MINUTE - 1));
        }
        drain(h, statuses, changes);
      }
    }
    h.close();
    return new Emitted(statuses, changes);
  }

  private static void drain(
      KeyedOneInputStreamOperatorTestHarness<SloKey, SliCount, SloStatus> h,
      List<SloStatus> statuses,
      List<AlertChange> changes) {
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r && r.getValue() instanceof SloStatus s) {
        statuses.add(s);
      }
    }
    h.getOutput().clear();
    var q = h.getSideOutput(SloEvaluationFunction.ALERT_CHANGES);
    if (q != null) {
      q.forEach(r -> changes.add(r.getValue()));
      q.clear();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Comparing

  private static SloOracle.Result compare(
      String label, Slo slo, List<SloOracle.Event> events, long lastEndMs, Emitted got) {
    SloOracle.Result want = SloOracle.evaluate(SloOracleConfigs.of(slo), events, lastEndMs - 1);
    int n = Math.min(want.statuses().size(), got.statuses().size());
    for (int i = 0; i < n; i++) {
      SloOracle.Status w = want.statuses().get(i);
      SloStatus g = got.statuses().get(i);
      String at = label + " status " + i + " ending " + Instant.ofEpochMilli(w.endMs());
      assertThat(g.minuteMs()).as(at + ": minute").isEqualTo(w.endMs() - MINUTE);
      assertThat(g.tenantId()).as(at).isEqualTo(TENANT);
      assertThat(g.slo()).as(at).isEqualTo(slo.name());
      assertThat(g.good()).as(at + ": minute's good").isEqualTo(w.minuteGood());
      assertThat(g.total()).as(at + ": minute's total").isEqualTo(w.minuteTotal());
      assertThat(g.windowStartMs()).as(at + ": window start").isEqualTo(w.windowStartMs());
      assertThat(g.eligible()).as(at + ": eligible").isEqualTo(w.eligible());
      assertThat(g.bad()).as(at + ": bad").isEqualTo(w.bad());
      assertThat(g.remaining()).as(at + ": remaining").isCloseTo(w.remaining(), within(EPS));
      assertThat(g.burnRates()).as(at + ": burn rates").hasSize(w.burnRates().length);
      for (int k = 0; k < w.burnRates().length; k++) {
        assertThat(g.burnRates()[k])
            .as(at + ": burn over " + SloOracle.BURN_WINDOW_MINUTES.get(k) + "m")
            .isCloseTo(w.burnRates()[k], within(EPS));
      }
    }
    assertThat(got.statuses().size())
        .as(label + ": number of statuses (first " + n + " agree)")
        .isEqualTo(want.statuses().size());
    int m = Math.min(want.changes().size(), got.changes().size());
    for (int i = 0; i < m; i++) {
      SloOracle.Change w = want.changes().get(i);
      AlertChange g = got.changes().get(i);
      String at = label + " change " + i + " " + w + " at " + Instant.ofEpochMilli(w.atMs());
      assertThat(g.row() + " " + g.state() + " " + Instant.ofEpochMilli(g.atMs()))
          .as(at)
          .isEqualTo(
              w.row()
                  + " "
                  + (w.firing() ? "firing" : "resolved")
                  + " "
                  + Instant.ofEpochMilli(w.atMs()));
      assertThat(g.sinceMs()).as(at + ": since").isEqualTo(w.sinceMs());
      assertThat(g.burnLong()).as(at + ": long burn").isCloseTo(w.burnLong(), within(EPS));
      assertThat(g.burnShort()).as(at + ": short burn").isCloseTo(w.burnShort(), within(EPS));
    }
    assertThat(got.changes().size())
        .as(label + ": number of alert changes (first " + m + " agree)")
        .isEqualTo(want.changes().size());
    return want;
  }

  // ---------------------------------------------------------------------------------------------
  // Random traffic

  /**
   * Phases of random length, each with a volume (events a minute, 0 for empty) and an error rate;
   * one incident (half or more bad for 30+ minutes) in the first half; with {@code quietDays},
   * quiet stretches (a share {@code quietShare} of the phases) of up to that many days, and when
   * that is over 3 days, one of more than 3 days in the second half (evaluation pauses).
   */
  private static List<SloOracle.Event> traffic(
      SplittableRandom rnd, long startMs, long minutes, double quietDays, double quietShare) {
    List<SloOracle.Event> events = new ArrayList<>();
    long incidentAt = rnd.nextLong(Math.max(1, minutes / 2 - 100));
    long pauseLength =
        3 * DAY_MINUTES + 30 + (long) (rnd.nextDouble() * (quietDays - 3) * DAY_MINUTES);
    long pauseAt =
        quietDays > 3 ? minutes / 2 + rnd.nextLong(Math.max(1, minutes / 2 - pauseLength)) : -1;
    long m = 0;
    while (m < minutes) {
      long length;
      int volume;
      double errors;
      if (incidentAt >= 0 && m >= incidentAt) {
        length = 30 + rnd.nextInt(60);
        volume = 5 + rnd.nextInt(30);
        errors = 0.5 + rnd.nextDouble() / 2;
        incidentAt = -1;
      } else if (pauseAt >= 0 && m >= pauseAt) {
        length = pauseLength;
        volume = 0;
        errors = 0;
        pauseAt = -1;
      } else {
        if (quietDays > 0 && rnd.nextDouble() < quietShare) {
          length = 1 + (long) (rnd.nextDouble() * quietDays * DAY_MINUTES);
          volume = 0;
          errors = 0;
        } else {
          length = 5 + rnd.nextInt(rnd.nextBoolean() ? 60 : 400);
          volume =
              switch (rnd.nextInt(6)) {
                case 0 -> 0;
                case 1 -> 1 + rnd.nextInt(3);
                case 2, 3 -> 5 + rnd.nextInt(20);
                default -> 20 + rnd.nextInt(40);
              };
          errors =
              switch (rnd.nextInt(10)) {
                case 0, 1, 2 -> 0;
                case 3 -> 0.0005;
                case 4 -> 0.002;
                case 5 -> 0.01;
                case 6 -> 0.02 + rnd.nextDouble() * 0.05;
                case 7 -> 0.2;
                case 8 -> 1;
                default -> rnd.nextDouble();
              };
        }
        // Ordinary phases stop at the next forced one.
        if (incidentAt >= 0) {
          length = Math.min(length, incidentAt - m);
        } else if (pauseAt >= 0) {
          length = Math.min(length, pauseAt - m);
        }
      }
      for (long k = 0; k < length && m < minutes; k++, m++) {
        if (volume == 0 || rnd.nextInt(20) == 0) {
          continue; // an empty minute
        }
        int n = rnd.nextInt(2 * volume + 1);
        long minuteStart = startMs + m * MINUTE;
        for (int e = 0; e < n; e++) {
          events.add(
              new SloOracle.Event(minuteStart + rnd.nextLong(MINUTE), rnd.nextDouble() >= errors));
        }
      }
    }
    return events;
  }

  /**
   * One random run.
   *
   * @param days how long the traffic runs (the watermark runs 400 minutes longer)
   * @param quietDays the longest quiet stretch, 0 for none; over 3 forces a pause
   * @param quietShare the share of phases that are quiet stretches
   * @param emptyMark the share of empty minutes after which the watermark moves
   */
  record Case(
      String label,
      Slo slo,
      long seed,
      String start,
      double days,
      double quietDays,
      double quietShare,
      double emptyMark) {
    @Override
    public String toString() {
      return label;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("availability 6h", AVAILABILITY, 11, "2026-11-23T09:00:00Z", 0.25, 0, 0, 1),
        new Case("availability 2d", AVAILABILITY, 12, "2026-11-23T09:17:00Z", 2, 0, 0, 0.3),
        new Case("availability 4d", AVAILABILITY, 13, "2026-03-01T00:00:00Z", 4, 0, 0, 1),
        // Quiet stretches of up to 4 days: evaluation pauses and resumes.
        new Case(
            "availability 9d quiet", AVAILABILITY, 14, "2026-05-10T13:00:00Z", 9, 4, 0.2, 0.05),
        // The calendar month starts over on 1 December, 1 March (after 28 days), 1 January.
        new Case("uptime Nov-Dec", UPTIME, 21, "2026-11-29T18:00:00Z", 2, 0, 0, 1),
        new Case("uptime Feb-Mar", UPTIME, 22, "2027-02-27T00:00:00Z", 3, 1, 0.2, 0.5),
        new Case("uptime Dec-Jan", UPTIME, 23, "2026-12-31T20:00:00Z", 0.4, 0, 0, 1),
        // 28 days: windows 56/5 and 336/28; a 31-day run expires its first days from the budget.
        new Case("latency 1d", LATENCY, 31, "2026-09-14T06:00:00Z", 1, 0, 0, 1),
        new Case("latency 31d sparse", LATENCY, 32, "2026-09-01T00:00:00Z", 31, 3.5, 0.7, 0.02),
        // 5-minute slices over 7 days: windows of 1 and 7 minutes, slices cut by window bounds.
        new Case("uptime-5m 2d", UPTIME_5M, 41, "2026-11-23T09:03:00Z", 2, 0, 0, 0.5),
        new Case("uptime-5m 9d", UPTIME_5M, 42, "2026-06-01T00:00:00Z", 9, 3.5, 0.2, 0.1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyStatusAndAlertChangeIsTheOracles(Case c) throws Exception {
    SplittableRandom rnd = new SplittableRandom(c.seed());
    long startMs = Instant.parse(c.start()).toEpochMilli();
    long minutes = Math.round(c.days() * DAY_MINUTES);
    List<SloOracle.Event> events = traffic(rnd, startMs, minutes, c.quietDays(), c.quietShare());
    // A little past the traffic, so the last rows resolve.
    long lastEndMs = startMs + (minutes + 400) * MINUTE;
    Emitted got = run(c.slo(), events, lastEndMs, rnd, c.emptyMark());
    SloOracle.Result want = compare(c.label(), c.slo(), events, lastEndMs, got);
    assertThat(want.statuses()).as(c.label() + ": evaluations").isNotEmpty();
    assertThat(want.changes()).as(c.label() + ": the incident alerts").isNotEmpty();
    if (c.quietDays() > 3) {
      // The long quiet stretch paused evaluation: fewer statuses than minute ends.
      long span = (lastEndMs - want.statuses().get(0).endMs()) / MINUTE + 1;
      assertThat((long) want.statuses().size()).as(c.label() + ": paused").isLessThan(span);
    }
    if (c.days() > 28) {
      // Some evaluation's budget no longer holds the first events.
      List<Long> times = events.stream().map(SloOracle.Event::timeMs).sorted().toList();
      boolean expired = false;
      int before = 0;
      for (SloOracle.Status s : want.statuses()) {
        while (before < times.size() && times.get(before) < s.endMs()) {
          before++;
        }
        expired |= s.eligible() < before;
      }
      assertThat(expired).as(c.label() + ": events leave the budget window").isTrue();
    }
  }

  @Test
  void theOracleScalesTheLatencySlosWindowsTo28Days() {
    assertThat(SloOracleConfigs.of(LATENCY).rows())
        .extracting(r -> r.name() + " " + r.longMinutes() + "/" + r.shortMinutes())
        .containsExactly("page-fast 56/5", "page-slow 336/28");
    assertThat(SloOracleConfigs.of(UPTIME_5M).rows())
        .extracting(r -> r.longMinutes() + "/" + r.shortMinutes())
        // x 7/30: 14, 1.17 -> 1, 84, 7, 336, 28, 1008, 84.
        .containsExactly("14/1", "84/7", "336/28", "1008/84");
  }

  // ---------------------------------------------------------------------------------------------
  // The threshold's edge

  private static final long T0 = Instant.parse("2026-11-23T09:00:00Z").toEpochMilli();

  /** 1 - 0.9375 = 1/16 exactly: 9 bad of 10 burns 0.9 x 16 = 14.4, page-fast's threshold. */
  private static final Slo EDGE =
      new Slo(
          "edge",
          "Exact thresholds",
          "",
          AVAILABILITY.service(),
          AVAILABILITY.indicator(),
          0.9375,
          TimeWindow.rollingDays(30),
          Slo.BudgetingMethod.OCCURRENCES,
          null,
          null,
          List.of(AlertRow.values()));

  private static void add(List<SloOracle.Event> events, long minute, int good, int bad) {
    for (int i = 0; i < good + bad; i++) {
      events.add(new SloOracle.Event(T0 + minute * MINUTE + 1_000 * (i + 1), i < good));
    }
  }

  private static List<String> pageFast(List<AlertChange> changes) {
    return changes.stream()
        .filter(c -> c.row().equals("page-fast"))
        .map(c -> c.state() + " " + (c.atMs() - T0) / MINUTE)
        .toList();
  }

  private static List<String> pageFastOracle(SloOracle.Result r) {
    return r.changes().stream()
        .filter(c -> c.row().equals("page-fast"))
        .map(c -> (c.firing() ? "firing " : "resolved ") + (c.atMs() - T0) / MINUTE)
        .toList();
  }

  private static SloStatus endingAt(Emitted got, long minute) {
    return got.statuses().stream()
        .filter(s -> s.minuteMs() + MINUTE == T0 + minute * MINUTE)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aLongWindowBurningExactlyTheThresholdDoesNotFire() throws Exception {
    // Minute 0: 1 good; minutes 51-59: 1 bad each. At the end of minute 59 (E = 60) the 1h window
    // holds 9 bad of 10: burn exactly 14.4, not above; the 5m window burns 16. At E = 61 minute 0
    // leaves the hour: 9 of 9, 16 > 14.4, fires; the 5m window empties at E = 65.
    List<SloOracle.Event> events = new ArrayList<>();
    add(events, 0, 1, 0);
    for (long m = 51; m < 60; m++) {
      add(events, m, 0, 1);
    }
    long lastEndMs = T0 + 90 * MINUTE;
    Emitted got = run(EDGE, events, lastEndMs, new SplittableRandom(1), 1.0);
    SloOracle.Result want = compare("long edge", EDGE, events, lastEndMs, got);
    assertThat(endingAt(got, 60).burnRates()[2]).isEqualTo(14.4);
    assertThat(endingAt(got, 60).burnRates()[0]).isEqualTo(16.0);
    assertThat(pageFast(got.changes())).containsExactly("firing 61", "resolved 65");
    assertThat(pageFastOracle(want)).containsExactly("firing 61", "resolved 65");
  }

  @Test
  void aShortWindowBurningExactlyTheThresholdDoesNotFire() throws Exception {
    // Minute 0: 10 bad (fires at E = 1, resolves at E = 6 when the 5m window empties). Minute 55:
    // 1 good; minutes 56-59: 3, 2, 2, 2 bad. At E = 60 the 5m window holds 9 bad of 10: exactly
    // 14.4; the 1h window 19 of 20: 15.2. From E = 61 the 1h window holds 9 of 10: exactly 14.4,
    // while the 5m window burns 16 (until it empties at E = 65).
    List<SloOracle.Event> events = new ArrayList<>();
    add(events, 0, 0, 10);
    add(events, 55, 1, 0);
    add(events, 56, 0, 3);
    add(events, 57, 0, 2);
    add(events, 58, 0, 2);
    add(events, 59, 0, 2);
    long lastEndMs = T0 + 130 * MINUTE;
    Emitted got = run(EDGE, events, lastEndMs, new SplittableRandom(2), 1.0);
    SloOracle.Result want = compare("short edge", EDGE, events, lastEndMs, got);
    assertThat(endingAt(got, 60).burnRates()[0]).isEqualTo(14.4);
    assertThat(endingAt(got, 60).burnRates()[2]).isEqualTo(15.2);
    assertThat(endingAt(got, 61).burnRates()[2]).isEqualTo(14.4);
    assertThat(endingAt(got, 61).burnRates()[0]).isEqualTo(16.0);
    assertThat(pageFast(got.changes())).containsExactly("firing 1", "resolved 6");
    assertThat(pageFastOracle(want)).containsExactly("firing 1", "resolved 6");
  }
}
