package dev.pulse.flink.playback.functions;

import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.ViewDimensions;
import dev.pulse.flink.playback.records.ViewFact;
import dev.pulse.flink.playback.records.ViewKey;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A view's QoE from its events (docs/qoe.md, version 1): one walk through them in {@link
 * PlaybackActivity#APPLY_ORDER}, a small state machine (paused, rebuffering, playing at a bitrate)
 * accounting each stretch of time between two events to what the view was doing in it.
 *
 * <p>It is a pure function of the events event time has passed ({@code asOfMs}, the watermark less
 * the allowed lateness), so the job can work a view out again whenever a late event changes it and
 * emit only the difference.
 */
public final class ViewComputation {

  /** docs/qoe.md, "Views": no event for longer than this after the last one: abandoned. */
  public static final long IDLE_TIMEOUT_MS = 60_000;

  /** docs/qoe.md, "Views": the longest a view can be. */
  public static final long MAX_LENGTH_MS = 6 * 3_600_000L;

  /** docs/qoe.md, "Scores": an exit before video start shorter than this gets no score. */
  static final long UNSCORED_EXIT_MS = 1_000;

  /** docs/qoe.md, "Per minute": a rebuffer stops counting as active after this long. */
  static final long ACTIVE_REBUFFER_MS = 5 * 60_000;

  private static final long MINUTE = 60_000;

  /**
   * One minute of a view, as the minute table adds it up.
   *
   * @param started whether the view started in it
   * @param activeMs the view's active time in it (concurrent viewers)
   */
  public record MinuteTime(boolean started, long activeMs) {}

  /**
   * A view as far as event time has got.
   *
   * @param dimensions what it is reported by
   * @param startMs its start
   * @param fact its facts once it has ended, else null
   * @param minutes its final minutes by start: all of them once it has ended, else those that end
   *     by its last event
   * @param lastEventMs the time of its last event that event time has passed
   */
  public record Result(
      ViewDimensions dimensions,
      long startMs,
      ViewFact fact,
      SortedMap<Long, MinuteTime> minutes,
      long lastEventMs) {

    public boolean ended() {
      return fact != null;
    }
  }

  private ViewComputation() {}

  /**
   * The view {@code key} from {@code events} (distinct, in apply order; those after {@code asOfMs}
   * are not in yet), or null when none is in yet.
   */
  public static Result compute(ViewKey key, List<PlaybackActivity> events, long asOfMs) {
    if (events.isEmpty() || events.get(0).timeMs() > asOfMs) {
      return null;
    }
    Walk walk = new Walk(key, events.get(0));
    for (PlaybackActivity e : events) {
      if (e.timeMs() > asOfMs) {
        break;
      }
      walk.offer(e);
    }
    return walk.result(asOfMs);
  }

  /**
   * The walk through one view's events, kept between steps: offered the view's events in apply
   * order, its {@link #result} at any event time from the last event offered on is what {@link
   * #compute} gives for those events, so a step only offers the events event time has passed since
   * the last one. An event that would come before one already offered (a late one) needs a new
   * walk.
   */
  static final class Walk {
    private final ViewKey key;
    private final long start;
    private final TreeMap<Long, Long> activeByMinute;

    /** The event the view is reported by: its first VIEW_START once offered, else its first. */
    private PlaybackActivity named;

    private boolean namedByStart;
    private long lastT;
    private long lastPlayhead;
    private long end = -1;

    /** Why the events offered end the view (the walk stops there), or null. */
    private String endedBy;

    private long cursor;
    private boolean paused;
    private long rebufferFrom = -1;
    private long firstFrame = -1;
    private long viewStart = -1;
    private int bitrate = -1;
    private boolean fatalBeforeFrame;
    private boolean fatalAfterFrame;
    private int errors;
    private long pausedMs;
    private long rebufferMs;
    private int rebufferCount;
    private long playingMs;
    private long bitrateKbpsMs;
    private long bitrateMs;

