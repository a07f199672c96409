package dev.pulse.oracle;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The expected SLO evaluation of one SLO of one tenant, worked out in plain Java from the rules
 * alone, sharing no code with the evaluation job or the SLO module: for every minute end the job
 * evaluates, the budget over the SLO window and the burn rate over each reported window, and every
 * change of an alert row's state.
 *
 * <p>The rules it follows: every window ends at the evaluated minute end E and holds what starts in
 * [E - w, E). A burn rate is (bad / total) / (1 - objective), 0 without events. An alert row fires
 * when the burn rates over its long and its short window are both strictly greater than its
 * threshold. The budget: eligible and bad over the SLO window (rolling: [E - days, E); calendar
 * month: from the start of the UTC month of E's last millisecond); remaining = 1 - bad / ((1 -
 * objective) x eligible), 1 with none eligible. With time slices, events make epoch-aligned slices;
 * a slice with events is good when good >= target x total; a window counts the slices that both
 * start and end in it. Evaluation starts at the end of the first event's minute, and pauses after
 * the first evaluation whose last 3 days hold no event and at which no row fires, until the next
 * event (evaluated from the end of its minute).
 *
 * <p>It works from the sorted event list alone: the events (or slices) in a window are found by
 * searching the sorted times for the window's bounds, and counted from running totals over the
 * sorted list. The job keeps per-minute counts instead; only the definitions are shared.
 *
 * <p>Every event is taken to be on time: sent before the watermark passes its minute.
 */
public final class SloOracle {

  private static final long MINUTE = 60_000;

  /** The windows a burn rate is reported over: 5m, 30m, 1h, 2h, 6h, 1d, 3d, in minutes. */
  public static final List<Long> BURN_WINDOW_MINUTES =
      List.of(5L, 30L, 60L, 120L, 360L, 1440L, 4320L);

  /** How far back an event keeps evaluation going: 3 days. */
  public static final long QUIET_MINUTES = 3 * 24 * 60;

  /** The period the workbook's alert table is written for: 30 days, in minutes. */
  public static final long WORKBOOK_PERIOD_MINUTES = 30 * 24 * 60;

  /** One eligible event at {@code timeMs}, good or bad. */
  public record Event(long timeMs, boolean good) {}

  /**
   * One alert row: fires when the burn rates over both windows are above {@code threshold}.
   *
   * @param longMinutes the long window, already scaled to the SLO's period
   * @param shortMinutes the short window, likewise
   */
  public record AlertRow(String name, double threshold, long longMinutes, long shortMinutes) {

    /**
     * A workbook row (windows written for 30 days) scaled to a period of {@code periodMinutes}:
     * each window times period / 30 days, to the nearest whole minute (halves up), at least 1.
     */
    public static AlertRow scaled(
        String name,
        double threshold,
        long workbookLongMinutes,
        long workbookShortMinutes,
        long periodMinutes) {
      return new AlertRow(
          name,
          threshold,
          scale(workbookLongMinutes, periodMinutes),
          scale(workbookShortMinutes, periodMinutes));
    }

    private static long scale(long minutes, long periodMinutes) {
      long product = minutes * periodMinutes;
      long rounded = product / WORKBOOK_PERIOD_MINUTES;
      if ((product % WORKBOOK_PERIOD_MINUTES) * 2 >= WORKBOOK_PERIOD_MINUTES) {
        rounded++;
      }
      return Math.max(1, rounded);
    }
  }

  /**
   * One SLO as plain numbers.
   *
   * @param objective the target fraction, e.g. 0.999
   * @param rollingMinutes the rolling window's length; ignored for a calendar month
   * @param calendarMonth whether the window is the UTC calendar month so far
   * @param sliceMinutes the time slice for Timeslices, 0 for Occurrences
   * @param sliceTarget the good fraction that makes a slice good (Timeslices)
   * @param rows the alert rows, windows already scaled
   */
  public record Config(
      double objective,
      long rollingMinutes,
      boolean calendarMonth,
      long sliceMinutes,
      double sliceTarget,
      List<AlertRow> rows) {}

