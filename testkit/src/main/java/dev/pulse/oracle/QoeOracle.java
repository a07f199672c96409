package dev.pulse.oracle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The expected video QoE metrics, worked out in plain Java from docs/qoe.md (version 1) alone,
 * sharing no code with the playback job: each view's start, end, outcome, startup time,
 * rebuffering, view and playing time, bitrate and scores, and each minute's active view time
 * (concurrent viewers).
 *
 * <p>It works the way a person would with a view's whole event list at hand: sort it, find the end,
 * build the intervals (paused, rebuffering, playing at a bitrate), then measure them. The job keeps
 * a running state machine instead; only the definitions are shared.
 *
 * <p>{@code asOfMs} is the watermark the stream has reached: events after it are not in yet; a view
 * not ended by then is open and has no facts yet.
 */
public final class QoeOracle {

  /** docs/qoe.md, "Views": no event for longer than this after the last one: abandoned. */
  public static final long IDLE_TIMEOUT_MS = 60_000;

  /** docs/qoe.md, "Views": the longest a view can be. */
  public static final long MAX_LENGTH_MS = 6 * 3_600_000L;

  /** docs/qoe.md, "Scores": an exit before video start shorter than this gets no score. */
  public static final long UNSCORED_EXIT_MS = 1_000;

  /** docs/qoe.md, "Per minute": a rebuffer stops counting as active after this long. */
  public static final long ACTIVE_REBUFFER_MS = 5 * 60_000;

  private static final long MINUTE = 60_000;

  /** The contract's symbol order: the order of events of the same millisecond. */
  private static final List<String> ORDER =
      List.of(
          "UNKNOWN",
          "VIEW_START",
          "FIRST_FRAME",
          "REBUFFER_START",
          "REBUFFER_END",
          "BITRATE_CHANGE",
          "PAUSE",
          "RESUME",
          "SEEK",
          "ERROR",
          "HEARTBEAT",
          "VIEW_END");

  /** The dimensions a view is reported by. */
  public record Dimensions(
      String video,
      String course,
      String user,
      String cdn,
      String region,
      String device,
      String player) {}

  /**
   * One ended view's facts.
   *
   * @param endedBy {@code VIEW_END}, {@code fatal-error}, {@code idle} or {@code max-length}
   * @param outcome {@code success}, {@code start-failure}, {@code exit-before-start} or {@code
   *     playback-failure}
   * @param startupMs video startup time, or null
   * @param bitrateKbpsMs the playing time at a known bitrate, weighted by it (kbps x ms)
   * @param bitrateMs the playing time at a known bitrate
   * @param errors non-fatal errors
   * @param startupScore the startup score in thousandths, or null; likewise the others
   */
  public record View(
      PlayEvent.ViewKey key,
      Dimensions dimensions,
      long startMs,
      long endMs,
      String endedBy,
      String outcome,
      Long startupMs,
      int rebufferCount,
      long rebufferMs,
      long viewMs,
      long playingMs,
      long bitrateKbpsMs,
      long bitrateMs,
      int errors,
      long exitPlayheadMs,
      Integer startupScore,
      Integer smoothnessScore,
      Integer playbackScore,
      Integer experienceScore) {}

  private record Interval(long from, long to) {
    long length() {
      return Math.max(0, to - from);
    }
  }

  private final SortedMap<PlayEvent.ViewKey, View> views = new TreeMap<>();
  private final SortedMap<PlayEvent.ViewKey, Dimensions> open = new TreeMap<>();

  /** Active milliseconds by view and minute start. */
  private final Map<PlayEvent.ViewKey, SortedMap<Long, Long>> active = new TreeMap<>();

  private QoeOracle() {}

  /**
   * The oracle of {@code deliveryOrder} (duplicates included: an event whose tenant and lower-case
   * event id came before is counted once) with the stream's watermark at {@code asOfMs}.
   */
  public static QoeOracle of(List<PlayEvent> deliveryOrder, long asOfMs) {
    Set<String> seen = new HashSet<>();
    Map<PlayEvent.ViewKey, List<PlayEvent>> byView = new TreeMap<>();
    for (PlayEvent e : deliveryOrder) {
      if (e.timeMs() > asOfMs) {
        continue;
      }
      if (seen.add(e.tenant() + "\u0000" + e.eventId().toLowerCase(Locale.ROOT))) {
        byView.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
      }
    }
    QoeOracle oracle = new QoeOracle();
    byView.forEach((key, events) -> oracle.view(key, events, asOfMs));
    return oracle;
  }

  /** Every ended view, by key. */
  public List<View> views() {
    return List.copyOf(views.values());
  }

  /** The views not ended by the watermark. */
  public Set<PlayEvent.ViewKey> openViews() {
    return Collections.unmodifiableSet(open.keySet());
  }

