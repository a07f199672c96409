package dev.pulse.simulator;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated platform's fixed world: institutions, their courses with weekly timetables and
 * video catalogues, and learners with persistent habits (device, attendance, attention). Built from
 * its own derived seed, so every domain sees the same world whichever domains run.
 */
final class PlatformModel {

  static final String[] REGIONS = {"eu-west", "us-east", "ap-south"};

  private static final String[] TENANT_NAMES = {
    "northfield-academy", "riverside-college", "oakmont-school", "lakeview-institute",
    "hillcrest-university", "brookside-high", "westbridge-college", "eastport-academy"
  };

  /** The class periods of a school day (UTC), each 50 minutes. */
  static final LocalTime[] PERIODS = {
    LocalTime.of(8, 0),
    LocalTime.of(9, 0),
    LocalTime.of(10, 0),
    LocalTime.of(11, 0),
    LocalTime.of(13, 0),
    LocalTime.of(14, 0),
    LocalTime.of(15, 0)
  };

  static final int PERIOD_MINUTES = 50;

  private static final String[] DEVICES = {"laptop", "desktop", "tablet", "phone"};
  private static final double[] DEVICE_WEIGHTS = {0.45, 0.20, 0.15, 0.20};

  /** A learner and the habits that make their data tell a story. */
  record Learner(
      String id,
      int index,
      String device,
      boolean android,
      double attendance,
      double attentiveness,
      double activity) {}

  record Video(String id, long durationMs) {}

  /** A weekly class meeting: the day, the period's start time and its length. */
  record Slot(DayOfWeek day, LocalTime start, int minutes) {}

  record Course(
      String id,
      int index,
      String tenantId,
      int tenantIndex,
      String region,
      String instructorId,
      List<Learner> roster,
      List<Slot> timetable,
      List<Video> videos) {}

  record Tenant(String id, int index, String region, double weight, List<Course> courses) {}

  final List<Tenant> tenants = new ArrayList<>();
  final double[] tenantWeights;

  PlatformModel(SimulationConfig config) {
    tenantWeights = new double[config.tenants()];
    for (int t = 0; t < config.tenants(); t++) {
      SplittableRandom r = Seeds.random(config.seed(), "platform-tenant", t);
      String tenantId =
          t < TENANT_NAMES.length ? TENANT_NAMES[t] : String.format("school-%03d", t + 1);
      String region = REGIONS[t % REGIONS.length];
      // Zipf-like sizes: a few large institutions and a tail of small ones.
      double weight = 1.0 / StrictMath.pow(t + 1, 0.8);
      tenantWeights[t] = weight;

      int pool =
          Math.max(
              config.learnersPerCourse(),
              config.learnersPerCourse() * config.coursesPerTenant() / 2);
      List<Learner> learners = new ArrayList<>(pool);
      for (int l = 0; l < pool; l++) {
        String device = DEVICES[Seeds.pick(r, DEVICE_WEIGHTS)];
        // About one learner in eight is chronically absent: the at-risk signal.
        boolean absentee = Seeds.chance(r, 0.12);
        double attendance = absentee ? 0.15 + 0.25 * r.nextDouble() : 0.85 + 0.13 * r.nextDouble();
        double attentiveness = 0.4 + 0.55 * r.nextDouble();
        double activity = Seeds.logNormal(r, 1.0, 0.6);
        learners.add(
            new Learner(
                String.format("u-%s-%04d", tenantId, l + 1),
                l,
                device,
                r.nextBoolean(),
                attendance,
                attentiveness,
                activity));
      }

      List<Course> courses = new ArrayList<>();
      for (int c = 0; c < config.coursesPerTenant(); c++) {
        String courseId = String.format("c-%s-%02d", tenantId, c + 1);
        // Overlapping windows of the pool: each learner takes about two courses.
        List<Learner> roster = new ArrayList<>(config.learnersPerCourse());
        for (int j = 0; j < config.learnersPerCourse(); j++) {
          roster.add(learners.get((c * config.learnersPerCourse() / 2 + j) % pool));
        }
        List<Slot> timetable = timetable(r);
        List<Video> videos = new ArrayList<>();
        for (int v = 0; v < config.videosPerCourse(); v++) {
          long minutes = Math.max(3, Math.min(60, Math.round(Seeds.logNormal(r, 18, 0.5))));
          videos.add(
              new Video(
                  String.format("v-%s-%02d", courseId.substring(2), v + 1),
                  minutes * 60_000 + Seeds.between(r, 0, 60_000)));
        }
        courses.add(
            new Course(
                courseId,
                c,
                tenantId,
                t,
                region,
                String.format("i-%s-%02d", tenantId, c + 1),
                List.copyOf(roster),
                timetable,
                List.copyOf(videos)));
      }
      tenants.add(new Tenant(tenantId, t, region, weight, List.copyOf(courses)));
    }
  }

  /** Three meetings a week on three different weekdays, each in a random period. */
  private static List<Slot> timetable(SplittableRandom r) {
    List<DayOfWeek> days =
        new ArrayList<>(
            List.of(
                DayOfWeek.MONDAY,
                DayOfWeek.TUESDAY,
                DayOfWeek.WEDNESDAY,
                DayOfWeek.THURSDAY,
                DayOfWeek.FRIDAY));
    // Drop two weekdays; Monday is kept so the default simulated day has classes in every course.
    days.remove(1 + r.nextInt(days.size() - 1));
    days.remove(1 + r.nextInt(days.size() - 1));
    List<Slot> slots = new ArrayList<>();
    for (DayOfWeek d : days) {
      slots.add(new Slot(d, PERIODS[r.nextInt(PERIODS.length)], PERIOD_MINUTES));
    }
    return List.copyOf(slots);
  }

  Tenant pickTenant(SplittableRandom r) {
    return tenants.get(Seeds.pick(r, tenantWeights));
  }
}
