package dev.pulse.simulator;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.HttpMethod;
import dev.pulse.events.topics.Topics;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The API domain: requests to the platform's services arriving as a Poisson process whose rate
 * follows the school-day curve, each with a route template, a status drawn from a realistic mix and
 * a log-normal latency per endpoint, bent by the configured incidents.
 */
final class ApiTraffic implements EventSource {

  /** One route of one service, with its share of traffic and its median latency. */
  record Endpoint(
      String service, String route, HttpMethod method, double weight, double medianMs) {}

  static final List<Endpoint> ENDPOINTS =
      List.of(
          new Endpoint("auth-api", "/auth/token", HttpMethod.POST, 8, 25),
          new Endpoint("auth-api", "/auth/session", HttpMethod.GET, 10, 5),
          new Endpoint("courses-api", "/courses", HttpMethod.GET, 6, 40),
          new Endpoint("courses-api", "/courses/{courseId}", HttpMethod.GET, 10, 20),
          new Endpoint("courses-api", "/courses/{courseId}/sessions", HttpMethod.GET, 6, 35),
          new Endpoint("courses-api", "/courses/{courseId}", HttpMethod.PUT, 1, 60),
          new Endpoint("sessions-api", "/sessions/{sessionId}/join", HttpMethod.POST, 5, 50),
          new Endpoint("sessions-api", "/sessions/{sessionId}", HttpMethod.GET, 8, 15),
          new Endpoint("sessions-api", "/sessions/{sessionId}/heartbeat", HttpMethod.POST, 20, 4),
          new Endpoint(
              "sessions-api",
              "/sessions/{sessionId}/participants/{userId}",
              HttpMethod.DELETE,
              0.5,
              30),
          new Endpoint("video-api", "/videos/{videoId}", HttpMethod.GET, 6, 18),
          new Endpoint("video-api", "/videos/{videoId}/manifest", HttpMethod.GET, 10, 12),
          new Endpoint("video-api", "/videos/{videoId}/progress", HttpMethod.POST, 10, 8),
          new Endpoint("grades-api", "/courses/{courseId}/grades", HttpMethod.GET, 3, 80),
          new Endpoint(
              "grades-api", "/assignments/{assignmentId}/submissions", HttpMethod.POST, 1.5, 150),
          new Endpoint("grades-api", "/grades/{gradeId}", HttpMethod.PATCH, 0.5, 45));

  static final List<String> SERVICES =
      List.of("auth-api", "courses-api", "sessions-api", "video-api", "grades-api");

  private static final double[] ENDPOINT_WEIGHTS =
      ENDPOINTS.stream().mapToDouble(Endpoint::weight).toArray();

  /**
   * Baseline shares outside incidents. 5xx: 0.04 %, well inside the example SLOs' 99.9 % (a burn
   * rate of 0.4), so they alert for the incidents only.
   */
  static final double BASE_5XX = 0.0004;

  static final double BASE_4XX = 0.02;

  private static final int[] CODES_4XX = {400, 401, 403, 404, 409, 429};
  private static final double[] WEIGHTS_4XX = {0.15, 0.15, 0.10, 0.45, 0.05, 0.10};
  private static final int[] CODES_5XX = {500, 502, 503, 504};
  private static final double[] WEIGHTS_5XX = {0.5, 0.2, 0.2, 0.1};

  private static final long TIMEOUT_US = 30_000_000;

  private final SimulationConfig config;
  private final PlatformModel platform;
  private final SplittableRandom r;
  private final double meanGapMs;
  private double clock;
  private long nextTime;

  ApiTraffic(SimulationConfig config, PlatformModel platform) {
    this.config = config;
    this.platform = platform;
    this.r = Seeds.random(config.seed(), "api");
    this.meanGapMs = 60_000.0 / config.apiRequestsPerMinute();
    this.clock = config.start().toEpochMilli();
    advance();
  }

  /** Thinning: candidates at the peak rate, each kept with probability load(t). */
  private void advance() {
    do {
      clock += Seeds.exponential(r, meanGapMs);
    } while (r.nextDouble() >= LoadCurve.school((long) clock));
    nextTime = (long) clock;
  }

  @Override
  public long peekTime() {
    return nextTime;
  }

  @Override
  public SimulatedEvent next() {
    long t = nextTime;
    PlatformModel.Tenant tenant = platform.pickTenant(r);
    Endpoint ep = ENDPOINTS.get(Seeds.pick(r, ENDPOINT_WEIGHTS));
    // Mostly served in the tenant's home region; some traffic fails over or is routed elsewhere.
    String region =
        Seeds.chance(r, 0.9)
            ? tenant.region()
            : PlatformModel.REGIONS[r.nextInt(PlatformModel.REGIONS.length)];

    double share5xx = BASE_5XX;
    double latencyFactor = 1.0;
    boolean outage = false;
    for (Incident inc : config.incidents()) {
      if (inc.activeAt(t) && inc.affects(ep.service(), ep.route())) {
        switch (inc.kind()) {
          case ERROR_SPIKE -> share5xx = Math.max(share5xx, inc.magnitude());
          case LATENCY_REGRESSION -> latencyFactor *= inc.magnitude();
          case OUTAGE -> outage = true;
        }
      }
    }
    // Busy hours are a little slower.
    double load = LoadCurve.school(t);
    double medianUs = ep.medianMs() * 1000 * latencyFactor * (1 + 0.3 * load);
    int status;
    long latencyUs;
    double u = r.nextDouble();
    if (outage) {
      status = u < 0.9 ? 503 : 504;
      latencyUs = status == 504 ? TIMEOUT_US : Math.round(Seeds.logNormal(r, 1500, 0.4));
    } else if (u < share5xx) {
      status = CODES_5XX[Seeds.pick(r, WEIGHTS_5XX)];
      latencyUs = status == 504 ? TIMEOUT_US : Math.round(Seeds.logNormal(r, medianUs, 0.8));
    } else if (u < share5xx + BASE_4XX) {
      status = CODES_4XX[Seeds.pick(r, WEIGHTS_4XX)];
      latencyUs = Math.round(Seeds.logNormal(r, medianUs * 0.4, 0.5));
    } else {
      status = ep.method() == HttpMethod.POST ? 201 : ep.method() == HttpMethod.DELETE ? 204 : 200;
      latencyUs = Math.round(Seeds.logNormal(r, medianUs, 0.55));
    }
    latencyUs = Math.max(50, Math.min(TIMEOUT_US, latencyUs));

    ApiRequestEvent event =
        ApiRequestEvent.newBuilder()
            .setEventId(Seeds.uuid(r))
            .setTenantId(tenant.id())
            .setEventTime(Instant.ofEpochMilli(t))
            .setService(ep.service())
            .setEndpoint(ep.route())
            .setMethod(ep.method())
            .setStatusCode(status)
            .setLatencyUs(latencyUs)
            .setRegion(region)
            .setTraceId(Seeds.chance(r, 0.2) ? Seeds.traceId(r) : null)
            .build();
    advance();
    return SimulatedEvent.of(Topics.API_REQUESTS, event, t);
  }
}
