package dev.pulse.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked views for every definition and edge case of docs/qoe.md (version 1). Scores are in
 * thousandths, worked out with a calculator from the page's formulas.
 */
class QoeOracleTest {

  private static final long T0 = 1_772_445_600_000L; // 2026-03-02T10:00:00Z, a minute start
  private static final PlayEvent.ViewKey V = new PlayEvent.ViewKey("t", "v1");

  private final List<PlayEvent> events = new ArrayList<>();
  private int ids;

  private QoeOracleTest at(long ms, String type) {
    return add(ms, type, null, false);
  }

  private QoeOracleTest add(long ms, String type, Integer kbps, boolean fatal) {
    events.add(
        new PlayEvent(
            "e" + ids++,
            "t",
            "v1",
            "video-1",
            "c-1",
            "u-1",
            type,
            T0 + ms,
            kbps,
            ms,
            fatal,
            "akamai",
            "eu-west",
            "laptop",
            "pulse-web 2.8.0"));
    return this;
  }

  private QoeOracle.View only() {
    QoeOracle oracle = QoeOracle.of(events, Long.MAX_VALUE);
    assertThat(oracle.views()).hasSize(1);
    return oracle.views().get(0);
  }

  @Test
  void aCleanViewStartsInTwoSecondsAndPlaysToItsEnd() {
    at(0, "VIEW_START").add(2_000, "FIRST_FRAME", 1_600, false);
    for (long t = 10_000; t < 62_000; t += 10_000) {
      at(t, "HEARTBEAT");
    }
    at(62_000, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.endedBy()).isEqualTo("VIEW_END");
    assertThat(v.outcome()).isEqualTo("success");
    assertThat(v.startupMs()).isEqualTo(2_000);
    assertThat(v.viewMs()).isEqualTo(62_000);
    assertThat(v.playingMs()).isEqualTo(60_000);
    assertThat(v.bitrateKbpsMs()).isEqualTo(1_600L * 60_000);
    assertThat(v.bitrateMs()).isEqualTo(60_000);
    // 8 / (8 + 2) = 80; no rebuffering: 100; success: 100; mean 93.333.
    assertThat(v.startupScore()).isEqualTo(80_000);
    assertThat(v.smoothnessScore()).isEqualTo(100_000);
    assertThat(v.playbackScore()).isEqualTo(100_000);
    assertThat(v.experienceScore()).isEqualTo(93_333);
    assertThat(v.exitPlayheadMs()).isEqualTo(62_000);
  }

  @Test
  void aFatalErrorBeforeTheFirstFrameIsAStartFailureAndEndsTheView() {
    at(0, "VIEW_START").add(3_000, "ERROR", null, true).at(4_000, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.outcome()).isEqualTo("start-failure");
    assertThat(v.endedBy()).isEqualTo("fatal-error");
    assertThat(v.endMs()).isEqualTo(T0 + 3_000);
    assertThat(v.startupMs()).isNull();
    assertThat(v.startupScore()).isNull();
    assertThat(v.smoothnessScore()).isNull();
    assertThat(v.playbackScore()).isZero();
    assertThat(v.experienceScore()).isZero();
    assertThat(v.exitPlayheadMs()).as("the error's, not the later VIEW_END's").isEqualTo(3_000);
  }

  @Test
  void anExitBeforeVideoStartScoresFiftyUnlessShorterThanOneSecond() {
    at(0, "VIEW_START").at(2_500, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.outcome()).isEqualTo("exit-before-start");
    assertThat(v.playbackScore()).isEqualTo(50_000);
    assertThat(v.experienceScore()).isEqualTo(50_000);
    assertThat(v.playingMs()).isZero();

    events.clear();
    at(0, "VIEW_START").at(800, "VIEW_END");
    QoeOracle.View quick = only();
    assertThat(quick.outcome()).isEqualTo("exit-before-start");
    assertThat(quick.playbackScore()).isNull();
    assertThat(quick.experienceScore()).isNull();
  }

