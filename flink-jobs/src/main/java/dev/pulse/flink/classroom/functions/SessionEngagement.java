package dev.pulse.flink.classroom.functions;

import static dev.pulse.flink.common.types.ImmutableSerializer.readString;
import static dev.pulse.flink.common.types.ImmutableSerializer.writeString;

import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.LearnerSessionFact;
import dev.pulse.flink.classroom.records.SessionFact;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.flink.common.types.CompactTypeInfo;
import dev.pulse.flink.common.types.FormatSnapshot;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The running engagement state of one classroom session (docs/engagement.md, version 1): fed its
 * events in {@link ClassroomActivity#APPLY_ORDER} and told how far event time has got, it writes
 * each minute once it is final, and the learners' and the session's facts once the session ends.
 *
 * <p>It keeps one clock: everything before it is accounted. Moving the clock forward credits each
 * present learner's time (attendance, focus, camera, microphone) to the current minute, closes the
 * presences that time out on the way, and writes a minute when the clock reaches its end. Nothing
 * after the clock is known, and nothing before it changes: presence at an instant depends only on
 * earlier events, so a minute is final as soon as the clock has passed it.
 */
public final class SessionEngagement {

  /** docs/engagement.md: three missed 30 s heartbeats. */
  public static final long PRESENCE_TIMEOUT_MS = 90_000;

  /** docs/engagement.md: a session without any event for this long has ended. */
  public static final long IDLE_CLOSE_MS = 30 * 60_000;

  /** docs/engagement.md: the longest a session can be. */
  public static final long MAX_LENGTH_MS = 12 * 3_600_000L;

  private static final long MINUTE_MS = 60_000;

  /** Where the facts go. */
  public interface Output {
    void minute(SessionMinuteFact minute);

    void learner(LearnerSessionFact learner);

    void session(SessionFact session);
  }

  /** One learner's presence and totals. */
  static final class Learner {
    boolean present;
    long from;
    long lastSeen;
    boolean focused;
    boolean camera;
    boolean mic;

    /** Whether the current presence has lasted a positive time (a zero-length one counts not). */
    boolean counted;

    long attendanceMs;
    long focusedMs;
    long cameraMs;
    long micMs;
    long firstJoinedMs = -1;
    long lastLeftMs;
    int presences;
    final long[] interactions = new long[4];
  }

  /** The current minute's sums. */
  static final class MinuteSums {
    long minuteMs;
    final Set<String> active = new HashSet<>();
    int peak;
    int joins;
    long presentMs;
    long focusedMs;
    long cameraMs;
    long micMs;
    final long[] interactions = new long[4];
  }

  private final SessionKey key;
  private long start = Long.MIN_VALUE;
  private long last;
  private long clock;
  private boolean ended;
  private long end;
  private boolean minuteWritten;

  /**
   * Empty minutes from {@code pendingFrom} on, after the last event's presence timeout: inside the
   * session if another event comes, after its end if it ends idle. Held until that is known.
   */
  private long pendingFrom;

  private int pending;
  private int open;
  private int peak;
  private final MinuteSums minute = new MinuteSums();
  private final Map<String, Learner> learners = new TreeMap<>();

  public SessionEngagement(SessionKey key) {
    this.key = key;
  }

  /** Whether the session has ended: later events change nothing. */
  public boolean ended() {
    return ended;
  }

  /** The session's end {@code E}, once it has {@link #ended}. */
  public long endMs() {
    return end;
  }

  /** Whether any event has been applied. */
  public boolean started() {
    return start != Long.MIN_VALUE;
  }

  /**
   * The next event time at which, without any event, something is due: the current minute's end,
   * the idle deadline or the 12-hour end (for a started session that has not ended).
   */
  public long nextDeadline() {
    return Math.min(
        minute.minuteMs + MINUTE_MS, Math.min(last + IDLE_CLOSE_MS, start + MAX_LENGTH_MS));
  }

  /** Applies the next event, in {@link ClassroomActivity#APPLY_ORDER}, at or after the clock. */
  public void apply(ClassroomActivity e, Output out) {
    if (ended) {
      return;
    }
    long t = e.timeMs();
    if (!started()) {
      start = t;
      last = t;
      clock = t;
      newMinute(Math.floorDiv(t, MINUTE_MS) * MINUTE_MS);
    } else {
      long maxEnd = start + MAX_LENGTH_MS;
      if (t > last + IDLE_CLOSE_MS && last + IDLE_CLOSE_MS <= maxEnd) {
        end(last + PRESENCE_TIMEOUT_MS, "idle", out);
        return;
      }
      if (t >= maxEnd) {
        end(maxEnd, "max-length", out);
        return;
      }
      advance(t, false, out);
      flushPending(out);
    }
    if (e.type().equals("SESSION_ENDED")) {
      end(t, "SESSION_ENDED", out);
      return;
    }
    last = t;
    if (!e.role().equals("LEARNER")) {
      return;
    }
    int kind = interaction(e.type());
    boolean left = e.type().equals("LEFT");
    if (!left && kind < 0 && !isToggleOrPresence(e.type())) {
      return; // SESSION_STARTED of a learner, UNKNOWN
    }
    Learner l = learners.computeIfAbsent(e.userId(), u -> new Learner());
    if (left) {
      if (l.present) {
        close(l, t);
      }
      return;
    }
    if (!l.present) {
      l.present = true;
      l.from = t;
      l.focused = true;
      l.camera = false;
      l.mic = false;
      l.counted = false;
      open++;
    }
    l.lastSeen = t;
    switch (e.type()) {
      case "BLUR" -> l.focused = false;
      case "FOCUS" -> l.focused = true;
      case "CAMERA_ON" -> l.camera = true;
      case "CAMERA_OFF" -> l.camera = false;
      case "MIC_ON" -> l.mic = true;
      case "MIC_OFF" -> l.mic = false;
      default -> {
        if (kind >= 0) {
          l.interactions[kind]++;
          minute.interactions[kind]++;
        }
      }
    }
  }

  /**
   * Event time has reached {@code watermark}: no event at or before it is still to come. Writes the
   * minutes that ended by then, and ends the session if it has been idle or too long.
   */
  public void advanceTo(long watermark, Output out) {
    if (ended || !started()) {
      return;
    }
    long maxEnd = start + MAX_LENGTH_MS;
    if (watermark >= last + IDLE_CLOSE_MS && last + IDLE_CLOSE_MS <= maxEnd) {
      end(last + PRESENCE_TIMEOUT_MS, "idle", out);
    } else if (watermark >= maxEnd) {
      end(maxEnd, "max-length", out);
    } else if (watermark > clock) {
      advance(watermark, true, out);
    }
  }

  /**
   * Moves the clock to {@code t}, crediting present time and writing finished minutes. A presence
   * whose timeout falls before {@code t} ends at it; one that falls at {@code t} ends too when
   * {@code inclusive} (no event at {@code t} can still come), and goes on otherwise (an event at
   * {@code t} keeps it).
   */
  private void advance(long t, boolean inclusive, Output out) {
    while (true) {
      for (Learner l : learners.values()) {
        long timeout = l.lastSeen + PRESENCE_TIMEOUT_MS;
        if (l.present && timeout <= clock && (timeout < t || inclusive)) {
          close(l, clock);
        }
      }
      if (clock >= t) {
        return;
      }
      long stop = Math.min(t, minute.minuteMs + MINUTE_MS);
      for (Learner l : learners.values()) {
        if (l.present) {
          long timeout = l.lastSeen + PRESENCE_TIMEOUT_MS;
          if (timeout < stop) {
            stop = timeout;
          }
        }
      }
      credit(stop);
      if (clock == minute.minuteMs + MINUTE_MS) {
        if (minute.minuteMs >= last + PRESENCE_TIMEOUT_MS) {
          // Nobody can be present after the last event's timeout: an empty minute, held.
          if (pending++ == 0) {
            pendingFrom = minute.minuteMs;
          }
        } else {
          writeMinute(out);
        }
        newMinute(clock);
      }
    }
  }

  /** Credits [clock, to) to every present learner and the current minute. */
  private void credit(long to) {
    long d = to - clock;
    if (d <= 0) {
      return;
    }
    minute.peak = Math.max(minute.peak, open);
    for (Map.Entry<String, Learner> entry : learners.entrySet()) {
      Learner l = entry.getValue();
      if (!l.present) {
        continue;
      }
      if (!l.counted) {
        l.counted = true;
        l.presences++;
        minute.joins++;
        if (l.firstJoinedMs < 0) {
          l.firstJoinedMs = l.from;
        }
      }
      l.attendanceMs += d;
      minute.active.add(entry.getKey());
      minute.presentMs += d;
      if (l.focused) {
        l.focusedMs += d;
        minute.focusedMs += d;
      }
      if (l.camera) {
        l.cameraMs += d;
        minute.cameraMs += d;
      }
      if (l.mic) {
        l.micMs += d;
        minute.micMs += d;
      }
    }
    clock = to;
  }

  private void close(Learner l, long at) {
    if (l.counted) {
      l.lastLeftMs = at;
    }
    l.present = false;
    open--;
  }

  private void end(long at, String endedBy, Output out) {
    advance(at, true, out);
    for (Learner l : learners.values()) {
      if (l.present) {
        close(l, at);
      }
    }
    if (endedBy.equals("idle")) {
      pending = 0; // all at or after the end
    } else {
      flushPending(out);
    }
    if (minute.minuteMs < at || !minuteWritten) {
      writeMinute(out);
    }
    long length = at - start;
    int present = 0;
    int attendedCount = 0;
    for (Map.Entry<String, Learner> entry : learners.entrySet()) {
      Learner l = entry.getValue();
      if (l.presences == 0) {
        continue;
      }
      present++;
      boolean attended = l.attendanceMs >= Math.min(300_000.0, length / 2.0);
      attendedCount += attended ? 1 : 0;
      out.learner(
          new LearnerSessionFact(
              key,
              entry.getKey(),
              start,
              at,
              l.attendanceMs,
              l.firstJoinedMs,
              l.lastLeftMs,
              l.presences,
              l.focusedMs,
              l.cameraMs,
              l.micMs,
              l.interactions[0],
              l.interactions[1],
              l.interactions[2],
              l.interactions[3],
              attended,
              score(l, length)));
    }
    out.session(new SessionFact(key, start, at, endedBy, peak, present, attendedCount));
    ended = true;
    end = at;
    learners.clear();
  }

  /** docs/engagement.md, "Engagement score": evaluated in the order written there. */
  static int score(Learner l, long length) {
    long total = l.interactions[0] + l.interactions[1] + l.interactions[2] + l.interactions[3];
    double a = length == 0 ? 0 : Math.min(1, (double) l.attendanceMs / length);
    double r = (double) l.focusedMs / l.attendanceMs;
    double p = Math.min(1, total * 600_000.0 / l.attendanceMs);
    double c = Math.max((double) l.cameraMs / l.attendanceMs, (double) l.micMs / l.attendanceMs);
    return (int) Math.floor(40 * a + 30 * r + 20 * p + 10 * c + 0.5);
  }

  private void writeMinute(Output out) {
    peak = Math.max(peak, minute.peak);
    out.minute(
        new SessionMinuteFact(
            key,
            minute.minuteMs,
            minute.active.size(),
            minute.peak,
            minute.joins,
            minute.presentMs,
            minute.focusedMs,
            minute.cameraMs,
            minute.micMs,
            minute.interactions[0],
            minute.interactions[1],
            minute.interactions[2],
            minute.interactions[3]));
    minuteWritten = true;
  }

  /** Writes the held empty minutes: the session goes on past them. */
  private void flushPending(Output out) {
    for (int i = 0; i < pending; i++) {
      out.minute(
          new SessionMinuteFact(key, pendingFrom + i * MINUTE_MS, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }
    minuteWritten |= pending > 0;
    pending = 0;
  }

  private void newMinute(long minuteMs) {
    minute.minuteMs = minuteMs;
    minute.active.clear();
    minute.peak = 0;
    minute.joins = 0;
    minute.presentMs = 0;
    minute.focusedMs = 0;
    minute.cameraMs = 0;
    minute.micMs = 0;
    java.util.Arrays.fill(minute.interactions, 0);
  }

  private static int interaction(String type) {
    return switch (type) {
      case "CHAT_MESSAGE" -> 0;
      case "HAND_RAISED" -> 1;
      case "POLL_ANSWERED" -> 2;
      case "REACTION" -> 3;
      default -> -1;
    };
  }

  private static boolean isToggleOrPresence(String type) {
    return switch (type) {
      case "JOINED", "HEARTBEAT", "FOCUS", "BLUR", "CAMERA_ON", "CAMERA_OFF", "MIC_ON", "MIC_OFF" ->
          true;
      default -> false;
    };
  }

  /** The state's type information: {@link Serializer}. */
  public static final TypeInformation<SessionEngagement> TYPE =
      new CompactTypeInfo<>(SessionEngagement.class, Serializer.INSTANCE, false);

  private void write(DataOutputView out) throws IOException {
    SessionKey.Serializer.INSTANCE.serialize(key, out);
    out.writeLong(start);
    out.writeLong(last);
    out.writeLong(clock);
    out.writeBoolean(ended);
    out.writeLong(end);
    out.writeBoolean(minuteWritten);
    out.writeLong(pendingFrom);
    out.writeInt(pending);
    out.writeInt(open);
    out.writeInt(peak);
    out.writeLong(minute.minuteMs);
    out.writeInt(minute.active.size());
    for (String user : new TreeSet<>(minute.active)) {
      writeString(user, out);
    }
    out.writeInt(minute.peak);
    out.writeInt(minute.joins);
    out.writeLong(minute.presentMs);
    out.writeLong(minute.focusedMs);
    out.writeLong(minute.cameraMs);
    out.writeLong(minute.micMs);
    for (long n : minute.interactions) {
      out.writeLong(n);
    }
    out.writeInt(learners.size());
    for (Map.Entry<String, Learner> entry : learners.entrySet()) {
      writeString(entry.getKey(), out);
      Learner l = entry.getValue();
      out.writeByte(
          (l.present ? 1 : 0)
              | (l.focused ? 2 : 0)
              | (l.camera ? 4 : 0)
              | (l.mic ? 8 : 0)
              | (l.counted ? 16 : 0));
      out.writeLong(l.from);
      out.writeLong(l.lastSeen);
      out.writeLong(l.attendanceMs);
      out.writeLong(l.focusedMs);
      out.writeLong(l.cameraMs);
      out.writeLong(l.micMs);
      out.writeLong(l.firstJoinedMs);
      out.writeLong(l.lastLeftMs);
      out.writeInt(l.presences);
      for (long n : l.interactions) {
        out.writeLong(n);
      }
    }
  }

  private static SessionEngagement read(DataInputView in) throws IOException {
    SessionEngagement s = new SessionEngagement(SessionKey.Serializer.INSTANCE.deserialize(in));
    s.start = in.readLong();
    s.last = in.readLong();
    s.clock = in.readLong();
    s.ended = in.readBoolean();
    s.end = in.readLong();
    s.minuteWritten = in.readBoolean();
    s.pendingFrom = in.readLong();
    s.pending = in.readInt();
    s.open = in.readInt();
    s.peak = in.readInt();
    s.minute.minuteMs = in.readLong();
    for (int i = in.readInt(); i > 0; i--) {
      s.minute.active.add(readString(in));
    }
    s.minute.peak = in.readInt();
    s.minute.joins = in.readInt();
    s.minute.presentMs = in.readLong();
    s.minute.focusedMs = in.readLong();
    s.minute.cameraMs = in.readLong();
    s.minute.micMs = in.readLong();
    for (int k = 0; k < 4; k++) {
      s.minute.interactions[k] = in.readLong();
    }
    for (int i = in.readInt(); i > 0; i--) {
      String user = readString(in);
      Learner l = new Learner();
      int flags = in.readByte();
      l.present = (flags & 1) != 0;
      l.focused = (flags & 2) != 0;
      l.camera = (flags & 4) != 0;
      l.mic = (flags & 8) != 0;
      l.counted = (flags & 16) != 0;
      l.from = in.readLong();
      l.lastSeen = in.readLong();
      l.attendanceMs = in.readLong();
      l.focusedMs = in.readLong();
      l.cameraMs = in.readLong();
      l.micMs = in.readLong();
      l.firstJoinedMs = in.readLong();
      l.lastLeftMs = in.readLong();
      l.presences = in.readInt();
      for (int k = 0; k < 4; k++) {
        l.interactions[k] = in.readLong();
      }
      s.learners.put(user, l);
    }
    return s;
  }

  /**
   * The session state, field by field (learners by user): format {@value #FORMAT}. Mutable, so a
   * copy goes through the bytes.
   */
  public static final class Serializer extends TypeSerializerSingleton<SessionEngagement> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "key; start,last,clock:i64; ended:bool; end:i64; minuteWritten:bool; pendingFrom:i64; pending,open,"
            + "peak:i32; minute{minuteMs:i64; active:i32+str*; peak,joins:i32; present,focused,"
            + "camera,mic:i64; interactions:4*i64}; learners:i32+{user:str; flags:i8; from,"
            + "lastSeen,attendance,focused,camera,mic,firstJoined,lastLeft:i64; presences:i32;"
            + " interactions:4*i64}; str=i32 UTF-8 length + bytes";

    @Override
    public boolean isImmutableType() {
      return false;
    }

    @Override
    public SessionEngagement createInstance() {
      return null;
    }

    @Override
    public SessionEngagement copy(SessionEngagement from) {
      try {
        DataOutputSerializer bytes = new DataOutputSerializer(256);
        from.write(bytes);
        return read(new DataInputDeserializer(bytes.getSharedBuffer(), 0, bytes.length()));
      } catch (IOException e) {
        throw new IllegalStateException("could not copy a session's state", e);
      }
    }

    @Override
    public SessionEngagement copy(SessionEngagement from, SessionEngagement reuse) {
      return copy(from);
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    public void serialize(SessionEngagement record, DataOutputView target) throws IOException {
      record.write(target);
    }

    @Override
    public SessionEngagement deserialize(DataInputView source) throws IOException {
      return read(source);
    }

    @Override
    public SessionEngagement deserialize(SessionEngagement reuse, DataInputView source)
        throws IOException {
      return read(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      serialize(read(source), target);
    }

    @Override
    public TypeSerializerSnapshot<SessionEngagement> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<SessionEngagement> {
      public Snapshot() {
        super(FORMAT, LAYOUT, () -> INSTANCE);
      }

      @Override
      protected String unversionedLayout() {
        return LAYOUT;
      }
    }
  }
}
