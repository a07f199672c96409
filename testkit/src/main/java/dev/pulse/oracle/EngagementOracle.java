package dev.pulse.oracle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The expected classroom engagement metrics, worked out in plain Java from docs/engagement.md
 * (version 1) alone, sharing no code with the classroom job: per session its start and end, its
 * final minutes, its learners' session facts, and each course's at-risk learners.
 *
 * <p>It works the way a person would with the whole event list at hand: sort a session's events,
 * find its end, build each learner's presence intervals and their focus, camera and microphone
 * segments, then measure minutes and learners by overlapping those intervals. The job instead keeps
 * running state per learner and emits as the watermark moves; only the definitions are shared.
 *
 * <p>{@code asOfMs} is the watermark the stream has reached: events after it are not in yet,
 * sessions not ended by then are open (their minutes are those already closed, they have no learner
 * facts yet).
 */
public final class EngagementOracle {

  /** docs/engagement.md, "Learners and presence": three missed 30 s heartbeats. */
  public static final long PRESENCE_TIMEOUT_MS = 90_000;

  /** docs/engagement.md, "Sessions": a session without any event for this long has ended. */
  public static final long IDLE_CLOSE_MS = 30 * 60_000;

  /** docs/engagement.md, "Sessions": the longest a session can be. */
  public static final long MAX_LENGTH_MS = 12 * 3_600_000L;

  private static final long MINUTE = 60_000;
  private static final List<String> KINDS =
      List.of("CHAT_MESSAGE", "HAND_RAISED", "POLL_ANSWERED", "REACTION");
  private static final Set<String> SIGNS_OF_LIFE =
      Set.of(
          "JOINED",
          "HEARTBEAT",
          "FOCUS",
          "BLUR",
          "CHAT_MESSAGE",
          "HAND_RAISED",
          "POLL_ANSWERED",
          "REACTION",
          "CAMERA_ON",
          "CAMERA_OFF",
          "MIC_ON",
          "MIC_OFF");

  /**
   * A session as the rules delimit it.
   *
   * @param key the session
   * @param startMs {@code S}
   * @param endMs {@code E}, or null while it is open
   * @param endedBy {@code SESSION_ENDED}, {@code idle}, {@code max-length}, or null while open
   */
  public record Session(ClassEvent.SessionKey key, long startMs, Long endMs, String endedBy) {}

  /**
   * One session minute.
   *
   * @param interactions chat, hand, poll, reaction, in that order
   */
  public record Minute(
      ClassEvent.SessionKey key,
      long minuteMs,
      int active,
      int peak,
      int joins,
      long presentMs,
      long focusedMs,
      long cameraMs,
      long micMs,
      List<Long> interactions) {}

  /**
   * One learner's facts for an ended session.
   *
   * @param interactions chat, hand, poll, reaction, in that order
   */
  public record Learner(
      ClassEvent.SessionKey key,
      String user,
      long attendanceMs,
      long firstJoinedMs,
      long lastLeftMs,
      int presences,
      long focusedMs,
      long cameraMs,
      long micMs,
      List<Long> interactions,
      boolean attended,
      int score) {}

  /** A learner at risk in a course, with the rule's reason. */
  public record AtRisk(String user, String reason) {}

  private record Segment(long from, long to, boolean focused, boolean camera, boolean mic) {}

  private record Interval(long from, long to) {}

  private final SortedMap<ClassEvent.SessionKey, Session> sessions = new TreeMap<>();
  private final Map<ClassEvent.SessionKey, List<Minute>> minutes = new TreeMap<>();
  private final Map<ClassEvent.SessionKey, List<Learner>> learners = new TreeMap<>();

  private EngagementOracle() {}

