package dev.pulse.events.codec;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.ClassroomEventType;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.PlaybackEventType;
import dev.pulse.events.ProbeResult;
import dev.pulse.events.codec.DecodeError.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The semantic rules an event must pass after it decodes: what Avro's types cannot say (a UUID, a
 * status code range, a believable event time, bounded string lengths). The rules are listed with
 * their reasons in event-schemas/README.md.
 *
 * <p>Thread-safe and deterministic: "now" comes from the injected clock, or is passed in by the
 * caller (a Flink job may pass its own notion of the current time).
 */
public final class EventValidator {

  /** Events before this are clock errors (an unset clock reads 1970), not history we keep. */
  public static final Instant DEFAULT_EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  /** How far a producer's clock may run ahead of ours before its events count as absurd. */
  public static final Duration DEFAULT_MAX_FUTURE = Duration.ofDays(1);

  /** Limit of every string field not listed in {@link #FIELD_MAX_CHARS}, in UTF-16 chars. */
  public static final int DEFAULT_MAX_CHARS = 128;

  /** Fields allowed to be longer than {@link #DEFAULT_MAX_CHARS}: free text and route templates. */
  public static final Map<String, Integer> FIELD_MAX_CHARS = Map.of("endpoint", 512, "error", 1024);

  /** Limit of a whole encoded record, header included: real events are a few hundred bytes. */
  public static final int MAX_RECORD_BYTES = 64 * 1024;

  /** An API request that took an hour or more is a broken measurement, not a slow request. */
  public static final long MAX_LATENCY_US = 3_600_000_000L;

  /**
   * A rendition above 1 Gbit/s is a broken report (8K streams are about 100 Mbit/s); the bound also
   * keeps QoE's bitrate x playing-time sums far inside 64 bits.
   */
  public static final int MAX_BITRATE_KBPS = 1_000_000;

  private static final Map<Class<?>, Plan> PLANS = new ConcurrentHashMap<>();

  private final Clock clock;
  private final Instant earliest;
  private final Duration maxFuture;
  private final Duration maxAhead;

  /**
   * @param clock source of "now" for the future bound
   * @param earliest event times before this are absurd
   * @param maxFuture event times later than now plus this are absurd
   */
  public EventValidator(Clock clock, Instant earliest, Duration maxFuture) {
    this(clock, earliest, maxFuture, maxFuture);
  }

