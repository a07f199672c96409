package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.SqlLiteral;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.Disposable;

/**
 * No caller reads what is not theirs, whatever they send: callers of tenant A (an SRE, an analyst,
 * an operator, an educator) try hundreds of random queries and subscriptions over every argument,
 * with tenant B's service names, injection strings and odd characters, and never see one of tenant
 * B's rows (B's rows carry a signature no sum of A's rows can reach). Then ClickHouse's own query
 * log, an independent record of every statement the API sent during the test, shows each carried
 * the tenant filter of the caller it was sent for.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantIsolationIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int ATTEMPTS = 400;

  /** Tenant B's rows: 1,000 requests each, 7,777 ms max. Tenant A's minutes hold at most 10. */
  private static final int B_REQUESTS = 1000;

  private static final double B_MAX_MS = 7777.0;

  private static TestClickHouse server;
  private static ClickHouse clickHouse;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.live.poll-interval", () -> "200ms");
    // The attempts come fast: the rate limit is not what this test is about.
    registry.add("pulse.limits.requests-per-second", () -> "10000");
    registry.add("pulse.limits.request-burst", () -> "10000");
  }

  @BeforeAll
  static void facts(TestClickHouse ch) {
    server = ch;
    clickHouse = ch.migratedDatabase();
    MinuteFacts facts = new MinuteFacts();
    for (int m = 0; m < 30; m++) {
      String minute = String.format("2026-03-02T10:%02d:00Z", m);
      for (String service : List.of("shared-api", "a-only-api")) {
        facts.row(
            "tenant-a",
            service,
            "/x",
            "GET",
            "eu-west",
            minute,
            MinuteFacts.range(1, 1 + m % 10),
            1,
            0);
      }
      for (String service : List.of("shared-api", "b-only-api")) {
        List<Integer> latencies = new ArrayList<>(MinuteFacts.repeat(5, B_REQUESTS - 1));
        latencies.add((int) B_MAX_MS);
        facts.row("tenant-b", service, "/x", "GET", "eu-west", minute, latencies, 0, 0);
        facts.row("tenant-b", service, "/b-only", "POST", "us-east", minute, latencies, 0, 0);
      }
    }
    facts.insertInto(clickHouse);
    new LateEvents()
        .key("tenant-b", "shared-api", "/x", "GET", "eu-west")
        .event("b-late-1", "2026-03-02T10:05:00Z")
        .insertInto(clickHouse);
    // Classroom facts: the educator's course c1, tenant A's other course c2, tenant B's c1.
    for (String[] s :
        new String[][] {
          {"tenant-a", "c1", "sa1", "a-learner"},
          {"tenant-a", "c2", "sa2", "c2-only-learner"},
          {"tenant-b", "c1", "sb1", "b-only-learner"}
        }) {
      clickHouse.execute(
          "INSERT INTO classroom_sessions (tenant_id, course_id, session_id, session_start,"
              + " session_start_ms, session_end_ms, ended_by, peak_concurrent, learners,"
              + " attended, batch_id) VALUES ('"
              + s[0]
              + "', '"
              + s[1]
              + "', '"
              + s[2]
              + "', '2026-03-02 10:00:00', 1772445600000,"
              + " 1772448300000, 'SESSION_ENDED', 1, 1, 1, 'b')");
      clickHouse.execute(
          "INSERT INTO classroom_learner_sessions (tenant_id, course_id, session_id, user_id,"
              + " session_start, session_start_ms, session_end_ms, attendance_ms, presences,"
              + " attended, score, batch_id) VALUES ('"
              + s[0]
              + "', '"
              + s[1]
              + "', '"
              + s[2]
              + "', '"
              + s[3]
              + "', '2026-03-02"
              + " 10:00:00', 1772445600000, 1772448300000, 60000, 1, 1, 50, 'b')");
      clickHouse.execute(
          "INSERT INTO classroom_session_minutes (tenant_id, course_id, session_id, minute,"
              + " active_learners, batch_id) VALUES ('"
              + s[0]
              + "', '"
              + s[1]
              + "', '"
              + s[2]
              + "', '2026-03-02 10:00:00', 1, 'b')");
    }
  }

  @LocalServerPort private int port;

  private static final String[] SERVICES = {
    "shared-api",
    "a-only-api",
    "b-only-api",
    "tenant-b",
    "shared-api' OR tenant_id = 'tenant-b",
    "shared-api' OR 1=1 --",
    "x\\' OR \\'1\\'=\\'1",
    "shared-api\u0000",
    "SHARED-API",
    "shared-api ",
    "%",
    "*",
    "\u202eipa-derahs"
  };
  private static final String[] ENDPOINTS = {null, "/x", "/b-only", "' OR 1=1 --", "%"};
  private static final String[] METHODS = {null, "GET", "POST", "' OR ''='"};
  private static final String[] REGIONS = {null, "eu-west", "us-east", "\\"};
  private static final String[] GRANULARITIES = {null, "MINUTE", "HOUR", "DAY"};

  private static final List<String> CALLERS =
      List.of(
          TestIdentity.caller("sre-a").tenant("tenant-a").roles("sre").sign(),
          TestIdentity.caller("analyst-a").tenant("tenant-a").roles("analyst").sign(),
          TestIdentity.caller("operator-a").tenant("tenant-a").roles("operator").sign(),
          TestIdentity.caller("educator-a")
              .tenant("tenant-a")
              .roles("educator")
              .courses("c1")
              .sign());

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }

  /** Every leak of tenant B found in an answer: a B-only name, or a number only B's rows make. */
  private static List<String> leaks(JsonNode answer) {
    List<String> found = new ArrayList<>();
    String text = answer.toString();
    if (text.contains("b-only")) {
      found.add("a B-only name in " + text);
    }
    answer
        .findParents("requests")
        .forEach(
            point -> {
              if (point.get("requests").asLong() >= B_REQUESTS
                  || point.path("maxMs").asDouble() >= B_MAX_MS) {
                found.add("a point of B's: " + point);
              }
            });
    answer
        .findValues("lateEvents")
        .forEach(
            late -> {
              if (late.isNumber() && late.asLong() > 0) {
                found.add("B's late event: " + late);
              }
            });
    return found;
  }

  @Test
  @Order(1)
  void hundredsOfRandomQueriesOverEveryArgumentNeverShowTenantB() throws Exception {
    Random random = new Random(20261202L);
    List<String> leaks = new ArrayList<>();
    int answeredWithData = 0;
    for (int i = 0; i < ATTEMPTS; i++) {
      String token = CALLERS.get(random.nextInt(CALLERS.size()));
      JsonNode answer;
      if (random.nextInt(5) == 0) {
        answer =
            ApiClient.post(
                port, token, "{ services { name endpoints { path methods } } }", Map.of());
      } else {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("service", pick(random, SERVICES));
        variables.put("endpoint", pick(random, ENDPOINTS));
        variables.put("method", pick(random, METHODS));
        variables.put("region", pick(random, REGIONS));
        variables.put("granularity", pick(random, GRANULARITIES));
        int fromMinute = random.nextInt(30);
        variables.put("from", String.format("2026-03-02T10:%02d:00Z", fromMinute));
        variables.put("to", String.format("2026-03-02T%02d:00:00Z", 11 + random.nextInt(3)));
        answer =
            ApiClient.post(
                port,
                token,
                """
                query($service: String!, $endpoint: String, $method: String, $region: String,
                      $from: DateTime!, $to: DateTime!, $granularity: Granularity) {
                  serviceMetrics(service: $service, endpoint: $endpoint, method: $method,
                      region: $region, from: $from, to: $to, granularity: $granularity) {
                    points { time requests maxMs } lateEvents lateEventsByBucket { time lateEvents }
                  }
                }""",
                variables);
      }
      leaks.addAll(leaks(answer));
      if (answer.path("data").isObject()
          && !answer.path("data").isEmpty()
          && !answer.path("data").elements().next().isNull()) {
        answeredWithData++;
      }
    }
    System.out.printf(
        "TenantIsolationIT: %d attempts, %d answered with data, %d leaks%n",
        ATTEMPTS, answeredWithData, leaks.size());
    assertThat(leaks).isEmpty();
    // The attempts were served, not all refused: A's own data came back for most of them.
    assertThat(answeredWithData).isGreaterThan(ATTEMPTS / 3);
  }

  private static final String[] COURSES = {
    "c1", "c2", "c1' OR '1'='1", "C1", "c1 ", "%", "c1\u0000", "c2' --", ""
  };
  private static final String[] SESSIONS = {"sa1", "sa2", "sb1", "sa1' OR 1=1 --", "%", "\\"};
  private static final String[] LEARNERS = {
    "a-learner", "c2-only-learner", "b-only-learner", "' OR ''='", "%"
  };

  @Test
  @Order(2)
  void randomEngagementQueriesOverEveryArgumentNeverShowAnotherCourseOrTenant() throws Exception {
    Random random = new Random(20261203L);
    String educator = CALLERS.get(3);
    List<String> leaks = new ArrayList<>();
    int answeredWithData = 0;
    for (int i = 0; i < ATTEMPTS / 2; i++) {
      Map<String, Object> variables = new LinkedHashMap<>();
      // The educator's own course half the time, so that answers with data are common.
      variables.put("course", random.nextBoolean() ? "c1" : pick(random, COURSES));
      variables.put("session", random.nextBoolean() ? "sa1" : pick(random, SESSIONS));
      variables.put("learner", random.nextBoolean() ? "a-learner" : pick(random, LEARNERS));
      String query =
          switch (random.nextInt(5)) {
            case 0 -> "query { courses { id sessions liveSession } }";
            case 1 ->
                "query($course: String!) { course(id: $course, from: \"2026-03-01T00:00:00Z\","
                    + " to: \"2026-03-05T00:00:00Z\") { sessions { session learners } days { day"
                    + " sessions } } }";
            case 2 ->
                "query($course: String!, $session: String!) { classSession(course: $course,"
                    + " session: $session) { minutes { time activeLearners } learners {"
                    + " learner session } } }";
            case 3 -> "query($course: String!) { atRiskLearners(course: $course) { learner } }";
            default ->
                "query($course: String!, $learner: String!) { learnerHistory(course: $course,"
                    + " learner: $learner) { learner session } }";
          };
      variables.keySet().removeIf(k -> !query.contains("$" + k));
      JsonNode answer = ApiClient.post(port, educator, query, variables);
      String text = answer.path("data").toString();
      for (String foreign : List.of("c2-only-learner", "b-only-learner", "sa2", "sb1", "\"c2\"")) {
        if (text.contains(foreign)) {
          leaks.add(foreign + " in " + text + " for " + variables);
        }
      }
      if (text.contains("a-learner") || text.contains("sa1")) {
        answeredWithData++;
      }
    }
    System.out.printf(
        "TenantIsolationIT: %d engagement attempts, %d with course c1's data, %d leaks%n",
        ATTEMPTS / 2, answeredWithData, leaks.size());
    assertThat(leaks).isEmpty();
    assertThat(answeredWithData).isGreaterThan(ATTEMPTS / 20);
  }

  @Test
  @Order(2)
  void subscriptionsOverEveryArgumentNeverShowTenantB() throws Exception {
    Random random = new Random(7L);
    List<String> leaks = new CopyOnWriteArrayList<>();
    List<Integer> received = new CopyOnWriteArrayList<>();
    List<Disposable> open = new ArrayList<>();
    List<WebSocketGraphQlTester> sockets = new ArrayList<>();
    for (String token : CALLERS) {
      WebSocketGraphQlTester ws = ApiClient.webSocket(port, token);
      sockets.add(ws);
      for (int i = 0; i < 8; i++) {
        String service = pick(random, SERVICES);
        open.add(
            ws.document(
                    "subscription($s: String!, $e: String) { serviceMetricsUpdates(service: $s,"
                        + " endpoint: $e) { time requests maxMs } }")
                .variable("s", service)
                .variable("e", pick(random, ENDPOINTS))
                .executeSubscription()
                .toFlux("serviceMetricsUpdates", Map.class)
                .subscribe(
                    point -> {
                      received.add(1);
                      leaks.addAll(
                          leaks(
                              JSON.valueToTree(
                                  Map.of(
                                      "requests",
                                      point.get("requests"),
                                      "maxMs",
                                      point.get("maxMs")))));
                    },
                    error -> {}));
      }
    }
    try {
      Thread.sleep(3000);
    } finally {
      open.forEach(Disposable::dispose);
      sockets.forEach(ws -> ws.stop().block(Duration.ofSeconds(5)));
    }
    System.out.printf(
        "TenantIsolationIT: %d subscriptions, %d points received, %d leaks%n",
        open.size(), received.size(), leaks.size());
    assertThat(leaks).isEmpty();
    assertThat(received).as("A's own minutes arrive").isNotEmpty();
  }

  @Test
  @Order(3)
  void everyStatementTheApiSentCarriedItsCallersTenantFilter() {
    // ClickHouse's query log records the statements of clients that send log_queries=1: the API
    // does, nothing else in the test JVM does. So these are all the statements every whole-app
    // test so far sent through the API (this class's included); the query id names the tenant
    // of the caller each was sent for.
    clickHouse.execute("SYSTEM FLUSH LOGS");
    List<JsonNode> statements =
        clickHouse.query("SELECT query_id, query FROM system.query_log WHERE type = 1");
    assertThat(statements).hasSizeGreaterThan(ATTEMPTS);
    // <tenant>/<operation>/<n>; a live poller's operation is live-<uuid>.
    Pattern callerQuery = Pattern.compile("(.+)/(?:live-)?[0-9a-f-]{36}/[0-9]+");
    List<String> unscoped = new ArrayList<>();
    int checked = 0;
    for (JsonNode statement : statements) {
      String id = statement.get("query_id").asText();
      String sql = statement.get("query").asText();
      if (id.startsWith("health/") && !sql.contains("tenant_id")) {
        continue; // the health probe reads no tenant's data
      }
      if ((id.startsWith("slo/") || id.startsWith("metrics/")) && !sql.contains("tenant_id =")) {
        // The background readers of /actuator/prometheus and the Alertmanager pushes: every
        // tenant's SLOs and Pulse's health, for operators' tools, never a caller's answer.
        continue;
      }
      Matcher m = callerQuery.matcher(id);
      if (!m.matches() || !scopedTo(sql, SqlLiteral.string(m.group(1)))) {
        unscoped.add(id + ": " + sql.replaceAll("\\s+", " "));
      } else if (sql.contains("classroom_")
          && !courseScoped(sql, m.group(1).equals("tenant-a") ? "'c1'" : null)) {
        unscoped.add("no course filter: " + id + ": " + sql.replaceAll("\\s+", " "));
      }
      checked++;
    }
    System.out.printf("TenantIsolationIT: %d statements checked in the query log%n", checked);
    assertThat(unscoped).isEmpty();
    assertThat(checked).isGreaterThan(ATTEMPTS / 3);
  }

  /**
   * Whether every mention of {@code course_id} in {@code sql} (outside literals, after SELECT's own
   * columns) is an {@code IN} list of literals, all equal to {@code course} when it is given (this
   * class's educator teaches c1 only). The select lists name the column too; a filter is what
   * follows WHERE.
   */
  private static boolean courseScoped(String sql, String course) {
    List<String> literals = new ArrayList<>();
    Matcher lit = LITERAL.matcher(sql);
    StringBuilder skeleton = new StringBuilder();
    while (lit.find()) {
      lit.appendReplacement(skeleton, "\\$" + literals.size());
      literals.add(lit.group());
    }
    lit.appendTail(skeleton);
    String code = skeleton.toString();
    Matcher filter = Pattern.compile("course_id IN \\(([^)]*)\\)").matcher(code);
    int filters = 0;
    while (filter.find()) {
      filters++;
      for (String ref : filter.group(1).split(",\\s*")) {
        if (!ref.matches("\\$\\d+")) {
          return false;
        }
        String value = literals.get(Integer.parseInt(ref.substring(1)));
        if (course != null && !value.equals(course)) {
          return false;
        }
      }
    }
    // Each WHERE of the statement (subqueries included) has its course filter.
    int wheres = code.split("WHERE", -1).length - 1;
    return filters > 0 && filters >= wheres;
  }

  /** A ClickHouse string literal: quotes around anything but a quote or backslash, or an escape. */
  private static final Pattern LITERAL = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'");

  /**
   * Whether {@code sql}, read as SQL (outside its string literals), names {@code tenant_id} at
   * least once and only ever as {@code tenant_id = <tenantLiteral>}. Text inside literals (a
   * caller's hostile argument) does not count.
   */
  private static boolean scopedTo(String sql, String tenantLiteral) {
    List<String> literals = new ArrayList<>();
    Matcher lit = LITERAL.matcher(sql);
    StringBuilder skeleton = new StringBuilder();
    while (lit.find()) {
      lit.appendReplacement(skeleton, "\\$" + literals.size());
      literals.add(lit.group());
    }
    lit.appendTail(skeleton);
    String code = skeleton.toString();
    int mentions = code.split("tenant_id", -1).length - 1;
    Matcher filter = Pattern.compile("tenant_id = \\$(\\d+)").matcher(code);
    int scoped = 0;
    while (filter.find()) {
      if (literals.get(Integer.parseInt(filter.group(1))).equals(tenantLiteral)) {
        scoped++;
      }
    }
    return mentions > 0 && scoped == mentions;
  }
}
