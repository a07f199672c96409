package dev.pulse.flink.slo.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pulse.flink.slo.records.AlertChange;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.flink.slo.records.SloKey;
import dev.pulse.flink.slo.records.SloStatus;
import dev.pulse.slo.Slo;
import dev.pulse.slo.SloFiles;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The SLO evaluation against the workbook's cases, worked by hand for the example SLO
 * courses-api-availability (99.9 % over 30 days, so a burn rate of 1 is 0.1 % bad): 100 requests a
 * minute, all good for three days (every window full of good minutes), then an incident.
 *
 * <ul>
 *   <li>Total outage: after k bad minutes the 1h window is k/60 bad, burn 1000k/60: 16.7 > 14.4 at
 *       k = 1 (page-fast at the end of the first minute); 6h: 1000k/360 > 6 from k = 3 (page-slow);
 *       1d: 1000k/1440 > 3 from k = 5 (ticket-fast); 3d: 1000k/4320 > 1 from k = 5 (ticket-slow).
 *   <li>2 % errors: 1h burn 20k/60 > 14.4 from k = 44 (43.2 minutes); the 5m window burns 20.
 *   <li>1 % errors: 1h burn at most 10, never page-fast; 6h burn 10k/360 > 6 from k = 217.
 *   <li>Recovery after a 10-minute outage: page-fast resolves when the 5m window holds no bad
 *       minute (one bad minute of five burns 200): 5 minutes after; page-slow when the 30m window
 *       clears (30 min), ticket-fast the 2h (120 min), ticket-slow the 6h (360 min).
 * </ul>
 */
class SloEvaluationFunctionTest {

  private static final long MINUTE = 60_000;
  private static final String TENANT = "oakmont-school";
  private static final long LATENESS = Duration.ofMinutes(5).toMillis();

  /** The incident starts here, a Monday; the warm-up runs the three days before it. */
  private static final long T0 = Instant.parse("2026-11-23T09:00:00Z").toEpochMilli();

