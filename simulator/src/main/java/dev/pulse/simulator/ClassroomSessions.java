package dev.pulse.simulator;

import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.ClassroomEventType;
import dev.pulse.events.ClassroomRole;
import dev.pulse.events.topics.Topics;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The classroom domain: every course's timetabled live sessions, day by day. A session is started
 * by its instructor; learners join late (most within minutes, some much later), send a heartbeat
 * every 30 s while present, drift out of focus and back, chat, raise hands, answer the instructor's
 * polls and react; some leave early, a few vanish without LEFT (their heartbeats just stop), and
 * the instructor ends the session last.
 */
final class ClassroomSessions extends EventSource.Merged {

  static final long HEARTBEAT_MS = 30_000;

  /** An instructor starts at most this long before the timetabled time. */
  static final long EARLIEST_START_MS = 120_000;

  private record Planned(PlatformModel.Course course, LocalDate date, int slot, long scheduledMs) {
    long spawnAt() {
      return scheduledMs - EARLIEST_START_MS;
    }
  }

  private final SimulationConfig config;
  private final PlatformModel platform;
  private final long startMs;
  private final ArrayDeque<Planned> today = new ArrayDeque<>();
  private LocalDate nextDay;

  ClassroomSessions(SimulationConfig config, PlatformModel platform) {
    this.config = config;
    this.platform = platform;
    this.startMs = config.start().toEpochMilli();
    this.nextDay = config.start().atZone(ZoneOffset.UTC).toLocalDate();
  }

  @Override
  protected long nextSpawnTime() {
    // Weekends have no classes; at most a week of empty days is skipped before giving up.
    for (int guard = 0; today.isEmpty() && guard < 8; guard++) {
      planDay(nextDay);
      nextDay = nextDay.plusDays(1);
    }
    return today.isEmpty() ? EXHAUSTED : today.peek().spawnAt();
  }

  private void planDay(LocalDate date) {
    List<Planned> planned = new ArrayList<>();
    // With a school-day start (the demo), the first day is a Monday whose first period starts then.
    LocalDate firstDay = config.start().atZone(ZoneOffset.UTC).toLocalDate();
    DayOfWeek weekday =
        config.schoolDayStart() == null
            ? date.getDayOfWeek()
            : DayOfWeek.MONDAY.plus(ChronoUnit.DAYS.between(firstDay, date));
    long shiftMs =
        config.schoolDayStart() == null
            ? 0
            : config.schoolDayStart().toEpochMilli()
                - firstDay
                    .atTime(PlatformModel.PERIODS[0])
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
    for (PlatformModel.Tenant tenant : platform.tenants) {
      for (PlatformModel.Course course : tenant.courses()) {
        for (int s = 0; s < course.timetable().size(); s++) {
          PlatformModel.Slot slot = course.timetable().get(s);
          if (slot.day() == weekday) {
            long scheduled =
                date.atTime(slot.start()).toInstant(ZoneOffset.UTC).toEpochMilli() + shiftMs;
            // A session whose earliest event would precede the simulation is left out whole.
            if (scheduled - EARLIEST_START_MS >= startMs) {
              planned.add(new Planned(course, date, s, scheduled));
            }
          }
        }
      }
    }
    planned.sort(Comparator.comparingLong(Planned::scheduledMs)); // stable: tenant, course order
    today.addAll(planned);
  }

  @Override
  protected EventSource spawn() {
    Planned p = today.poll();
    return EventSource.ofList(new Session(p).generate());
  }

  /** One live session's events, generated from the session's own random stream. */
  private final class Session {
    private final PlatformModel.Course course;
    private final PlatformModel.Slot slot;
    private final long scheduled;
    private final String sessionId;
    private final SplittableRandom r;
    private final List<SimulatedEvent> out = new ArrayList<>();

    Session(Planned p) {
      this.course = p.course();
      this.slot = course.timetable().get(p.slot());
      this.scheduled = p.scheduledMs();
      this.sessionId =
          String.format(
              "s-%s-%s-%02d%02d",
              course.id().substring(2),
              p.date().toString().replace("-", ""),
              slot.start().getHour(),
              slot.start().getMinute());
      this.r =
          Seeds.random(
              config.seed(),
              "classroom-session",
              course.tenantIndex(),
              course.index(),
              p.date().toEpochDay(),
              p.slot());
    }