  @Test
  void aFatalErrorAfterTheFirstFrameIsAPlaybackFailure() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false).add(31_000, "ERROR", null, true);
    QoeOracle.View v = only();
    assertThat(v.outcome()).isEqualTo("playback-failure");
    assertThat(v.endMs()).isEqualTo(T0 + 31_000);
    // 8 / 9 = 88.889; smoothness 100; playback 0; mean (88.889 + 100 + 0) / 3 = 62.963.
    assertThat(v.startupScore()).isEqualTo(88_889);
    assertThat(v.playbackScore()).isZero();
    assertThat(v.experienceScore()).isEqualTo(62_963);
  }

  @Test
  void aNonFatalErrorIsCountedAndChangesNoOutcome() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false).add(5_000, "ERROR", null, false);
    at(9_000, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.outcome()).isEqualTo("success");
    assertThat(v.errors()).isEqualTo(1);
  }

  @Test
  void rebuffersCountAfterTheFirstFrameAndMakeTheSmoothnessScore() {
    at(0, "VIEW_START")
        .at(500, "REBUFFER_START"); // before the first frame: startup, not rebuffering
    add(1_000, "FIRST_FRAME", 800, false);
    at(5_000, "REBUFFER_END"); // without an open rebuffer: nothing
    at(11_000, "REBUFFER_START").at(13_000, "REBUFFER_START").at(16_000, "REBUFFER_END");
    at(31_000, "REBUFFER_START").at(33_000, "REBUFFER_END");
    at(61_000, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.rebufferCount()).isEqualTo(2);
    assertThat(v.rebufferMs()).isEqualTo(7_000);
    assertThat(v.viewMs()).isEqualTo(61_000);
    assertThat(v.playingMs()).isEqualTo(53_000);
    assertThat(v.bitrateKbpsMs()).isEqualTo(800L * 53_000);
    // n = 2, r = 7 / 61 = 0.114754: (100 / sqrt(2) + 100 e^-1.14754) / 2 = (70.711 + 31.741) / 2.
    assertThat(v.smoothnessScore()).isEqualTo(51_226);
    // (88.889 + 51.226 + 100) / 3 = 80.038.
    assertThat(v.experienceScore()).isEqualTo(80_038);
  }

  @Test
  void anUnclosedRebufferEndsWithTheViewAndAPauseEndsARebuffer() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false);
    at(10_000, "REBUFFER_START").at(14_000, "PAUSE").at(20_000, "REBUFFER_START"); // paused: none
    at(24_000, "RESUME").at(30_000, "REBUFFER_START").at(40_000, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.rebufferCount()).isEqualTo(2);
    assertThat(v.rebufferMs()).isEqualTo(4_000 + 10_000);
    assertThat(v.viewMs()).isEqualTo(40_000 - 10_000);
    assertThat(v.playingMs()).isEqualTo(39_000 - 10_000 - 14_000);
  }

  @Test
  void pausedTimeIsNeitherViewTimeNorPlayingTimeAndAStrayResumeChangesNothing() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false).at(5_000, "RESUME");
    at(11_000, "PAUSE").at(15_000, "PAUSE");
    for (long t = 20_000; t < 41_000; t += 10_000) {
      at(t, "HEARTBEAT");
    }
    at(41_000, "RESUME").at(61_000, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.viewMs()).isEqualTo(61_000 - 30_000);
    assertThat(v.playingMs()).isEqualTo(60_000 - 30_000);
  }

  @Test
  void theBitrateIsWeightedByThePlayingTimeAtEachRendition() {
    at(0, "VIEW_START").add(200, "BITRATE_CHANGE", 6_000, false); // before the first frame: none
    add(1_000, "FIRST_FRAME", 800, false).add(31_000, "BITRATE_CHANGE", 1_600, false);
    at(61_000, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.bitrateMs()).isEqualTo(60_000);
    assertThat((double) v.bitrateKbpsMs() / v.bitrateMs()).isEqualTo(1_200.0);

    events.clear();
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", null, false);
    add(21_000, "BITRATE_CHANGE", 3_200, false).at(31_000, "VIEW_END");
    QoeOracle.View unknownFirst = only();
    assertThat(unknownFirst.playingMs()).isEqualTo(30_000);
    assertThat(unknownFirst.bitrateMs()).as("only the time at a known bitrate").isEqualTo(10_000);
  }

  @Test
  void aViewNobodyEndsIsAbandonedAtItsLastEventAfterSixtySecondsOfSilence() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false).at(10_000, "HEARTBEAT");
    at(70_000, "HEARTBEAT"); // exactly 60 s later: the view goes on
    at(80_000, "HEARTBEAT");
    at(140_001, "HEARTBEAT"); // 60.001 s of silence before it: after the end
    QoeOracle.View v = only();
    assertThat(v.endedBy()).isEqualTo("idle");
    assertThat(v.endMs()).isEqualTo(T0 + 80_000);
    assertThat(v.viewMs()).isEqualTo(80_000);
    assertThat(v.outcome()).isEqualTo("success");
    assertThat(v.exitPlayheadMs()).isEqualTo(80_000);
  }

  @Test
  void aViewStillSendingHeartbeatsEndsAtSixHours() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false);
    for (long t = 10_000; t <= 7 * 3_600_000L; t += 10_000) {
      at(t, "HEARTBEAT");
    }
    QoeOracle.View v = only();
    assertThat(v.endedBy()).isEqualTo("max-length");
    assertThat(v.endMs()).isEqualTo(T0 + 6 * 3_600_000L);
    assertThat(v.viewMs()).isEqualTo(6 * 3_600_000L);
    assertThat(v.exitPlayheadMs()).isEqualTo(6 * 3_600_000L - 10_000);
  }

  @Test
  void eventsBeforeViewStartCountAndALostViewStartLeavesNoStartupTime() {
    at(0, "HEARTBEAT").at(500, "VIEW_START").add(1_500, "FIRST_FRAME", 800, false);
    at(500, "VIEW_START"); // a second one, later in delivery: nothing
    at(10_500, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.startMs()).isEqualTo(T0);
    assertThat(v.startupMs()).isEqualTo(1_000);
    assertThat(v.viewMs()).isEqualTo(10_500);

    events.clear();
    add(0, "FIRST_FRAME", 800, false).at(10_000, "VIEW_END");
    QoeOracle.View lost = only();
    assertThat(lost.outcome()).isEqualTo("success");
    assertThat(lost.startupMs()).isNull();
    assertThat(lost.startupScore()).isNull();
    assertThat(lost.experienceScore()).as("(smoothness 100 + success 100) / 2").isEqualTo(100_000);
  }

  @Test
  void aSecondFirstFrameChangesNothing() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false);
    add(5_000, "FIRST_FRAME", 6_000, false).at(11_000, "VIEW_END");
    QoeOracle.View v = only();
    assertThat(v.startupMs()).isEqualTo(1_000);
    assertThat(v.bitrateKbpsMs()).isEqualTo(800L * 10_000);
  }

  @Test
  void eventsOfTheSameMillisecondGoInTheContractsOrder() {
    // FIRST_FRAME and VIEW_START at once: a startup of 0 ms, full marks.
    add(0, "FIRST_FRAME", 800, false).at(0, "VIEW_START");
    at(10_000, "VIEW_END").at(10_000, "HEARTBEAT"); // the heartbeat comes first: counted
    QoeOracle.View v = only();
    assertThat(v.startupMs()).isZero();
    assertThat(v.startupScore()).isEqualTo(100_000);
    assertThat(v.endMs()).isEqualTo(T0 + 10_000);
  }

  @Test
  void duplicatesCountOnceAndEventsAfterTheEndNotAtAll() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false);
    PlayEvent rebuffer = at(2_000, "REBUFFER_START").events.get(events.size() - 1);
    events.add(
        new PlayEvent(
            rebuffer.eventId().toUpperCase(),
            "t",
            "v1",
            "video-1",
            "c-1",
            "u-1",
            "REBUFFER_START",
            rebuffer.timeMs(),
            null,
            0,
            false,
            "akamai",
            "eu-west",
            "laptop",
            "pulse-web 2.8.0"));
    at(3_000, "REBUFFER_END").at(10_000, "VIEW_END");
    at(12_000, "REBUFFER_START").at(15_000, "REBUFFER_END");
    QoeOracle.View v = only();
    assertThat(v.rebufferCount()).isEqualTo(1);
    assertThat(v.rebufferMs()).isEqualTo(1_000);
  }

  @Test
  void activeTimePerMinuteLeavesOutPausesAndRebuffersBeyondFiveMinutes() {
    at(30_000, "VIEW_START").add(31_000, "FIRST_FRAME", 800, false);
    at(60_000, "PAUSE").at(90_000, "RESUME");
    at(100_000, "REBUFFER_START"); // 7 minutes: active for its first 5
    for (long t = 110_000; t < 520_000; t += 10_000) {
      at(t, "HEARTBEAT");
    }
    at(520_000, "REBUFFER_END").at(540_000, "VIEW_END");
    QoeOracle oracle = QoeOracle.of(events, Long.MAX_VALUE);
    Map<Long, Long> active = oracle.activeMs(V);
    // Minute 0: 30 s; minute 1: 60 - 30 paused; minutes 2-6: whole; the rebuffer's 5 minutes end at
    // 400 s (6:40), so minute 6 has 40 s, minute 7 none, minute 8 from 520 s to 540 s: 20 s.
    assertThat(active)
        .containsExactly(
            Map.entry(T0, 30_000L),
            Map.entry(T0 + 60_000, 30_000L),
            Map.entry(T0 + 120_000, 60_000L),
            Map.entry(T0 + 180_000, 60_000L),
            Map.entry(T0 + 240_000, 60_000L),
            Map.entry(T0 + 300_000, 60_000L),
            Map.entry(T0 + 360_000, 40_000L),
            Map.entry(T0 + 480_000, 20_000L));
    assertThat(oracle.views().get(0).rebufferMs()).isEqualTo(420_000);
  }

  @Test
  void aViewNotEndedByTheWatermarkIsOpenWithNoFacts() {
    at(0, "VIEW_START").add(1_000, "FIRST_FRAME", 800, false).at(10_000, "HEARTBEAT");
    at(100_000, "VIEW_END");
    QoeOracle open = QoeOracle.of(events, T0 + 50_000);
    assertThat(open.views()).isEmpty();
    assertThat(open.openViews()).containsExactly(V);
    assertThat(open.activeMs(V)).containsExactly(Map.entry(T0, 50_000L));
    // 60 s after the last heartbeat the watermark knows it was abandoned.
    QoeOracle later = QoeOracle.of(events.subList(0, 3), T0 + 70_001);
    assertThat(later.views()).extracting(QoeOracle.View::endedBy).containsExactly("idle");
  }
}