    /** A walk of the view whose first event (in apply order) is {@code first}, not yet offered. */
    Walk(ViewKey key, PlaybackActivity first) {
      this.key = key;
      this.start = first.timeMs();
      this.cursor = start;
      this.named = first;
      this.lastT = start;
      this.lastPlayhead = first.playheadMs();
      this.activeByMinute = new TreeMap<>();
    }

    private Walk(Walk w) {
      key = w.key;
      start = w.start;
      activeByMinute = new TreeMap<>(w.activeByMinute);
      named = w.named;
      namedByStart = w.namedByStart;
      lastT = w.lastT;
      lastPlayhead = w.lastPlayhead;
      end = w.end;
      endedBy = w.endedBy;
      cursor = w.cursor;
      paused = w.paused;
      rebufferFrom = w.rebufferFrom;
      firstFrame = w.firstFrame;
      viewStart = w.viewStart;
      bitrate = w.bitrate;
      fatalBeforeFrame = w.fatalBeforeFrame;
      fatalAfterFrame = w.fatalAfterFrame;
      errors = w.errors;
      pausedMs = w.pausedMs;
      rebufferMs = w.rebufferMs;
      rebufferCount = w.rebufferCount;
      playingMs = w.playingMs;
      bitrateKbpsMs = w.bitrateKbpsMs;
      bitrateMs = w.bitrateMs;
    }

    /** Takes the view's next event in apply order (the first offered is the first event). */
    void offer(PlaybackActivity e) {
      if (!namedByStart && e.type().equals("VIEW_START")) {
        named = e;
        namedByStart = true;
      }
      if (endedBy != null) {
        return;
      }
      long t = e.timeMs();
      if (t - lastT > IDLE_TIMEOUT_MS) {
        end = lastT;
        endedBy = "idle";
        return;
      }
      if (t >= start + MAX_LENGTH_MS) {
        advance(start + MAX_LENGTH_MS);
        end = start + MAX_LENGTH_MS;
        endedBy = "max-length";
        return;
      }
      advance(t);
      lastT = t;
      lastPlayhead = e.playheadMs();
      endedBy = apply(e);
      if (endedBy != null) {
        end = t;
      }
    }

    /**
     * The view at event time {@code asOfMs}, from the events offered (all those at or before it);
     * leaves the walk as it was.
     */
    Result result(long asOfMs) {
      Walk w = this;
      long end = this.end;
      String endedBy = this.endedBy;
      if (endedBy == null) {
        if (asOfMs - lastT > IDLE_TIMEOUT_MS) {
          end = lastT;
          endedBy = "idle";
        } else if (asOfMs >= start + MAX_LENGTH_MS) {
          w = new Walk(this);
          w.advance(start + MAX_LENGTH_MS);
          end = start + MAX_LENGTH_MS;
          endedBy = "max-length";
        }
      }
      ViewDimensions dims = ViewDimensions.of(named);
      long startMinute = Math.floorDiv(start, MINUTE) * MINUTE;
      SortedMap<Long, MinuteTime> minutes = new TreeMap<>();
      for (var m : w.activeByMinute.entrySet()) {
        minutes.put(m.getKey(), new MinuteTime(m.getKey() == startMinute, m.getValue()));
      }
      minutes.putIfAbsent(startMinute, new MinuteTime(true, 0));
      if (endedBy == null) {
        // Open: the minutes that end by its last event are final.
        SortedMap<Long, MinuteTime> finalMinutes =
            new TreeMap<>(minutes.headMap(Math.floorDiv(w.cursor, MINUTE) * MINUTE));
        return new Result(
            dims, start, null, Collections.unmodifiableSortedMap(finalMinutes), lastT);
      }
      return new Result(
          dims,
          start,
          w.fact(dims, end, endedBy, lastPlayhead),
          Collections.unmodifiableSortedMap(minutes),
          lastT);
    }