  /**
   * The active milliseconds of every view (ended or open, up to the watermark for open ones) in
   * each minute it touches, by minute start.
   */
  public SortedMap<Long, Long> activeMs(PlayEvent.ViewKey key) {
    return Collections.unmodifiableSortedMap(active.getOrDefault(key, new TreeMap<>()));
  }

  /** The dimensions of a view, ended or open. */
  public Dimensions dimensions(PlayEvent.ViewKey key) {
    View v = views.get(key);
    return v != null ? v.dimensions() : open.get(key);
  }

  private void view(PlayEvent.ViewKey key, List<PlayEvent> events, long asOfMs) {
    List<PlayEvent> sorted = new ArrayList<>(events);
    sorted.sort(
        Comparator.comparingLong(PlayEvent::timeMs)
            .thenComparingInt(e -> ORDER.indexOf(e.type()))
            .thenComparing(e -> e.eventId().toLowerCase(Locale.ROOT)));
    PlayEvent first = sorted.get(0);
    PlayEvent named =
        sorted.stream().filter(e -> e.type().equals("VIEW_START")).findFirst().orElse(first);
    Dimensions dims =
        new Dimensions(
            named.video(),
            named.course(),
            named.user(),
            named.cdn(),
            named.region(),
            named.device(),
            named.player());
    long start = first.timeMs();

    // Find the end, and the events that count.
    long end = -1;
    String endedBy = null;
    List<PlayEvent> counted = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      PlayEvent e = sorted.get(i);
      if (e.timeMs() >= start + MAX_LENGTH_MS) {
        end = start + MAX_LENGTH_MS;
        endedBy = "max-length";
        break;
      }
      counted.add(e);
      if (e.type().equals("VIEW_END")) {
        end = e.timeMs();
        endedBy = "VIEW_END";
        break;
      }
      if (e.type().equals("ERROR") && e.fatal()) {
        end = e.timeMs();
        endedBy = "fatal-error";
        break;
      }
      long next = i + 1 < sorted.size() ? sorted.get(i + 1).timeMs() : Long.MAX_VALUE;
      boolean silentAfter =
          next == Long.MAX_VALUE
              ? asOfMs - e.timeMs() > IDLE_TIMEOUT_MS
              : next - e.timeMs() > IDLE_TIMEOUT_MS;
      if (silentAfter) {
        end = e.timeMs();
        endedBy = "idle";
        break;
      }
    }
    if (endedBy == null && asOfMs >= start + MAX_LENGTH_MS) {
      end = start + MAX_LENGTH_MS;
      endedBy = "max-length";
    }
    boolean ended = endedBy != null;
    long until = ended ? end : asOfMs;

    // The intervals.
    Long viewStart = null;
    Long firstFrame = null;
    boolean fatalBeforeFrame = false;
    boolean fatalAfterFrame = false;
    int errors = 0;
    List<Interval> paused = new ArrayList<>();
    List<Interval> rebuffers = new ArrayList<>();
    List<long[]> bitrates = new ArrayList<>(); // {from, kbps}
    Long pauseFrom = null;
    Long rebufferFrom = null;
    for (PlayEvent e : counted) {
      long t = e.timeMs();
      switch (e.type()) {
        case "VIEW_START" -> {
          if (viewStart == null) {
            viewStart = t;
          }
        }
        case "FIRST_FRAME" -> {
          if (firstFrame == null) {
            firstFrame = t;
            if (e.bitrateKbps() != null) {
              bitrates.add(new long[] {t, e.bitrateKbps()});
            }
          }
        }
        case "BITRATE_CHANGE" -> {
          if (firstFrame != null && e.bitrateKbps() != null) {
            bitrates.add(new long[] {t, e.bitrateKbps()});
          }
        }
        case "PAUSE" -> {
          if (pauseFrom == null) {
            pauseFrom = t;
            if (rebufferFrom != null) {
              rebuffers.add(new Interval(rebufferFrom, t));
              rebufferFrom = null;
            }
          }
        }
        case "RESUME" -> {
          if (pauseFrom != null) {
            paused.add(new Interval(pauseFrom, t));
            pauseFrom = null;
          }
        }
        case "REBUFFER_START" -> {
          if (firstFrame != null && rebufferFrom == null && pauseFrom == null) {
            rebufferFrom = t;
          }
        }
        case "REBUFFER_END" -> {
          if (rebufferFrom != null) {
            rebuffers.add(new Interval(rebufferFrom, t));
            rebufferFrom = null;
          }
        }
        case "ERROR" -> {
          if (e.fatal()) {
            if (firstFrame == null) {
              fatalBeforeFrame = true;
            } else {
              fatalAfterFrame = true;
            }
          } else {
            errors++;
          }
        }
        default -> {}
      }
    }
    if (pauseFrom != null) {
      paused.add(new Interval(pauseFrom, until));
    }
    if (rebufferFrom != null) {
      rebuffers.add(new Interval(rebufferFrom, until));
    }