    List<SimulatedEvent> generate() {
      long start = scheduled + Seeds.between(r, -EARLIEST_START_MS, 180_000);
      long end = scheduled + slot.minutes() * 60_000L + Seeds.between(r, -120_000, 300_000);
      String instructor = course.instructorId();
      emit(
          start,
          instructor,
          ClassroomRole.INSTRUCTOR,
          ClassroomEventType.SESSION_STARTED,
          "desktop");
      emit(
          start + Seeds.between(r, 2_000, 10_000),
          instructor,
          ClassroomRole.INSTRUCTOR,
          ClassroomEventType.MIC_ON,
          "desktop");
      emit(
          start + Seeds.between(r, 2_000, 15_000),
          instructor,
          ClassroomRole.INSTRUCTOR,
          ClassroomEventType.CAMERA_ON,
          "desktop");

      int polls = 1 + r.nextInt(3);
      long[] pollTimes = new long[polls];
      for (int i = 0; i < polls; i++) {
        pollTimes[i] = Seeds.between(r, start + 5 * 60_000, end - 5 * 60_000);
      }

      for (PlatformModel.Learner learner : course.roster()) {
        if (!Seeds.chance(r, learner.attendance())) {
          continue;
        }
        // Most arrive within a couple of minutes; a quarter straggle in 3-15 minutes late.
        long lateness =
            Seeds.chance(r, 0.75)
                ? Math.round(Seeds.exponential(r, 90_000))
                : Seeds.between(r, 180_000, 900_000);
        long join = start + 1_000 + lateness;
        if (join >= end - 60_000) {
          continue;
        }
        double u = r.nextDouble();
        if (u < 0.12) {
          // Leaves early.
          long leave = Seeds.between(r, join + 60_000, Math.max(join + 60_001, end - 120_000));
          presence(learner, join, Math.min(leave, end - 5_000), true, pollTimes);
        } else if (u < 0.16) {
          // Network drop: heartbeats stop without LEFT; some come back a few minutes later.
          long drop = Seeds.between(r, join + 30_000, end - 30_000);
          presence(learner, join, drop, false, pollTimes);
          long rejoin = drop + Seeds.between(r, 60_000, 180_000);
          if (Seeds.chance(r, 0.4) && rejoin < end - 60_000) {
            presence(learner, rejoin, end, false, pollTimes);
          }
        } else if (Seeds.chance(r, 0.5)) {
          // Stays to the end and closes the tab in the last two minutes.
          presence(learner, join, end - Seeds.between(r, 5_000, 120_000), true, pollTimes);
        } else {
          // Stays until the instructor ends the session (no LEFT).
          presence(learner, join, end, false, pollTimes);
        }
      }
      emit(end, instructor, ClassroomRole.INSTRUCTOR, ClassroomEventType.SESSION_ENDED, "desktop");
      return out;
    }

    /** One stay of a learner: events strictly inside [join, leave), plus LEFT at leave if asked. */
    private void presence(
        PlatformModel.Learner l, long join, long leave, boolean left, long[] polls) {
      ClassroomRole role = ClassroomRole.LEARNER;
      String dev = l.device();
      emit(join, l.id(), role, ClassroomEventType.JOINED, dev);
      for (long hb = join + HEARTBEAT_MS; hb < leave; hb += HEARTBEAT_MS) {
        emit(hb, l.id(), role, ClassroomEventType.HEARTBEAT, dev);
      }
      // Attention: focused stretches (longer for attentive learners) broken by blurred ones.
      long t = join;
      while (true) {
        t += 1 + Math.round(Seeds.exponential(r, 480_000 * l.attentiveness()));
        if (t >= leave) {
          break;
        }
        emit(t, l.id(), role, ClassroomEventType.BLUR, dev);
        t += 1 + Math.round(Seeds.exponential(r, 40_000 / l.attentiveness()));
        if (t >= leave) {
          break;
        }
        emit(t, l.id(), role, ClassroomEventType.FOCUS, dev);
      }
      if (Seeds.chance(r, 0.35)) {
        long on = join + Seeds.between(r, 2_000, 30_000);
        if (on < leave) {
          emit(on, l.id(), role, ClassroomEventType.CAMERA_ON, dev);
          if (Seeds.chance(r, 0.3)) {
            long off = Seeds.between(r, on + 1, Math.max(on + 2, leave));
            if (off < leave) {
              emit(off, l.id(), role, ClassroomEventType.CAMERA_OFF, dev);
            }
          }
        }
      }
      interactions(l, join, leave, 0.04, ClassroomEventType.CHAT_MESSAGE);
      interactions(l, join, leave, 0.03, ClassroomEventType.REACTION);
      for (long h : interactions(l, join, leave, 0.008, ClassroomEventType.HAND_RAISED)) {
        // Called on: the learner unmutes to speak, then mutes again.
        if (Seeds.chance(r, 0.5)) {
          long on = h + Seeds.between(r, 5_000, 20_000);
          long off = on + Seeds.between(r, 10_000, 60_000);
          if (off < leave) {
            emit(on, l.id(), role, ClassroomEventType.MIC_ON, dev);
            emit(off, l.id(), role, ClassroomEventType.MIC_OFF, dev);
          }
        }
      }
      for (long p : polls) {
        if (p >= join && p < leave && Seeds.chance(r, 0.8)) {
          long answer = p + Seeds.between(r, 5_000, 40_000);
          if (answer < leave) {
            emit(answer, l.id(), role, ClassroomEventType.POLL_ANSWERED, dev);
          }
        }
      }
      if (left) {
        emit(leave, l.id(), role, ClassroomEventType.LEFT, dev);
      }
    }

    /** A Poisson stream of one interaction at {@code perMinute} x the learner's activity. */
    private List<Long> interactions(
        PlatformModel.Learner l, long from, long until, double perMinute, ClassroomEventType type) {
      List<Long> times = new ArrayList<>();
      double mean = 60_000 / (perMinute * l.activity());
      long t = from;
      while ((t += 1 + Math.round(Seeds.exponential(r, mean))) < until) {
        emit(t, l.id(), ClassroomRole.LEARNER, type, l.device());
        times.add(t);
      }
      return times;
    }

    private void emit(
        long t, String user, ClassroomRole role, ClassroomEventType type, String device) {
      String app =
          switch (device) {
            case "phone" -> "classroom-mobile 4.2.0";
            case "tablet" -> "classroom-tablet 4.2.0";
            default -> "classroom-web 7.3.1";
          };
      ClassroomEvent e =
          ClassroomEvent.newBuilder()
              .setEventId(Seeds.uuid(r))
              .setTenantId(course.tenantId())
              .setEventTime(Instant.ofEpochMilli(t))
              .setCourseId(course.id())
              .setSessionId(sessionId)
              .setUserId(user)
              .setRole(role)
              .setType(type)
              .setDevice(device)
              .setRegion(course.region())
              .setAppVersion(app)
              .build();
      out.add(SimulatedEvent.of(Topics.CLASSROOM, e, t));
    }
  }
}