  private EventValidator(Clock clock, Instant earliest, Duration maxFuture, Duration maxAhead) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.earliest = Objects.requireNonNull(earliest, "earliest");
    this.maxFuture = Objects.requireNonNull(maxFuture, "maxFuture");
    this.maxAhead = Objects.requireNonNull(maxAhead, "maxAhead");
    if (maxFuture.isNegative() || maxAhead.isNegative()) {
      throw new IllegalArgumentException(
          "future bounds must not be negative, got " + maxFuture + " and " + maxAhead);
    }
  }

  /**
   * These rules, and also refusing (as {@link Reason#FUTURE_EVENT_TIME}) event times more than
   * {@code bound} ahead of now that the contract would still accept: a consumer's tighter bound.
   */
  public EventValidator aheadAtMost(Duration bound) {
    return new EventValidator(clock, earliest, maxFuture, bound);
  }

  /** The standard rules, with "now" read from {@code clock}. */
  public static EventValidator withClock(Clock clock) {
    return new EventValidator(clock, DEFAULT_EARLIEST, DEFAULT_MAX_FUTURE);
  }

  /** The standard rules against the system clock (UTC). */
  public static EventValidator standard() {
    return withClock(Clock.systemUTC());
  }

  /**
   * The error of the first rule {@code event} breaks, judged at the clock's now; empty if valid.
   */
  public Optional<DecodeError> validate(SpecificRecord event) {
    return validate(event, clock.instant());
  }

  /** The error of the first rule {@code event} breaks, judged at {@code now}; empty if valid. */
  public Optional<DecodeError> validate(SpecificRecord event, Instant now) {
    Objects.requireNonNull(event, "event");
    DecodeError error = check(event, now);
    return error == null ? Optional.empty() : Optional.of(error);
  }

  /** The limit of a string field, in UTF-16 chars. */
  public static int maxChars(String fieldName) {
    return FIELD_MAX_CHARS.getOrDefault(fieldName, DEFAULT_MAX_CHARS);
  }

  private DecodeError check(SpecificRecord event, Instant now) {
    Plan plan = PLANS.computeIfAbsent(event.getClass(), c -> Plan.of(event.getSchema()));
    DecodeError error = plan.checkStrings(event);
    if (error != null) {
      return error;
    }
    if (plan.eventTimeIndex >= 0) {
      Instant time = (Instant) event.get(plan.eventTimeIndex);
      if (time == null) {
        return new DecodeError(Reason.MISSING_FIELD, "event_time is missing");
      }
      if (time.isBefore(earliest)) {
        return new DecodeError(
            Reason.ABSURD_TIMESTAMP, "event_time " + time + " is before " + earliest);
      }
      Instant latest = now.plus(maxFuture);
      if (time.isAfter(latest)) {
        return new DecodeError(
            Reason.ABSURD_TIMESTAMP,
            "event_time " + time + " is more than " + maxFuture + " after now (" + now + ")");
      }
      if (time.isAfter(now.plus(maxAhead))) {
        return new DecodeError(
            Reason.FUTURE_EVENT_TIME,
            "event_time "
                + time
                + " is more than "
                + maxAhead
                + " ahead of the ingest clock ("
                + now
                + "): the producer's clock runs ahead");
      }
    }
    if (event instanceof ApiRequestEvent api) {
      return checkApiRequest(api);
    } else if (event instanceof PlaybackEvent playback) {
      return checkPlayback(playback);
    } else if (event instanceof ClassroomEvent classroom) {
      return checkClassroom(classroom);
    } else if (event instanceof ProbeResult probe) {
      return checkProbe(probe);
    }
    return null;
  }

  private static DecodeError checkApiRequest(ApiRequestEvent event) {
    int status = event.getStatusCode();
    if (status < 100 || status > 599) {
      return invalid("status_code " + status + " is outside 100..599");
    }
    long latency = event.getLatencyUs();
    if (latency < 0 || latency >= MAX_LATENCY_US) {
      return invalid("latency_us " + latency + " is outside 0.." + (MAX_LATENCY_US - 1));
    }
    return null;
  }

  private static DecodeError checkPlayback(PlaybackEvent event) {
    if (event.getType() == PlaybackEventType.UNKNOWN) {
      return unknownType();
    }
    Integer bitrate = event.getBitrateKbps();
    if (bitrate != null && (bitrate <= 0 || bitrate > MAX_BITRATE_KBPS)) {
      return invalid("bitrate_kbps " + bitrate + " is outside 1.." + MAX_BITRATE_KBPS);
    }
    if (event.getPlayheadMs() < 0) {
      return invalid("playhead_ms " + event.getPlayheadMs() + " is negative");
    }
    return null;
  }

  private static DecodeError checkClassroom(ClassroomEvent event) {
    return event.getType() == ClassroomEventType.UNKNOWN ? unknownType() : null;
  }

  private static DecodeError checkProbe(ProbeResult event) {
    if (event.getLatencyMs() < 0) {
      return invalid("latency_ms " + event.getLatencyMs() + " is negative");
    }
    return null;
  }

  private static DecodeError unknownType() {
    // A type this reader cannot interpret must reach the dead-letter topic, not vanish.
    return invalid("type is UNKNOWN: a type this reader does not know, or a producer bug");
  }

  private static DecodeError invalid(String message) {
    return new DecodeError(Reason.INVALID_VALUE, message);
  }

  /** Whether {@code s} is a UUID in its canonical 8-4-4-4-12 hex form (either case). */
  static boolean isUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  /** Shows a bad value in a message without copying a huge or multi-line one into the DLQ. */
  static String quote(String value) {
    String shown = Text.shorten(value, 64);
    StringBuilder out = new StringBuilder(shown.length() + 2).append('\'');
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('\'').toString();
  }

  /** The string rules of one record type, derived once from its schema. */
  private static final class Plan {
    private final int[] index;
    private final String[] name;
    private final int[] maxChars;

    /** Required: declared without a default, so the producer must say something. */
    private final boolean[] required;

    private final int eventIdIndex;
    private final int eventTimeIndex;

    private Plan(List<Schema.Field> strings, int eventIdIndex, int eventTimeIndex) {
      int n = strings.size();
      index = new int[n];
      name = new String[n];
      maxChars = new int[n];
      required = new boolean[n];
      for (int i = 0; i < n; i++) {
        Schema.Field f = strings.get(i);
        index[i] = f.pos();
        name[i] = f.name();
        maxChars[i] = maxChars(f.name());
        required[i] = f.schema().getType() == Schema.Type.STRING && !f.hasDefaultValue();
      }
      this.eventIdIndex = eventIdIndex;
      this.eventTimeIndex = eventTimeIndex;
    }

    static Plan of(Schema schema) {
      List<Schema.Field> strings = new ArrayList<>();
      for (Schema.Field f : schema.getFields()) {
        Schema s = f.schema();
        boolean nullableString =
            s.getType() == Schema.Type.UNION
                && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.STRING);
        if (s.getType() == Schema.Type.STRING || nullableString) {
          strings.add(f);
        }
      }
      Schema.Field id = schema.getField("event_id");
      Schema.Field time = schema.getField("event_time");
      return new Plan(strings, id == null ? -1 : id.pos(), time == null ? -1 : time.pos());
    }

    DecodeError checkStrings(SpecificRecord event) {
      for (int i = 0; i < index.length; i++) {
        Object v = event.get(index[i]);
        if (v == null) {
          if (required[i]) {
            return new DecodeError(Reason.MISSING_FIELD, name[i] + " is missing");
          }
          continue;
        }
        String s = v.toString();
        if (s.length() > maxChars[i]) {
          return new DecodeError(
              Reason.OVERSIZED,
              name[i]
                  + " has "
                  + s.length()
                  + " chars, over its limit of "
                  + maxChars[i]
                  + ": "
                  + quote(s));
        }
        if (required[i] && s.isEmpty()) {
          return new DecodeError(Reason.MISSING_FIELD, name[i] + " is empty");
        }
        if (index[i] == eventIdIndex && !isUuid(s)) {
          return invalid("event_id " + quote(s) + " is not a UUID (8-4-4-4-12 hex digits)");
        }
      }
      return null;
    }
  }
}