  /**
   * The expected evaluation at {@code endMs}.
   *
   * @param minuteGood good events of the minute ending at {@code endMs} (events, also for slices)
   * @param minuteTotal events of that minute
   * @param windowStartMs where the SLO window starts
   * @param eligible events (or slices) in the SLO window
   * @param bad bad events (or slices) in it
   * @param burnRates per window of {@link #BURN_WINDOW_MINUTES}
   * @param firing per row of {@link Config#rows()}
   */
  public record Status(
      long endMs,
      long minuteGood,
      long minuteTotal,
      long windowStartMs,
      long eligible,
      long bad,
      double remaining,
      double[] burnRates,
      boolean[] firing) {}

  /**
   * An alert row's change of state at {@code atMs}.
   *
   * @param sinceMs when the row started firing ({@code atMs} when it starts now)
   */
  public record Change(
      String row, boolean firing, long atMs, long sinceMs, double burnLong, double burnShort) {}

  /** Every evaluation, in order, and every alert change, in order. */
  public record Result(List<Status> statuses, List<Change> changes) {}

  private SloOracle() {}

  /**
   * The evaluations of {@code config} over {@code events} once the watermark has reached {@code
   * watermarkMs}: every minute end E with E - 1 <= watermarkMs the job evaluates.
   */
  public static Result evaluate(Config config, List<Event> events, long watermarkMs) {
    Counted counted = new Counted(config, events);
    List<Status> statuses = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    List<AlertRow> rows = config.rows();
    long[] firingSince = new long[rows.size()];
    Arrays.fill(firingSince, -1);

    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Event::timeMs));
    if (sorted.isEmpty()) {
      return new Result(statuses, changes);
    }
    long end = minuteEnd(sorted.get(0).timeMs());
    while (end - 1 <= watermarkMs) {
      Status s = counted.statusAt(end);
      statuses.add(s);
      boolean anyFiring = false;
      for (int i = 0; i < rows.size(); i++) {
        boolean was = firingSince[i] >= 0;
        boolean now = s.firing()[i];
        if (now != was) {
          AlertRow row = rows.get(i);
          long since = now ? end : firingSince[i];
          changes.add(
              new Change(
                  row.name(),
                  now,
                  end,
                  since,
                  counted.burn(end, row.longMinutes()),
                  counted.burn(end, row.shortMinutes())));
          firingSince[i] = now ? end : -1;
        }
        anyFiring |= now;
      }
      boolean recent = counted.eventsIn(end - QUIET_MINUTES * MINUTE, end) > 0;
      if (recent || anyFiring) {
        end += MINUTE;
      } else {
        // Paused: the next evaluation is at the end of the next event's minute.
        Event next = null;
        for (Event e : sorted) {
          if (e.timeMs() >= end) {
            next = e;
            break;
          }
        }
        if (next == null) {
          break;
        }
        end = minuteEnd(next.timeMs());
      }
    }
    return new Result(statuses, changes);
  }

  private static long minuteEnd(long timeMs) {
    return (Math.floorDiv(timeMs, MINUTE) + 1) * MINUTE;
  }

  /**
   * The events sorted by time with running totals, and (for Timeslices) the slices they make,
   * sorted by start with running totals.
   */
  private static final class Counted {
    private final Config config;
    private final long[] times;

    /** badBefore[i], goodBefore[i]: how many of the first i events (by time) are bad, good. */
    private final long[] badBefore;

    private final long[] goodBefore;

    private final long sliceMs;
    private final long[] sliceStarts;

    /** slicesBadBefore[i]: how many of the first i slices are bad. */
    private final long[] slicesBadBefore;

    Counted(Config config, List<Event> events) {
      this.config = config;
      List<Event> sorted = new ArrayList<>(events);
      sorted.sort(Comparator.comparingLong(Event::timeMs));
      int n = sorted.size();
      times = new long[n];
      badBefore = new long[n + 1];
      goodBefore = new long[n + 1];
      for (int i = 0; i < n; i++) {
        Event e = sorted.get(i);
        times[i] = e.timeMs();
        badBefore[i + 1] = badBefore[i] + (e.good() ? 0 : 1);
        goodBefore[i + 1] = goodBefore[i] + (e.good() ? 1 : 0);
      }
      sliceMs = config.sliceMinutes() * MINUTE;
      if (sliceMs > 0) {
        // Walk the sorted events; each run of events in one aligned slice is one slice.
        List<Long> starts = new ArrayList<>();
        List<Boolean> badSlices = new ArrayList<>();
        int i = 0;
        while (i < n) {
          long start = Math.floorDiv(times[i], sliceMs) * sliceMs;
          long good = 0;
          long total = 0;
          while (i < n && times[i] < start + sliceMs) {
            total++;
            if (sorted.get(i).good()) {
              good++;
            }
            i++;
          }
          starts.add(start);
          badSlices.add(!(good >= config.sliceTarget() * total));
        }
        sliceStarts = new long[starts.size()];
        slicesBadBefore = new long[starts.size() + 1];
        for (int k = 0; k < starts.size(); k++) {
          sliceStarts[k] = starts.get(k);
          slicesBadBefore[k + 1] = slicesBadBefore[k] + (badSlices.get(k) ? 1 : 0);
        }
      } else {
        sliceStarts = null;
        slicesBadBefore = null;
      }
    }

    /** How many of {@code sortedTimes} are below {@code t}. */
    private static int below(long[] sortedTimes, long t) {
      int lo = 0;
      int hi = sortedTimes.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sortedTimes[mid] < t) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    long eventsIn(long fromMs, long toMs) {
      return below(times, toMs) - below(times, fromMs);
    }

    /** {total, bad} of the units (events or whole slices) in [fromMs, toMs). */
    long[] window(long fromMs, long toMs) {
      if (sliceMs == 0) {
        int a = below(times, fromMs);
        int b = below(times, toMs);
        return new long[] {b - a, badBefore[b] - badBefore[a]};
      }
      // Slices that start at or after fromMs and end by toMs: start in [fromMs, toMs - slice].
      int a = below(sliceStarts, fromMs);
      int b = below(sliceStarts, toMs - sliceMs + 1);
      if (b < a) {
        b = a;
      }
      return new long[] {b - a, slicesBadBefore[b] - slicesBadBefore[a]};
    }

    double burn(long endMs, long minutes) {
      long[] tb = window(endMs - minutes * MINUTE, endMs);
      if (tb[0] == 0) {
        return 0;
      }
      return ((double) tb[1] / tb[0]) / (1 - config.objective());
    }

    long windowStart(long endMs) {
      if (!config.calendarMonth()) {
        return endMs - config.rollingMinutes() * MINUTE;
      }
      LocalDate lastDay = Instant.ofEpochMilli(endMs - 1).atOffset(ZoneOffset.UTC).toLocalDate();
      LocalDate first = LocalDate.of(lastDay.getYear(), lastDay.getMonth(), 1);
      return first.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    Status statusAt(long endMs) {
      long windowStart = windowStart(endMs);
      long[] budget = window(windowStart, endMs);
      long eligible = budget[0];
      long bad = budget[1];
      double remaining = eligible == 0 ? 1 : 1 - bad / ((1 - config.objective()) * eligible);
      double[] burns = new double[BURN_WINDOW_MINUTES.size()];
      for (int i = 0; i < burns.length; i++) {
        burns[i] = burn(endMs, BURN_WINDOW_MINUTES.get(i));
      }
      List<AlertRow> rows = config.rows();
      boolean[] firing = new boolean[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        AlertRow row = rows.get(i);
        double longBurn = burn(endMs, row.longMinutes());
        double shortBurn = burn(endMs, row.shortMinutes());
        firing[i] = longBurn > row.threshold() && shortBurn > row.threshold();
      }
      int a = below(times, endMs - MINUTE);
      int b = below(times, endMs);
      return new Status(
          endMs,
          goodBefore[b] - goodBefore[a],
          b - a,
          windowStart,
          eligible,
          bad,
          remaining,
          burns,
          firing);
    }
  }
}