  /**
   * The oracle of {@code deliveryOrder} (duplicates included: an event whose tenant and lower-case
   * event id came before is counted once) with the stream's watermark at {@code asOfMs}.
   */
  public static EngagementOracle of(List<ClassEvent> deliveryOrder, long asOfMs) {
    Set<String> seen = new HashSet<>();
    Map<ClassEvent.SessionKey, List<ClassEvent>> bySession = new TreeMap<>();
    for (ClassEvent e : deliveryOrder) {
      if (e.timeMs() > asOfMs) {
        continue;
      }
      if (seen.add(e.tenant() + "\u0000" + e.eventId().toLowerCase(Locale.ROOT))) {
        bySession.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
      }
    }
    EngagementOracle oracle = new EngagementOracle();
    bySession.forEach((key, events) -> oracle.session(key, events, asOfMs));
    return oracle;
  }

  /** Every session with at least one event, by key. */
  public List<Session> sessions() {
    return List.copyOf(sessions.values());
  }

  /** The session's final minutes, in time order (none for an unknown session). */
  public List<Minute> minutes(ClassEvent.SessionKey key) {
    return minutes.getOrDefault(key, List.of());
  }

  /** The learners' facts of an ended session, by user (none while it is open). */
  public List<Learner> learners(ClassEvent.SessionKey key) {
    return learners.getOrDefault(key, List.of());
  }

  private static int rank(String type) {
    return switch (type) {
      case "SESSION_STARTED" -> 0;
      case "SESSION_ENDED" -> 1;
      case "JOINED" -> 2;
      case "LEFT" -> 4;
      default -> 3;
    };
  }

