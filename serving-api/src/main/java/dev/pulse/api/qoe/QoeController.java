package dev.pulse.api.qoe;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.qoe.Qoe.Breakdown;
import dev.pulse.api.qoe.Qoe.CourseVideo;
import dev.pulse.api.qoe.Qoe.Point;
import dev.pulse.api.qoe.Qoe.Series;
import dev.pulse.api.qoe.Qoe.VideoEngagement;
import dev.pulse.api.qoe.Qoe.View;
import dev.pulse.api.security.Caller;
import dev.pulse.api.security.CourseScope;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Role;
import dev.pulse.api.series.Granularity;
import dev.pulse.api.series.SeriesPlanner;
import dev.pulse.api.series.SeriesWindow;
import dev.pulse.api.support.InvalidArgumentException;
import dev.pulse.api.support.StringArguments;
import dev.pulse.api.support.TimeRanges;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/**
 * GraphQL entry points for video quality of experience (qoe.graphqls): the tenant's QoE for SREs,
 * analysts and operators (the tenant from the token, never an argument), and their courses' videos
 * for educators (through a {@link CourseScope}). Arguments are checked here, then the {@link
 * QoeRepository} reads.
 */
@Controller
public class QoeController {

  /** Who reads the tenant's QoE: as service metrics, not educators. */
  static final Set<Role> READERS = Set.of(Role.SRE, Role.ANALYST, Role.OPERATOR);

  private static final String QOE = "video quality of experience";
  private static final String VIDEOS = "course videos";
  static final int DEFAULT_ROWS = 20;
  static final int MAX_ROWS = 1000;

  private final QoeRepository repository;
  private final SeriesPlanner planner;
  private final LiveQoe live;
  private final Duration maxRange;

  public QoeController(
      QoeRepository repository,
      SeriesPlanner planner,
      LiveQoe live,
      PulseApiProperties properties) {
    this.repository = repository;
    this.planner = planner;
    this.live = live;
    this.maxRange = Duration.ofDays(properties.limits().maxRangeDays());
  }

  @QueryMapping
  public Series qoeSeries(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument QoeFilter filter,
      @Argument Instant from,
      @Argument Instant to,
      @Argument Granularity granularity) {
    caller.require(QOE, READERS);
    QoeSelection selection = new QoeSelection(caller.tenant(), filter);
    SeriesWindow window = planner.plan(from, to, granularity);
    return new Series(
        selection.filter(),
        window.from(),
        window.to(),
        window.granularity(),
        repository.series(selection, window, operation));
  }

  @QueryMapping
  public Breakdown qoeBreakdown(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument List<QoeDimension> by,
      @Argument QoeFilter filter,
      @Argument Instant from,
      @Argument Instant to,
      @Argument QoeSort sort,
      @Argument Integer limit) {
    caller.require(QOE, READERS);
    if (by.isEmpty() || new HashSet<>(by).size() != by.size()) {
      throw new InvalidArgumentException("by must name one or more distinct dimensions");
    }
    int rows = limit == null ? DEFAULT_ROWS : limit;
    if (rows < 1 || rows > MAX_ROWS) {
      throw new InvalidArgumentException("limit must be within 1 .. " + MAX_ROWS);
    }
    QoeSelection selection = new QoeSelection(caller.tenant(), filter);
    // The coarsest table that serves the range in whole buckets, as a series would choose.
    SeriesWindow window = planner.plan(from, to, null);
    return QoeBreakdowns.rank(
        by,
        selection.filter(),
        window,
        repository.combinations(selection, by, window, operation),
        sort == null ? QoeSort.IMPACT : sort,
        rows);
  }

  @QueryMapping
  public View playbackView(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String id) {
    caller.require(QOE, READERS);
    return repository.view(
        new QoeSelection(caller.tenant(), null), StringArguments.check("id", id), operation);
  }

  @SubscriptionMapping
  public Flux<Point> qoeMinutes(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller, @Argument QoeFilter filter) {
    caller.require(QOE, READERS);
    return live.updates(new QoeSelection(caller.tenant(), filter));
  }

  @QueryMapping
  public List<CourseVideo> courseVideos(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String course,
      @Argument Instant from,
      @Argument Instant to) {
    CourseScope scope = CourseScope.one(caller, VIDEOS, course);
    TimeRanges.check(from, to, maxRange);
    return repository.courseVideos(scope, null, from, to, operation);
  }

  @QueryMapping
  public VideoEngagement courseVideo(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String course,
      @Argument String video,
      @Argument Instant from,
      @Argument Instant to) {
    CourseScope scope = CourseScope.one(caller, VIDEOS, course);
    StringArguments.check("video", video);
    TimeRanges.check(from, to, maxRange);
    List<CourseVideo> totals = repository.courseVideos(scope, video, from, to, operation);
    return new VideoEngagement(
        scope.course(),
        video,
        from,
        to,
        totals.isEmpty() ? new CourseVideo(video, 0, 0, 0, 0, 0, null) : totals.get(0),
        repository.exits(scope, video, from, to, operation));
  }
}
