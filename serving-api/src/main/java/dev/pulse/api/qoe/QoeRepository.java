package dev.pulse.api.qoe;

import static dev.pulse.clickhouse.SqlLiteral.date;
import static dev.pulse.clickhouse.SqlLiteral.dateTime;
import static dev.pulse.clickhouse.SqlLiteral.string;
import static dev.pulse.clickhouse.SqlLiteral.uint64;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.qoe.Qoe.CourseVideo;
import dev.pulse.api.qoe.Qoe.ExitBin;
import dev.pulse.api.qoe.Qoe.Facts;
import dev.pulse.api.qoe.Qoe.Point;
import dev.pulse.api.qoe.Qoe.View;
import dev.pulse.api.qoe.Qoe.ViewEvent;
import dev.pulse.api.security.CourseScope;
import dev.pulse.api.security.Operation;
import dev.pulse.api.series.Granularity;
import dev.pulse.api.series.SeriesWindow;
import dev.pulse.api.support.InvalidArgumentException;
import dev.pulse.clickhouse.ClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Repository;

/**
 * The QoE tables as the schema shows them: {@code playback_minutes} (additive delta rows, summed)
 * for MINUTE, the {@code playback_hours} / {@code playback_days} rollups (aggregate states, read
 * with -Merge) for HOUR and DAY, {@code playback_views} (latest version by FINAL) for one view and
 * the educators' numbers, {@code playback_events_raw} (FINAL: each event once) for a view's
 * timeline. Every statement starts with the tenant condition of its {@link QoeSelection} or {@link
 * CourseScope}; every value is rendered by {@link dev.pulse.clickhouse.SqlLiteral}.
 */
@Repository
public class QoeRepository {

  /** Most combinations one breakdown groups before ranking them: more need a filter. */
  static final int MAX_COMBINATIONS = 10_000;

  /** Most events of a view's timeline: the most a view counts (docs/qoe.md, Views). */
  static final int MAX_TIMELINE_EVENTS = 20_000;

  /** The contract's symbol order: events of the same millisecond are applied in it. */
  private static final String SYMBOL_ORDER =
      "['VIEW_START', 'FIRST_FRAME', 'REBUFFER_START', 'REBUFFER_END', 'BITRATE_CHANGE', 'PAUSE',"
          + " 'RESUME', 'SEEK', 'ERROR', 'HEARTBEAT', 'VIEW_END']";

  private static final String VIEW_DIMENSIONS =
      "view_id, video_id, course_id, user_id, cdn, region, device, player, view_start_ms";

  private final ClickHouse clickHouse;

  public QoeRepository(ClickHouse clickHouse) {
    this.clickHouse = clickHouse;
  }

  /** Which table, time column and bucket expression serve a granularity, and its bounds. */
  private record Grain(String table, String timeColumn, String bucket, boolean rollup) {

    static Grain of(Granularity g) {
      return switch (g) {
        case MINUTE -> new Grain("playback_minutes", "minute", "toUInt32(minute)", false);
        case HOUR -> new Grain("playback_hours", "hour", "toUInt32(hour)", true);
        case DAY -> new Grain("playback_days", "day", "toString(day)", true);
      };
    }

    /** The condition on the time column: the window's buckets. */
    String within(SeriesWindow w) {
      return w.granularity() == Granularity.DAY
          ? "day >= %s AND day <= %s"
              .formatted(date(utcDate(w.from())), date(utcDate(w.lastSecond())))
          : "%s >= %s AND %s <= %s"
              .formatted(timeColumn, dateTime(w.from()), timeColumn, dateTime(w.lastSecond()));
    }

    Instant time(Granularity g, String t) {
      return g == Granularity.DAY
          ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.ofEpochSecond(Long.parseLong(t));
    }
  }

  /** The window's points with at least one row, oldest first. */
  List<Point> series(QoeSelection selection, SeriesWindow window, Operation operation) {
    Grain grain = Grain.of(window.granularity());
    String sql =
        "SELECT %s AS t, %s FROM %s WHERE %s AND %s GROUP BY t ORDER BY t LIMIT %s"
            .formatted(
                grain.bucket(),
                QoeSums.selectList(grain.rollup()),
                grain.table(),
                selection.where(),
                grain.within(window),
                uint64(window.points()));
    long span = window.granularity().width().toMillis();
    return query(sql, operation).stream()
        .map(
            r ->
                new Point(
                    grain.time(window.granularity(), r.get("t").asText()),
                    QoeSums.of(r).metrics(span)))
        .toList();
  }

