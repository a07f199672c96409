package dev.pulse.api.qoe;

import dev.pulse.api.series.Granularity;
import java.time.Instant;
import java.util.List;

/** The shapes of the QoE schema (qoe.graphqls), field for field. */
final class Qoe {

  private Qoe() {}

  record Series(
      QoeFilter filter, Instant from, Instant to, Granularity granularity, List<Point> points) {}

  record Point(Instant time, QoeMetrics metrics) {}

  record Breakdown(
      List<QoeDimension> by,
      QoeFilter filter,
      Instant from,
      Instant to,
      QoeSort sort,
      QoeMetrics total,
      int combinations,
      List<BreakdownRow> rows) {}

  record BreakdownRow(
      String video,
      String course,
      String cdn,
      String region,
      String device,
      String player,
      double impact,
      QoeMetrics metrics) {}

  record View(
      String id,
      String video,
      String course,
      String viewer,
      String cdn,
      String region,
      String device,
      String player,
      Instant start,
      Facts facts,
      List<ViewEvent> events) {}

  record Facts(
      Instant end,
      String endedBy,
      String outcome,
      Long startupTimeMs,
      int rebuffers,
      long rebufferMs,
      long viewTimeMs,
      long playingTimeMs,
      Double averageBitrateKbps,
      int errors,
      long exitPlayheadMs,
      Double startupScore,
      Double smoothnessScore,
      Double playbackSuccessScore,
      Double experienceScore,
      int version) {}

  record ViewEvent(
      Instant time,
      String type,
      long playheadMs,
      Integer bitrateKbps,
      String errorCode,
      boolean fatal,
      String eventId) {}

  record CourseVideo(
      String video,
      long views,
      long viewers,
      long watchTimeMs,
      long playingTimeMs,
      long startedPlaying,
      Double experienceScore) {}

  record VideoEngagement(
      String course,
      String video,
      Instant from,
      Instant to,
      CourseVideo totals,
      List<ExitBin> exits) {}

  record ExitBin(int minute, long views) {}
}