    /** Applies one event; the reason the view ends with it, or null. */
    private String apply(PlaybackActivity e) {
      long t = e.timeMs();
      switch (e.type()) {
        case "VIEW_START" -> {
          if (viewStart < 0) {
            viewStart = t;
          }
        }
        case "FIRST_FRAME" -> {
          if (firstFrame < 0) {
            firstFrame = t;
            if (e.hasBitrate()) {
              bitrate = e.bitrateKbps();
            }
          }
        }
        case "BITRATE_CHANGE" -> {
          if (firstFrame >= 0 && e.hasBitrate()) {
            bitrate = e.bitrateKbps();
          }
        }
        case "PAUSE" -> {
          if (!paused) {
            paused = true;
            rebufferFrom = -1;
          }
        }
        case "RESUME" -> paused = false;
        case "REBUFFER_START" -> {
          if (firstFrame >= 0 && rebufferFrom < 0 && !paused) {
            rebufferFrom = t;
            rebufferCount++;
          }
        }
        case "REBUFFER_END" -> rebufferFrom = -1;
        case "ERROR" -> {
          if (!e.fatal()) {
            errors++;
            return null;
          }
          if (firstFrame < 0) {
            fatalBeforeFrame = true;
          } else {
            fatalAfterFrame = true;
          }
          return "fatal-error";
        }
        case "VIEW_END" -> {
          return "VIEW_END";
        }
        default -> {}
      }
      return null;
    }

    /** Accounts [cursor, to) to what the view was doing. */
    private void advance(long to) {
      long from = cursor;
      if (to <= from) {
        return;
      }
      long length = to - from;
      if (paused) {
        pausedMs += length;
      } else if (rebufferFrom >= 0) {
        rebufferMs += length;
        // Active only in the rebuffer's first 5 minutes.
        addActive(from, Math.min(to, Math.max(from, rebufferFrom + ACTIVE_REBUFFER_MS)));
      } else {
        addActive(from, to);
        if (firstFrame >= 0) {
          playingMs += length;
          if (bitrate > 0) {
            bitrateKbpsMs += length * bitrate;
            bitrateMs += length;
          }
        }
      }
      cursor = to;
    }

    private void addActive(long from, long to) {
      long t = from;
      while (t < to) {
        long minute = Math.floorDiv(t, MINUTE) * MINUTE;
        long upTo = Math.min(to, minute + MINUTE);
        activeByMinute.merge(minute, upTo - t, Long::sum);
        t = upTo;
      }
    }

    private ViewFact fact(ViewDimensions dims, long end, String endedBy, long exitPlayhead) {
      long viewMs = end - start - pausedMs;
      String outcome =
          fatalBeforeFrame
              ? "start-failure"
              : firstFrame < 0
                  ? "exit-before-start"
                  : fatalAfterFrame ? "playback-failure" : "success";
      long startup = viewStart >= 0 && firstFrame >= viewStart ? firstFrame - viewStart : -1;
      int startupScore = startup < 0 ? -1 : Scores.startup(startup);
      int smoothnessScore =
          firstFrame < 0 ? -1 : Scores.smoothness(rebufferCount, rebufferMs, viewMs);
      int playbackScore =
          switch (outcome) {
            case "success" -> 100_000;
            case "exit-before-start" -> end - start < UNSCORED_EXIT_MS ? -1 : 50_000;
            default -> 0;
          };
      int experienceScore =
          playbackScore < 0 ? -1 : Scores.mean(playbackScore, startupScore, smoothnessScore);
      return new ViewFact(
          key,
          dims,
          start,
          end,
          endedBy,
          outcome,
          startup,
          rebufferCount,
          rebufferMs,
          viewMs,
          playingMs,
          bitrateKbpsMs,
          bitrateMs,
          errors,
          exitPlayhead,
          startupScore,
          smoothnessScore,
          playbackScore,
          experienceScore);
    }
  }
}
