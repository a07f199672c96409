package dev.pulse.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The simulated platform: from a {@link SimulationConfig} it produces, lazily and in event-time
 * order, every event of the chosen domains (memory stays proportional to the sessions and views
 * alive at once), and the delivered records with the configured faults. Each call starts over from
 * the seed, so every iteration yields the same sequence.
 */
public final class Simulator {

  private final SimulationConfig config;

  public Simulator(SimulationConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public SimulationConfig config() {
    return config;
  }

  /** The tenants (institutions) this run simulates, by id, in a fixed order. */
  public List<String> tenantIds() {
    return new PlatformModel(config).tenants.stream().map(PlatformModel.Tenant::id).toList();
  }

  /**
   * Whether most of {@code tenantId}'s viewers are where the simulated slow CDN is (cloudfront in
   * ap-south): the tenant whose QoE breakdown shows it on top.
   */
  public boolean viewersNearTheSlowCdn(String tenantId) {
    return new PlatformModel(config)
        .tenants.stream()
            .anyMatch(
                t ->
                    t.id().equals(tenantId)
                        && PlaybackViews.cdnRegionFactor("cloudfront", t.region())
                            > 2 * PlaybackViews.cdnRegionFactor("akamai", t.region()));
  }

  /** The course ids of {@code tenantId}, in a fixed order (empty for a tenant not simulated). */
  public List<String> courseIds(String tenantId) {
    return new PlatformModel(config)
        .tenants.stream()
            .filter(t -> t.id().equals(tenantId))
            .flatMap(t -> t.courses().stream())
            .map(PlatformModel.Course::id)
            .toList();
  }

  /**
   * The course ids of {@code tenantId} by the time of their Monday class (every course has one),
   * earliest first: with a school-day start, the first simulated day's classes in that order.
   */
  public List<String> courseIdsByFirstClass(String tenantId) {
    return new PlatformModel(config)
        .tenants.stream()
            .filter(t -> t.id().equals(tenantId))
            .flatMap(t -> t.courses().stream())
            .sorted(java.util.Comparator.comparing(Simulator::mondayClass))
            .map(PlatformModel.Course::id)
            .toList();
  }

  /** The earliest Monday class of any course: the first class of a simulated Monday. */
  public java.time.LocalTime firstClassOfTheDay() {
    return new PlatformModel(config)
        .tenants.stream()
            .flatMap(t -> t.courses().stream())
            .map(Simulator::mondayClass)
            .min(java.util.Comparator.naturalOrder())
            .orElse(PlatformModel.PERIODS[0]);
  }

  /** The earliest Monday class of {@code tenantId}'s courses (null for a tenant not simulated). */
  public java.time.LocalTime firstClassOfTheDay(String tenantId) {
    return new PlatformModel(config)
        .tenants.stream()
            .filter(t -> t.id().equals(tenantId))
            .flatMap(t -> t.courses().stream())
            .map(Simulator::mondayClass)
            .min(java.util.Comparator.naturalOrder())
            .orElse(null);
  }

  /** The first period of the timetable: where a school-day start puts it. */
  public static java.time.LocalTime firstPeriod() {
    return PlatformModel.PERIODS[0];
  }

  private static java.time.LocalTime mondayClass(PlatformModel.Course course) {
    return course.timetable().stream()
        .filter(slot -> slot.day() == java.time.DayOfWeek.MONDAY)
        .map(PlatformModel.Slot::start)
        .min(java.util.Comparator.naturalOrder())
        .orElse(java.time.LocalTime.MAX);
  }

  /** The incidents this run injects, to know when errors and slowness are expected. */
  public List<Incident> incidents() {
    return config.incidents();
  }

  /**
   * The original events, time-ordered (ties in a fixed order), ending at the configured end or
   * after the configured count, whichever comes first.
   */
  public Iterator<SimulatedEvent> events() {
    PlatformModel platform = new PlatformModel(config);
    List<EventSource> sources = new ArrayList<>();
    for (Domain d : config.domains()) { // EnumSet: declaration order, so the tie-break is fixed
      sources.add(
          switch (d) {
            case API -> new ApiTraffic(config, platform);
            case CLASSROOM -> new ClassroomSessions(config, platform);
            case PLAYBACK -> new PlaybackViews(config, platform);
            case PROBES -> new ProbeChecks(config);
          });
    }
    EventSource merged = EventSource.merge(sources);
    long endMs = config.end() == null ? Long.MAX_VALUE : config.end().toEpochMilli();
    long max = config.maxEvents() == 0 ? Long.MAX_VALUE : config.maxEvents();
    return new Iterator<>() {
      private long produced;

      @Override
      public boolean hasNext() {
        return produced < max && merged.peekTime() < endMs;
      }

      @Override
      public SimulatedEvent next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        produced++;
        return merged.next();
      }
    };
  }

  /** {@link #events()} as a sequential stream. */
  public Stream<SimulatedEvent> eventStream() {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(events(), Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /** The delivered records: the events with the configured faults applied, and their counts. */
  public RecordStream records() {
    return new RecordStream(new FaultInjector(events(), config.faults(), config.seed()));
  }

  /** The delivered records of one run, with a live count of what was delivered so far. */
  public static final class RecordStream implements Iterator<SimulatedRecord> {
    private final FaultInjector injector;

    private RecordStream(FaultInjector injector) {
      this.injector = injector;
    }

    @Override
    public boolean hasNext() {
      return injector.hasNext();
    }

    @Override
    public SimulatedRecord next() {
      return injector.next();
    }

    /** What has been delivered so far (everything, once the iterator is exhausted). */
    public FaultReport report() {
      return injector.report();
    }
  }
}