  private void session(ClassEvent.SessionKey key, List<ClassEvent> events, long asOf) {
    events.sort(
        Comparator.comparingLong(ClassEvent::timeMs)
            .thenComparingInt(e -> rank(e.type()))
            .thenComparing(ClassEvent::eventId));
    long start = events.get(0).timeMs();
    long maxEnd = start + MAX_LENGTH_MS;
    Long end = null;
    String endedBy = null;
    long last = start;
    List<ClassEvent> counted = new ArrayList<>();
    for (ClassEvent e : events) {
      if (e.timeMs() > last + IDLE_CLOSE_MS && last + IDLE_CLOSE_MS <= maxEnd) {
        end = last + PRESENCE_TIMEOUT_MS;
        endedBy = "idle";
        break;
      }
      if (e.timeMs() >= maxEnd) {
        end = maxEnd;
        endedBy = "max-length";
        break;
      }
      if (e.type().equals("SESSION_ENDED")) {
        end = e.timeMs();
        endedBy = "SESSION_ENDED";
        break;
      }
      counted.add(e);
      last = e.timeMs();
    }
    if (end == null) {
      if (asOf >= last + IDLE_CLOSE_MS && last + IDLE_CLOSE_MS <= maxEnd) {
        end = last + PRESENCE_TIMEOUT_MS;
        endedBy = "idle";
      } else if (asOf >= maxEnd) {
        end = maxEnd;
        endedBy = "max-length";
      }
    }
    sessions.put(key, new Session(key, start, end, endedBy));

    // Each learner's presence intervals, with focus, camera and microphone segments.
    Map<String, List<Interval>> intervals = new TreeMap<>();
    Map<String, List<Segment>> segments = new TreeMap<>();
    Map<String, List<long[]>> interactions = new TreeMap<>(); // {time, kind index}
    Map<String, long[]> state = new LinkedHashMap<>(); // from, lastSeen, segFrom, flags
    for (ClassEvent e : counted) {
      if (!e.role().equals("LEARNER")) {
        continue;
      }
      boolean left = e.type().equals("LEFT");
      if (!left && !SIGNS_OF_LIFE.contains(e.type())) {
        continue;
      }
      String u = e.user();
      long t = e.timeMs();
      long[] s = state.get(u);
      if (s != null && t - s[1] > PRESENCE_TIMEOUT_MS) {
        close(u, s, s[1] + PRESENCE_TIMEOUT_MS, intervals, segments);
        state.remove(u);
        s = null;
      }
      if (left) {
        if (s != null) {
          close(u, s, t, intervals, segments);
          state.remove(u);
        }
        continue;
      }
      if (s == null) {
        s = new long[] {t, t, t, 1, 0, 0}; // focused, camera off, microphone off
        state.put(u, s);
      }
      s[1] = t;
      switch (e.type()) {
        case "BLUR" -> flag(u, s, 3, false, t, segments);
        case "FOCUS" -> flag(u, s, 3, true, t, segments);
        case "CAMERA_ON" -> flag(u, s, 4, true, t, segments);
        case "CAMERA_OFF" -> flag(u, s, 4, false, t, segments);
        case "MIC_ON" -> flag(u, s, 5, true, t, segments);
        case "MIC_OFF" -> flag(u, s, 5, false, t, segments);
        default -> {
          int kind = KINDS.indexOf(e.type());
          if (kind >= 0) {
            interactions.computeIfAbsent(u, k -> new ArrayList<>()).add(new long[] {t, kind});
          }
        }
      }
    }
    for (Map.Entry<String, long[]> open : state.entrySet()) {
      long until = open.getValue()[1] + PRESENCE_TIMEOUT_MS;
      close(
          open.getKey(),
          open.getValue(),
          end == null ? until : Math.min(until, end),
          intervals,
          segments);
    }

    // Minutes.
    List<Minute> series = new ArrayList<>();
    long length = end == null ? -1 : end - start;
    for (long m = Math.floorDiv(start, MINUTE) * MINUTE; ; m += MINUTE) {
      // Open: the closed minutes, except those from the last event's timeout on, which belong to
      // the session only if another event comes.
      if (end == null
          ? m + MINUTE > asOf || m >= last + PRESENCE_TIMEOUT_MS
          : (m >= end && !(length == 0 && m <= start))) {
        break;
      }
      long lo = Math.max(m, start);
      long hi = end == null ? m + MINUTE : Math.min(m + MINUTE, end);
      int active = 0;
      int joins = 0;
      List<Interval> all = new ArrayList<>();
      for (List<Interval> list : intervals.values()) {
        boolean here = false;
        for (Interval i : list) {
          if (Math.max(i.from(), lo) < Math.min(i.to(), hi)) {
            here = true;
            all.add(i);
          }
          if (i.from() >= lo && i.from() < hi) {
            joins++;
          }
        }
        active += here ? 1 : 0;
      }
      int peak = 0;
      List<Long> instants = new ArrayList<>(List.of(lo));
      all.forEach(i -> instants.add(i.from()));
      for (long x : instants) {
        if (x < lo || x >= hi) {
          continue;
        }
        int n = 0;
        for (Interval i : all) {
          if (i.from() <= x && x < i.to()) {
            n++;
          }
        }
        peak = Math.max(peak, n);
      }
      long present = 0;
      long focused = 0;
      long camera = 0;
      long mic = 0;
      for (List<Segment> list : segments.values()) {
        for (Segment g : list) {
          long overlap = Math.max(0, Math.min(g.to(), hi) - Math.max(g.from(), lo));
          present += overlap;
          focused += g.focused() ? overlap : 0;
          camera += g.camera() ? overlap : 0;
          mic += g.mic() ? overlap : 0;
        }
      }
      long[] kinds = new long[4];
      for (List<long[]> list : interactions.values()) {
        for (long[] i : list) {
          if (i[0] >= lo && i[0] < hi) {
            kinds[(int) i[1]]++;
          }
        }
      }
      series.add(
          new Minute(key, m, active, peak, joins, present, focused, camera, mic, boxed(kinds)));
    }
    minutes.put(key, List.copyOf(series));

    if (end == null) {
      return;
    }
    List<Learner> facts = new ArrayList<>();
    for (Map.Entry<String, List<Interval>> entry : intervals.entrySet()) {
      List<Interval> list = entry.getValue();
      if (list.isEmpty()) {
        continue;
      }
      String u = entry.getKey();
      long attendance = 0;
      for (Interval i : list) {
        attendance += i.to() - i.from();
      }
      long focused = 0;
      long camera = 0;
      long mic = 0;
      for (Segment g : segments.get(u)) {
        long d = g.to() - g.from();
        focused += g.focused() ? d : 0;
        camera += g.camera() ? d : 0;
        mic += g.mic() ? d : 0;
      }
      long[] kinds = new long[4];
      for (long[] i : interactions.getOrDefault(u, List.of())) {
        kinds[(int) i[1]]++;
      }
      long total = kinds[0] + kinds[1] + kinds[2] + kinds[3];
      boolean attended = attendance >= Math.min(300_000.0, length / 2.0);
      double a = length == 0 ? 0 : Math.min(1, (double) attendance / length);
      double r = (double) focused / attendance;
      double p = Math.min(1, total * 600_000.0 / attendance);
      double c = Math.max((double) camera / attendance, (double) mic / attendance);
      int score = (int) Math.floor(40 * a + 30 * r + 20 * p + 10 * c + 0.5);
      facts.add(
          new Learner(
              key,
              u,
              attendance,
              list.get(0).from(),
              list.get(list.size() - 1).to(),
              list.size(),
              focused,
              camera,
              mic,
              boxed(kinds),
              attended,
              score));
    }
    learners.put(key, List.copyOf(facts));
  }