  /**
   * The window's sums per combination of {@code by}'s values (in {@code by}'s order), at most
   * {@link #MAX_COMBINATIONS}; more are refused.
   */
  Map<List<String>, QoeSums> combinations(
      QoeSelection selection, List<QoeDimension> by, SeriesWindow window, Operation operation) {
    Grain grain = Grain.of(window.granularity());
    String columns = by.stream().map(QoeDimension::column).collect(Collectors.joining(", "));
    String sql =
        "SELECT %s, %s FROM %s WHERE %s AND %s GROUP BY %s LIMIT %s"
            .formatted(
                columns,
                QoeSums.selectList(grain.rollup()),
                grain.table(),
                selection.where(),
                grain.within(window),
                columns,
                uint64(MAX_COMBINATIONS + 1));
    List<JsonNode> rows = query(sql, operation);
    if (rows.size() > MAX_COMBINATIONS) {
      throw new InvalidArgumentException(
          "the breakdown has more than "
              + MAX_COMBINATIONS
              + " combinations: group by fewer dimensions or add a filter");
    }
    Map<List<String>, QoeSums> out = new LinkedHashMap<>();
    for (JsonNode r : rows) {
      out.put(by.stream().map(d -> r.get(d.column()).asText()).toList(), QoeSums.of(r));
    }
    return out;
  }

  /**
   * The selection's latest stored minute and the minutes up to {@code before} earlier, oldest
   * first.
   */
  List<Point> latestMinutes(QoeSelection selection, Duration before, Operation operation) {
    // Integer epoch seconds: negative rather than wrapped when nothing is stored (max is 0).
    String fromLatest =
        "toInt64(toUInt32(minute)) >= (SELECT toInt64(toUInt32(max(minute))) FROM"
            + " playback_minutes WHERE "
            + selection.where()
            + ") - "
            + uint64(before.toSeconds());
    return minutes(selection, fromLatest, before.toMinutes() + 1, operation);
  }

  /** The selection's minutes from {@code since} on, oldest first, at most {@code limit}. */
  List<Point> minutesSince(QoeSelection selection, Instant since, int limit, Operation operation) {
    return minutes(selection, "minute >= " + dateTime(since), limit, operation);
  }

  private List<Point> minutes(
      QoeSelection selection, String timeCondition, long limit, Operation operation) {
    String sql =
        "SELECT toUInt32(minute) AS t, %s FROM playback_minutes WHERE %s AND %s GROUP BY t ORDER BY"
            + " t LIMIT %s";
    return query(
            sql.formatted(
                QoeSums.selectList(false), selection.where(), timeCondition, uint64(limit)),
            operation)
        .stream()
        .map(
            r ->
                new Point(
                    Instant.ofEpochSecond(r.get("t").asLong()), QoeSums.of(r).metrics(60_000)))
        .toList();
  }

  /**
   * One view of the tenant: its dimensions, its facts once it has ended (the latest version), and
   * its stored events in the order they are applied; null when Pulse has nothing of it.
   */
  View view(QoeSelection selection, String viewId, Operation operation) {
    String viewCondition = selection.where() + " AND view_id = " + string(viewId);
    List<JsonNode> facts =
        query(
            "SELECT "
                + VIEW_DIMENSIONS
                + ", view_end_ms, ended_by, outcome, startup_ms, rebuffers, rebuffer_ms, view_ms,"
                + " playing_ms, bitrate_kbps_ms, bitrate_ms, errors, exit_playhead_ms,"
                + " startup_score, smoothness_score, playback_score, experience_score, version"
                + " FROM playback_views FINAL WHERE "
                + viewCondition
                + " LIMIT 1",
            operation);
    // The raw table is ordered by (tenant, video, view): with the video known the read is short.
    String eventCondition =
        facts.isEmpty()
            ? viewCondition
            : viewCondition + " AND video_id = " + string(facts.get(0).get("video_id").asText());
    List<JsonNode> events =
        query(
            "SELECT event_time_ms, type, playhead_ms, bitrate_kbps, error_code, fatal, event_id,"
                + " video_id, course_id, user_id, cdn, region, device, player"
                + " FROM playback_events_raw FINAL WHERE "
                + eventCondition
                + " ORDER BY event_time_ms, indexOf("
                + SYMBOL_ORDER
                + ", type), event_id LIMIT "
                + MAX_TIMELINE_EVENTS,
            operation);
    if (facts.isEmpty() && events.isEmpty()) {
      return null;
    }
    List<ViewEvent> timeline = new ArrayList<>();
    for (JsonNode e : events) {
      timeline.add(
          new ViewEvent(
              Instant.ofEpochMilli(e.get("event_time_ms").asLong()),
              e.get("type").asText(),
              e.get("playhead_ms").asLong(),
              e.get("bitrate_kbps").isNull() ? null : e.get("bitrate_kbps").asInt(),
              e.get("error_code").isNull() ? null : e.get("error_code").asText(),
              e.get("fatal").asInt() == 1,
              e.get("event_id").asText()));
    }
    if (facts.isEmpty()) {
      // Not ended yet: its dimensions are those of its first event (docs/qoe.md, Views).
      JsonNode first =
          events.stream()
              .filter(e -> e.get("type").asText().equals("VIEW_START"))
              .findFirst()
              .orElse(events.get(0));
      return new View(
          viewId,
          first.get("video_id").asText(),
          first.get("course_id").asText(),
          first.get("user_id").asText(),
          first.get("cdn").asText(),
          first.get("region").asText(),
          first.get("device").asText(),
          first.get("player").asText(),
          timeline.get(0).time(),
          null,
          timeline);
    }
    JsonNode f = facts.get(0);
    long bitrateMs = f.get("bitrate_ms").asLong();
    long startup = f.get("startup_ms").asLong();
    Facts ended =
        new Facts(
            Instant.ofEpochMilli(f.get("view_end_ms").asLong()),
            f.get("ended_by").asText(),
            f.get("outcome").asText(),
            startup < 0 ? null : startup,
            f.get("rebuffers").asInt(),
            f.get("rebuffer_ms").asLong(),
            f.get("view_ms").asLong(),
            f.get("playing_ms").asLong(),
            bitrateMs == 0 ? null : (double) f.get("bitrate_kbps_ms").asLong() / bitrateMs,
            f.get("errors").asInt(),
            f.get("exit_playhead_ms").asLong(),
            score(f.get("startup_score")),
            score(f.get("smoothness_score")),
            score(f.get("playback_score")),
            score(f.get("experience_score")),
            f.get("version").asInt());
    return new View(
        viewId,
        f.get("video_id").asText(),
        f.get("course_id").asText(),
        f.get("user_id").asText(),
        f.get("cdn").asText(),
        f.get("region").asText(),
        f.get("device").asText(),
        f.get("player").asText(),
        Instant.ofEpochMilli(f.get("view_start_ms").asLong()),
        ended,
        timeline);
  }

