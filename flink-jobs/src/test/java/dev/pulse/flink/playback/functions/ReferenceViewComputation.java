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
 * {@link ViewComputation#compute} as it was before its walk was kept between steps (a copy of that
 * version: every step walked all the view's events): the reference of {@link
 * ReferencePlaybackViewFunction}.
 */
final class ReferenceViewComputation {

  private static final long IDLE_TIMEOUT_MS = ViewComputation.IDLE_TIMEOUT_MS;
  private static final long MAX_LENGTH_MS = ViewComputation.MAX_LENGTH_MS;
  private static final long UNSCORED_EXIT_MS = ViewComputation.UNSCORED_EXIT_MS;
  private static final long ACTIVE_REBUFFER_MS = ViewComputation.ACTIVE_REBUFFER_MS;
  private static final long MINUTE = 60_000;

  private ReferenceViewComputation() {}

  /**
   * The view {@code key} from {@code events} (distinct, in apply order; those after {@code asOfMs}
   * are not in yet), or null when none is in yet.
   */
  public static ViewComputation.Result compute(
      ViewKey key, List<PlaybackActivity> events, long asOfMs) {
    if (events.isEmpty() || events.get(0).timeMs() > asOfMs) {
      return null;
    }
    return new Walk(key, events, asOfMs).run();
  }

  /** The walk's state and what it has added up. */
  private static final class Walk {
    private final ViewKey key;
    private final List<PlaybackActivity> events;
    private final long asOfMs;
    private final long start;
    private final TreeMap<Long, Long> activeByMinute = new TreeMap<>();

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

    Walk(ViewKey key, List<PlaybackActivity> events, long asOfMs) {
      this.key = key;
      this.events = events;
      this.asOfMs = asOfMs;
      this.start = events.get(0).timeMs();
      this.cursor = start;
    }

    ViewComputation.Result run() {
      PlaybackActivity named = events.get(0);
      for (PlaybackActivity e : events) {
        if (e.timeMs() > asOfMs) {
          break;
        }
        if (e.type().equals("VIEW_START")) {
          named = e;
          break;
        }
      }
      long lastT = start;
      long lastPlayhead = events.get(0).playheadMs();
      long end = -1;
      String endedBy = null;
      for (PlaybackActivity e : events) {
        long t = e.timeMs();
        if (t > asOfMs) {
          break;
        }
        if (t - lastT > IDLE_TIMEOUT_MS) {
          end = lastT;
          endedBy = "idle";
          break;
        }
        if (t >= start + MAX_LENGTH_MS) {
          advance(start + MAX_LENGTH_MS);
          end = start + MAX_LENGTH_MS;
          endedBy = "max-length";
          break;
        }
        advance(t);
        lastT = t;
        lastPlayhead = e.playheadMs();
        endedBy = apply(e);
        if (endedBy != null) {
          end = t;
          break;
        }
      }
      if (endedBy == null) {
        if (asOfMs - lastT > IDLE_TIMEOUT_MS) {
          end = lastT;
          endedBy = "idle";
        } else if (asOfMs >= start + MAX_LENGTH_MS) {
          advance(start + MAX_LENGTH_MS);
          end = start + MAX_LENGTH_MS;
          endedBy = "max-length";
        }
      }
      ViewDimensions dims = ViewDimensions.of(named);
      long startMinute = Math.floorDiv(start, MINUTE) * MINUTE;
      SortedMap<Long, ViewComputation.MinuteTime> minutes = new TreeMap<>();
      for (var m : activeByMinute.entrySet()) {
        minutes.put(
            m.getKey(), new ViewComputation.MinuteTime(m.getKey() == startMinute, m.getValue()));
      }
      minutes.putIfAbsent(startMinute, new ViewComputation.MinuteTime(true, 0));
      if (endedBy == null) {
        // Open: the minutes that end by its last event are final.
        SortedMap<Long, ViewComputation.MinuteTime> finalMinutes =
            new TreeMap<>(minutes.headMap(Math.floorDiv(cursor, MINUTE) * MINUTE));
        return new ViewComputation.Result(
            dims, start, null, Collections.unmodifiableSortedMap(finalMinutes), lastT);
      }
      return new ViewComputation.Result(
          dims,
          start,
          fact(dims, end, endedBy, lastPlayhead),
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