  private static Slo slo(String name) {
    return SloFiles.examples().catalog().slos().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static final Slo AVAILABILITY = slo("courses-api-availability");

  private static KeyedOneInputStreamOperatorTestHarness<SloKey, SliCount, SloStatus> harness(
      Slo slo) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new SloEvaluationFunction(List.of(slo), LATENESS)),
            SliCount::key,
            TypeInformation.of(SloKey.class));
    h.open();
    return h;
  }

  /**
   * Minute {@code m} (from T0) with {@code bad} of 100 requests bad, then the watermark past it.
   */
  private static void minute(
      KeyedOneInputStreamOperatorTestHarness<SloKey, SliCount, SloStatus> h,
      Slo slo,
      long m,
      long bad)
      throws Exception {
    long t = T0 + m * MINUTE;
    h.processElement(
        new StreamRecord<>(new SliCount(TENANT, slo.name(), t + 30_000, 100 - bad, 100)));
    h.processWatermark(new Watermark(t + MINUTE - 1));
  }

  private static void warmUp(
      KeyedOneInputStreamOperatorTestHarness<SloKey, SliCount, SloStatus> h, Slo slo)
      throws Exception {
    for (long m = -3 * 24 * 60; m < 0; m++) {
      minute(h, slo, m, 0);
    }
    alerts(h);
    h.getOutput().clear();
  }

  private static List<AlertChange> alerts(
      KeyedOneInputStreamOperatorTestHarness<SloKey, SliCount, SloStatus> h) {
    List<AlertChange> out = new ArrayList<>();
    var q = h.getSideOutput(SloEvaluationFunction.ALERT_CHANGES);
    if (q != null) {
      q.forEach(r -> out.add(r.getValue()));
      q.clear();
    }
    return out;
  }

  private static List<SloStatus> statuses(
      KeyedOneInputStreamOperatorTestHarness<SloKey, SliCount, SloStatus> h) {
    List<SloStatus> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r && r.getValue() instanceof SloStatus s) {
        out.add(s);
      }
    }
    h.getOutput().clear();
    return out;
  }

  /** "row state minute" for each change, minutes from T0 (the end of the evaluated minute). */
  private static List<String> changes(List<AlertChange> alerts) {
    return alerts.stream()
        .map(a -> a.row() + " " + a.state() + " " + (a.atMs() - T0) / MINUTE)
        .toList();
  }

  @Test
  void aTotalOutageFiresThePageAtTheEndOfItsFirstMinute() throws Exception {
    var h = harness(AVAILABILITY);
    warmUp(h, AVAILABILITY);
    List<AlertChange> all = new ArrayList<>();
    for (long m = 0; m < 6; m++) {
      minute(h, AVAILABILITY, m, 100);
      all.addAll(alerts(h));
    }
    assertThat(changes(all))
        .containsExactly(
            "page-fast firing 1",
            "page-slow firing 3",
            "ticket-fast firing 5",
            "ticket-slow firing 5");
    AlertChange page = all.get(0);
    assertThat(page.severity()).isEqualTo("page");
    assertThat(page.threshold()).isEqualTo(14.4);
    assertThat(page.longWindowMinutes()).isEqualTo(60);
    assertThat(page.shortWindowMinutes()).isEqualTo(5);
    // 1h: 100 bad of 6,000 = 1/60, over 0.001: 16.67; 5m: 100 of 500 = 0.2: 200.
    assertThat(page.burnLong()).isCloseTo(1000.0 / 60, within(1e-9));
    assertThat(page.burnShort()).isCloseTo(200, within(1e-9));
  }

  @Test
  void twoPercentErrorsFireThePageAfter44Minutes() throws Exception {
    var h = harness(AVAILABILITY);
    warmUp(h, AVAILABILITY);
    List<AlertChange> all = new ArrayList<>();
    for (long m = 0; m < 60; m++) {
      minute(h, AVAILABILITY, m, 2);
      all.addAll(alerts(h));
    }
    assertThat(changes(all)).contains("page-fast firing 44");
    assertThat(changes(all)).noneMatch(c -> c.startsWith("page-fast") && !c.endsWith(" 44"));
    AlertChange page = all.stream().filter(a -> a.row().equals("page-fast")).findFirst().get();
    // 44 minutes of 2 bad in 100 among 60: 88 / 6,000, over 0.001.
    assertThat(page.burnLong()).isCloseTo(88.0 / 6000 / 0.001, within(1e-9));
    assertThat(page.burnShort()).isCloseTo(20, within(1e-9));
  }

  @Test
  void onePercentErrorsNeverPageFastButPageSlowAfter217Minutes() throws Exception {
    var h = harness(AVAILABILITY);
    warmUp(h, AVAILABILITY);
    List<AlertChange> all = new ArrayList<>();
    for (long m = 0; m < 240; m++) {
      minute(h, AVAILABILITY, m, 1);
      all.addAll(alerts(h));
    }
    assertThat(changes(all)).containsExactly("page-slow firing 217");
    List<SloStatus> last = statuses(h);
    SloStatus at240 = last.get(last.size() - 1);
    // 5m, 30m, 1h and 2h hold only 1 % minutes: burn 10; 6h: 240 of 360 minutes.
    assertThat(at240.burnRates()[0]).isCloseTo(10, within(1e-9));
    assertThat(at240.burnRates()[3]).isCloseTo(10, within(1e-9));
    assertThat(at240.burnRates()[4]).isCloseTo(10.0 * 240 / 360, within(1e-9));
  }

  @Test
  void recoveryResolvesEachRowWhenItsShortWindowClears() throws Exception {
    var h = harness(AVAILABILITY);
    warmUp(h, AVAILABILITY);
    List<AlertChange> all = new ArrayList<>();
    for (long m = 0; m < 10 + 400; m++) {
      minute(h, AVAILABILITY, m, m < 10 ? 100 : 0);
      all.addAll(alerts(h));
    }
    assertThat(changes(all))
        .containsExactly(
            "page-fast firing 1",
            "page-slow firing 3",
            "ticket-fast firing 5",
            "ticket-slow firing 5",
            "page-fast resolved 15",
            "page-slow resolved 40",
            "ticket-fast resolved 130",
            "ticket-slow resolved 370");
    AlertChange resolved = all.get(4);
    assertThat(resolved.sinceMs()).isEqualTo(T0 + MINUTE);
  }

  @Test
  void theBudgetIsTheObjectivesShareOfTheWindowsEvents() throws Exception {
    var h = harness(AVAILABILITY);
    warmUp(h, AVAILABILITY);
    minute(h, AVAILABILITY, 0, 3);
    SloStatus s = statuses(h).get(0);
    // 3 days + 1 minute of 100 requests: 432,100 eligible; budget 432.1 bad; 3 spent.
    assertThat(s.eligible()).isEqualTo(432_100);
    assertThat(s.bad()).isEqualTo(3);
    assertThat(s.remaining()).isCloseTo(1 - 3 / 432.1, within(1e-9));
    assertThat(s.minuteMs()).isEqualTo(T0);
    assertThat(s.good()).isEqualTo(97);
    assertThat(s.total()).isEqualTo(100);
    assertThat(s.windowStartMs()).isEqualTo(T0 + MINUTE - Duration.ofDays(30).toMillis());
  }

  @Test
  void aLateCountWithinTheLatenessJoinsItsMinuteAndOneBeyondItIsDropped() throws Exception {
    var h = harness(AVAILABILITY);
    minute(h, AVAILABILITY, 0, 0);
    minute(h, AVAILABILITY, 1, 0);
    statuses(h);
    // Minute 0 was evaluated; 4 minutes later a late bad request of it still counts.
    h.processWatermark(new Watermark(T0 + 5 * MINUTE - 1));
    statuses(h);
    h.processElement(
        new StreamRecord<>(new SliCount(TENANT, AVAILABILITY.name(), T0 + 10_000, 0, 1)));
    // Past minute 0's end + 5 minutes of lateness: dropped.
    h.processWatermark(new Watermark(T0 + 6 * MINUTE - 1));
    h.processElement(
        new StreamRecord<>(new SliCount(TENANT, AVAILABILITY.name(), T0 + 20_000, 0, 1)));
    h.processWatermark(new Watermark(T0 + 7 * MINUTE - 1));
    List<SloStatus> s = statuses(h);
    SloStatus last = s.get(s.size() - 1);
    assertThat(last.eligible()).isEqualTo(201);
    assertThat(last.bad()).isEqualTo(1);
  }

  @Test
  void aTwentyEightDaySloScalesItsAlertWindows() throws Exception {
    Slo latency = slo("courses-api-latency");
    assertThat(latency.alertWindows())
        .extracting(w -> w.longWindow().toMinutes() + "/" + w.shortWindow().toMinutes())
        // 60 x 28/30 = 56, 5 x 28/30 = 4.67 -> 5; 360 x 28/30 = 336, 30 -> 28.
        .containsExactly("56/5", "336/28");
  }

  @Test
  void timeslicesCountMinutesWhoseProbesAllSucceeded() throws Exception {
    Slo uptime = slo("grades-api-uptime");
    var h = harness(uptime);
    // 3 probes a minute; minute 2 has one failure: 1 bad slice of 4.
    for (long m = 0; m < 4; m++) {
      long t = T0 + m * MINUTE;
      h.processElement(
          new StreamRecord<>(new SliCount(TENANT, uptime.name(), t + 1_000, m == 2 ? 2 : 3, 3)));
      h.processWatermark(new Watermark(t + MINUTE - 1));
    }
    List<SloStatus> s = statuses(h);
    SloStatus last = s.get(s.size() - 1);
    assertThat(last.eligible()).isEqualTo(4);
    assertThat(last.bad()).isEqualTo(1);
    // 99.5 %: budget 0.005 x 4 slices = 0.02; 1 spent.
    assertThat(last.remaining()).isCloseTo(1 - 1 / 0.02, within(1e-9));
    // 5m window: 1 bad of 4 slices, over 0.005 = 50.
    assertThat(last.burnRates()[0]).isCloseTo(0.25 / 0.005, within(1e-9));
    // The calendar month starts on 1 November.
    assertThat(last.windowStartMs())
        .isEqualTo(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
  }

  @Test
  void evaluationPausesAfterThreeQuietDaysAndResumesWithTheNextEvent() throws Exception {
    var h = harness(AVAILABILITY);
    minute(h, AVAILABILITY, 0, 0);
    h.processWatermark(new Watermark(T0 + Duration.ofDays(10).toMillis()));
    List<SloStatus> quiet = statuses(h);
    // One evaluation a minute while the minute with events is within 3 days (4,320), and the
    // first whose 3-day window holds none, which shows every burn rate back at 0.
    assertThat(quiet).hasSize(3 * 24 * 60 + 1);
    assertThat(quiet.get(quiet.size() - 1).eligible()).isEqualTo(100);
    minute(h, AVAILABILITY, Duration.ofDays(10).toMinutes() + 1, 0);
    List<SloStatus> resumed = statuses(h);
    assertThat(resumed).hasSize(1);
    assertThat(resumed.get(0).eligible()).isEqualTo(200);
  }
}