  /** A stored score in thousandths (-1: none) as points. */
  private static Double score(JsonNode thousandths) {
    int v = thousandths.asInt();
    return v < 0 ? null : v / 1000.0;
  }

  /**
   * The course videos' numbers over their ended views that started in [from, to), most viewed first
   * (at most 1000 videos); {@code video} narrows it to one video when not null.
   */
  List<CourseVideo> courseVideos(
      CourseScope scope, String video, Instant from, Instant to, Operation operation) {
    String sql =
        "SELECT video_id, count() AS views, uniqExact(user_id) AS viewers, sum(view_ms) AS watch_ms,"
            + " sum(playing_ms) AS playing, countIf(outcome IN ('success', 'playback-failure')) AS"
            + " started_playing, sumIf(experience_score, experience_score >= 0) AS experience_sum,"
            + " countIf(experience_score >= 0) AS experience_views FROM playback_views FINAL WHERE "
            + courseViews(scope, video, from, to)
            + " GROUP BY video_id ORDER BY views DESC, video_id LIMIT 1000";
    return query(sql, operation).stream()
        .map(
            r -> {
              long scored = r.get("experience_views").asLong();
              return new CourseVideo(
                  r.get("video_id").asText(),
                  r.get("views").asLong(),
                  r.get("viewers").asLong(),
                  r.get("watch_ms").asLong(),
                  r.get("playing").asLong(),
                  r.get("started_playing").asLong(),
                  scored == 0 ? null : r.get("experience_sum").asLong() / 1000.0 / scored);
            })
        .toList();
  }

  /**
   * Where the video's viewers stopped: the exit playheads of its ended views that started in [from,
   * to) and reached the first frame, by whole minute of the video (docs/qoe.md, For educators).
   */
  List<ExitBin> exits(
      CourseScope scope, String video, Instant from, Instant to, Operation operation) {
    String sql =
        "SELECT toUInt32(intDiv(exit_playhead_ms, 60000)) AS m, count() AS views FROM"
            + " playback_views FINAL WHERE "
            + courseViews(scope, video, from, to)
            + " AND outcome IN ('success', 'playback-failure') GROUP BY m ORDER BY m LIMIT 100000";
    return query(sql, operation).stream()
        .map(r -> new ExitBin(r.get("m").asInt(), r.get("views").asLong()))
        .toList();
  }

  private static String courseViews(CourseScope scope, String video, Instant from, Instant to) {
    String courses =
        scope.courses().stream().map(c -> string(c)).collect(Collectors.joining(", ", "(", ")"));
    return "tenant_id = "
        + string(scope.tenant())
        + " AND course_id IN "
        + courses
        + (video == null ? "" : " AND video_id = " + string(video))
        + " AND view_start_ms >= "
        + uint64(from.toEpochMilli())
        + " AND view_start_ms < "
        + uint64(to.toEpochMilli())
        + " AND view_start >= "
        + dateTime(from.truncatedTo(ChronoUnit.SECONDS))
        + " AND view_start <= "
        + dateTime(Instant.ofEpochSecond(Math.floorDiv(to.toEpochMilli() - 1, 1000)));
  }

  private List<JsonNode> query(String sql, Operation operation) {
    return clickHouse.query(sql, operation.nextQueryId());
  }

  private static LocalDate utcDate(Instant t) {
    return LocalDate.ofInstant(t, ZoneOffset.UTC);
  }
}