    // Active time: [S, until) less pauses, less each rebuffer's time beyond its first 5 minutes.
    List<Interval> inactive = new ArrayList<>(paused);
    for (Interval r : rebuffers) {
      if (r.length() > ACTIVE_REBUFFER_MS) {
        inactive.add(new Interval(r.from() + ACTIVE_REBUFFER_MS, r.to()));
      }
    }
    SortedMap<Long, Long> perMinute = new TreeMap<>();
    for (long m = Math.floorDiv(start, MINUTE) * MINUTE; m < until; m += MINUTE) {
      long ms = overlap(new Interval(Math.max(start, m), Math.min(until, m + MINUTE)), inactive);
      if (ms > 0) {
        perMinute.put(m, ms);
      }
    }
    active.put(key, perMinute);
    if (!ended) {
      open.put(key, dims);
      return;
    }

    long pausedMs = paused.stream().mapToLong(Interval::length).sum();
    long rebufferMs = rebuffers.stream().mapToLong(Interval::length).sum();
    long viewMs = end - start - pausedMs;
    long playingMs = 0;
    long bitrateKbpsMs = 0;
    long bitrateMs = 0;
    if (firstFrame != null) {
      List<Interval> notPlaying = new ArrayList<>(paused);
      notPlaying.addAll(rebuffers);
      playingMs = overlap(new Interval(firstFrame, end), notPlaying);
      for (int i = 0; i < bitrates.size(); i++) {
        long from = bitrates.get(i)[0];
        long to = i + 1 < bitrates.size() ? bitrates.get(i + 1)[0] : end;
        long ms = overlap(new Interval(from, to), notPlaying);
        bitrateKbpsMs += ms * bitrates.get(i)[1];
        bitrateMs += ms;
      }
    }
    String outcome;
    if (fatalBeforeFrame) {
      outcome = "start-failure";
    } else if (firstFrame == null) {
      outcome = "exit-before-start";
    } else if (fatalAfterFrame) {
      outcome = "playback-failure";
    } else {
      outcome = "success";
    }
    Long startup =
        viewStart != null && firstFrame != null && viewStart <= firstFrame
            ? firstFrame - viewStart
            : null;

    Integer startupScore =
        startup == null ? null : thousandths(8.0 / (8.0 + startup / 1000.0) * 100);
    Integer smoothnessScore = null;
    if (firstFrame != null) {
      double r = viewMs == 0 ? 0 : (double) rebufferMs / viewMs;
      double n = rebuffers.size();
      smoothnessScore =
          thousandths((100 / Math.sqrt(1 + (n / 2) * (n / 2)) + 100 * Math.exp(-10 * r)) / 2);
    }
    Integer playbackScore =
        switch (outcome) {
          case "success" -> 100_000;
          case "exit-before-start" -> end - start < UNSCORED_EXIT_MS ? null : 50_000;
          default -> 0;
        };
    Integer experienceScore = null;
    if (playbackScore != null) {
      long sum = playbackScore;
      int k = 1;
      for (Integer s : new Integer[] {startupScore, smoothnessScore}) {
        if (s != null) {
          sum += s;
          k++;
        }
      }
      experienceScore = thousandths((double) sum / k / 1000.0);
    }
    views.put(
        key,
        new View(
            key,
            dims,
            start,
            end,
            endedBy,
            outcome,
            startup,
            rebuffers.size(),
            rebufferMs,
            viewMs,
            playingMs,
            bitrateKbpsMs,
            bitrateMs,
            errors,
            counted.get(counted.size() - 1).playheadMs(),
            startupScore,
            smoothnessScore,
            playbackScore,
            experienceScore));
  }

  /** {@code x} (0-100) in thousandths, rounded half up. */
  private static int thousandths(double x) {
    return (int) Math.floor(x * 1000 + 0.5);
  }

  /** The length of {@code span} not covered by any of {@code holes} (which may overlap). */
  private static long overlap(Interval span, List<Interval> holes) {
    if (span.length() == 0) {
      return 0;
    }
    List<Interval> cut = new ArrayList<>();
    for (Interval h : holes) {
      long from = Math.max(h.from(), span.from());
      long to = Math.min(h.to(), span.to());
      if (to > from) {
        cut.add(new Interval(from, to));
      }
    }
    cut.sort(Comparator.comparingLong(Interval::from));
    long covered = 0;
    long reach = span.from();
    for (Interval c : cut) {
      long from = Math.max(c.from(), reach);
      if (c.to() > from) {
        covered += c.to() - from;
        reach = c.to();
      }
    }
    return span.length() - covered;
  }
}
