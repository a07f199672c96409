package dev.pulse.api.engagement;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.engagement.Engagement.AtRiskLearner;
import dev.pulse.api.engagement.Engagement.ClassSession;
import dev.pulse.api.engagement.Engagement.Course;
import dev.pulse.api.engagement.Engagement.CourseOverview;
import dev.pulse.api.engagement.Engagement.LearnerSession;
import dev.pulse.api.engagement.Engagement.SessionMinute;
import dev.pulse.api.security.Caller;
import dev.pulse.api.security.CourseScope;
import dev.pulse.api.security.Operation;
import dev.pulse.api.support.StringArguments;
import dev.pulse.api.support.TimeRanges;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/**
 * GraphQL entry points for classroom engagement (engagement.graphqls), for educators: each makes
 * its {@link CourseScope} from the caller first, so a course argument outside the token's courses
 * is refused before any query, and delegates to the {@link EngagementRepository}.
 */
@Controller
public class EngagementController {

  private static final String ENGAGEMENT = "classroom engagement";

  private final EngagementRepository repository;
  private final LiveSessionMinutes live;
  private final Duration maxRange;

  public EngagementController(
      EngagementRepository repository, LiveSessionMinutes live, PulseApiProperties properties) {
    this.repository = repository;
    this.live = live;
    this.maxRange = Duration.ofDays(properties.limits().maxRangeDays());
  }

  @QueryMapping
  public List<Course> courses(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation) {
    return repository.courses(CourseScope.all(caller, ENGAGEMENT), operation);
  }

  @QueryMapping
  public CourseOverview course(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String id,
      @Argument Instant from,
      @Argument Instant to) {
    CourseScope scope = CourseScope.one(caller, ENGAGEMENT, id);
    TimeRanges.check(from, to, maxRange);
    return repository.course(scope, from, to, operation);
  }

  @QueryMapping
  public ClassSession classSession(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String course,
      @Argument String session) {
    CourseScope scope = CourseScope.one(caller, ENGAGEMENT, course);
    return repository.session(scope, StringArguments.check("session", session), operation);
  }

  @SubscriptionMapping
  public Flux<SessionMinute> classSessionMinutes(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @Argument String course,
      @Argument String session) {
    CourseScope scope = CourseScope.one(caller, ENGAGEMENT, course);
    return live.minutes(scope, StringArguments.check("session", session));
  }

  @QueryMapping
  public List<AtRiskLearner> atRiskLearners(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String course) {
    return repository.atRisk(CourseScope.one(caller, ENGAGEMENT, course), operation);
  }

  @QueryMapping
  public List<LearnerSession> learnerHistory(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument String course,
      @Argument String learner) {
    CourseScope scope = CourseScope.one(caller, ENGAGEMENT, course);
    return repository.learnerHistory(scope, StringArguments.check("learner", learner), operation);
  }
}