  /**
   * Sets flag {@code index} of {@code s} at {@code t}, cutting the current segment if it changes.
   */
  private static void flag(
      String user, long[] s, int index, boolean on, long t, Map<String, List<Segment>> segments) {
    if ((s[index] == 1) != on) {
      cut(user, s, t, segments);
      s[index] = on ? 1 : 0;
    }
  }

  private static void cut(String user, long[] s, long t, Map<String, List<Segment>> segments) {
    if (t > s[2]) {
      segments
          .computeIfAbsent(user, k -> new ArrayList<>())
          .add(new Segment(s[2], t, s[3] == 1, s[4] == 1, s[5] == 1));
    }
    s[2] = t;
  }

  private static void close(
      String user,
      long[] s,
      long to,
      Map<String, List<Interval>> intervals,
      Map<String, List<Segment>> segments) {
    cut(user, s, to, segments);
    if (to > s[0]) {
      intervals.computeIfAbsent(user, k -> new ArrayList<>()).add(new Interval(s[0], to));
    } else {
      intervals.computeIfAbsent(user, k -> new ArrayList<>());
    }
  }

  private static List<Long> boxed(long[] values) {
    List<Long> out = new ArrayList<>();
    for (long v : values) {
      out.add(v);
    }
    return Collections.unmodifiableList(out);
  }

  /** The at-risk learners of a course, by user, with the rule's reason (docs/engagement.md). */
  public List<AtRisk> atRisk(String tenant, String course) {
    List<Session> ended = new ArrayList<>();
    for (Session s : sessions.values()) {
      if (s.endMs() != null && s.key().tenant().equals(tenant) && s.key().course().equals(course)) {
        ended.add(s);
      }
    }
    ended.sort(
        Comparator.comparingLong(Session::startMs)
            .reversed()
            .thenComparing(s -> s.key().session()));
    if (ended.size() < 3) {
      return List.of();
    }
    Set<String> known = new TreeSet<>();
    for (Session s : ended.subList(0, Math.min(10, ended.size()))) {
      learners(s.key()).forEach(l -> known.add(l.user()));
    }
    List<Session> last3 = ended.subList(0, 3);
    List<AtRisk> risks = new ArrayList<>();
    for (String u : known) {
      int attended = 0;
      List<Integer> low = new ArrayList<>();
      for (Session s : last3) {
        for (Learner l : learners(s.key())) {
          if (l.user().equals(u)) {
            attended += l.attended() ? 1 : 0;
            if (l.score() < 40) {
              low.add(l.score());
            }
          }
        }
      }
      List<String> reasons = new ArrayList<>();
      if (attended < 2) {
        reasons.add("attended " + attended + " of the last 3 sessions");
      }
      if (low.size() >= 2) {
        reasons.add(
            "scored below 40 in "
                + low.size()
                + " of the last 3 sessions ("
                + String.join(", ", low.stream().map(String::valueOf).toList())
                + ")");
      }
      if (!reasons.isEmpty()) {
        risks.add(new AtRisk(u, String.join("; ", reasons)));
      }
    }
    return risks;
  }
}
