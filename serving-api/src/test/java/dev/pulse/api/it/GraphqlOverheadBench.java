package dev.pulse.api.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.testing.TestIdentity;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.SqlLiteral;
import dev.pulse.local.ClickHouseUser;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A measurement, not a test of speed: what GraphQL over HTTP adds to the store queries it sends.
 * The whole application runs against a private ClickHouse 18.16 (production migrations) with an
 * hour of realistic minute rows for a service; each dashboard query is sent N times over real HTTP
 * with a real signed token, and the very SQL it sent (read back from {@code system.query_log}) is
 * run N times straight through a client built as serving-api builds its own (same user, same
 * settings). It prints p50/p99 of both, one client (GraphQL and direct calls interleaved) and
 * several at once, and the server's own query_duration_ms of both from the query log. It asserts
 * only that the answers are right, never a timing.
 *
 * <p>Knobs (system properties, e.g. {@code -Doverhead.calls=1000}): {@code overhead.calls}
 * (sequential calls of each kind, default 300), {@code overhead.clients} (concurrency levels,
 * default {@code 20,50}), {@code overhead.callsPerClient} (default 20), {@code overhead.warmUp}
 * (calls of each scenario before any is measured, default 1000), {@code overhead.jfr} (a file: a
 * JFR recording of the GraphQL phases). The per-caller limits are raised so that they run but
 * refuse nothing: this measures cost, not the rate limit.
 */
@ExtendWith(ClickHouseExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GraphqlOverheadBench {

  private static final String TENANT = "bench-tenant";
  private static final String SERVICE = "checkout-api";
  private static final Instant HOUR = Instant.parse("2026-03-02T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final int CALLS = Integer.getInteger("overhead.calls", 300);
  private static final int CALLS_PER_CLIENT = Integer.getInteger("overhead.callsPerClient", 20);
  private static final List<Integer> CLIENTS =
      Arrays.stream(System.getProperty("overhead.clients", "20,50").split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .map(Integer::valueOf)
          .toList();
  private static final String JFR = System.getProperty("overhead.jfr", "");
  private static final int WARM_UP = Integer.getInteger("overhead.warmUp", 1000);

  private static TestClickHouse server;
  private static ClickHouse admin;

  @LocalServerPort private int port;

  @DynamicPropertySource
  static void pulse(DynamicPropertyRegistry registry) {
    MigratedStore.register(registry, () -> server);
    registry.add("pulse.limits.requests-per-second", () -> "100000");
    registry.add("pulse.limits.request-burst", () -> "100000");
    registry.add("pulse.limits.concurrent-requests", () -> "10000");
  }

  /** One dashboard query, with what a right answer holds. */
  private record Scenario(
      String name, String document, Map<String, Object> variables, String check, int size) {}

  private static List<Scenario> scenarios() {
    Map<String, Object> hour = new LinkedHashMap<>();
    hour.put("service", SERVICE);
    hour.put("from", HOUR.toString());
    hour.put("to", HOUR.plus(Duration.ofHours(1)).toString());
    hour.put("granularity", "MINUTE");
    return List.of(
        new Scenario(
            "minute series, 1 h (points only)",
            """
            query serviceMetrics($service: String!, $from: DateTime!, $to: DateTime!,
                                 $granularity: Granularity) {
              serviceMetrics(service: $service, from: $from, to: $to, granularity: $granularity) {
                from to granularity
                points { time requests errors5xx errors4xx errorRate p50Ms p95Ms p99Ms maxMs }
              }
            }""",
            hour,
            "/data/serviceMetrics/points",
            60),
        // The SRE service page's series query (dashboards sre/service.js), late events included.
        new Scenario(
            "SRE service page series (points + late events)",
            """
            query serviceMetrics($service: String!, $endpoint: String, $from: DateTime!,
                                 $to: DateTime!, $granularity: Granularity) {
              serviceMetrics(service: $service, endpoint: $endpoint, from: $from, to: $to,
                             granularity: $granularity) {
                from to granularity
                points { time requests errors5xx errors4xx errorRate p50Ms p95Ms p99Ms maxMs }
                lateEvents
                lateEventsByBucket { time lateEvents }
              }
            }""",
            hour,
            "/data/serviceMetrics/points",
            60),
        new Scenario(
            "SRE service page services list",
            "query { services { name endpoints { path methods } } }",
            Map.of(),
            "/data/services",
            3));
  }

  @BeforeAll
  static void migrateAndSeed(TestClickHouse ch) {
    server = ch;
    admin = ch.migratedDatabase();
    // An hour of one tenant's traffic as the job writes it: per minute, a row for every (endpoint,
    // method, region) key of three services (12 rows a minute for the measured service), 20-60
    // requests each with log-normal latencies over the histogram's buckets; another tenant beside
    // it, and the day before.
    Random random = new Random(42);
    String[] services = {SERVICE, "catalog-api", "sessions-api"};
    String[] endpoints = {"/cart", "/checkout", "/orders/{id}"};
    String[] methods = {"GET", "POST"};
    String[] regions = {"eu-west", "us-east"};
    for (String tenant : List.of(TENANT, "other-tenant")) {
      for (int day = 0; day < 2; day++) {
        Instant start = HOUR.minus(Duration.ofDays(day));
        MinuteFacts facts = new MinuteFacts();
        for (int m = 0; m < 60; m++) {
          String minute = start.plus(Duration.ofMinutes(m)).toString();
          for (String service : services) {
            for (String endpoint : endpoints) {
              for (String method : methods) {
                for (String region : regions) {
                  List<Integer> latencies = new ArrayList<>();
                  int n = 20 + random.nextInt(40);
                  for (int i = 0; i < n; i++) {
                    latencies.add(
                        (int) Math.max(1, Math.round(Math.exp(3 + random.nextGaussian()))));
                  }
                  facts.row(
                      tenant,
                      service,
                      endpoint,
                      method,
                      region,
                      minute,
                      latencies,
                      random.nextInt(3),
                      random.nextInt(4));
                }
              }
            }
          }
        }
        facts.insertInto(admin);
      }
    }
    LateEvents late = new LateEvents().key(TENANT, SERVICE, "/cart", "GET", "eu-west");
    for (int i = 0; i < 40; i++) {
      late.event("late-" + i, HOUR.plus(Duration.ofSeconds(i * 90L)).toString());
    }
    late.insertInto(admin);
    admin.execute("OPTIMIZE TABLE api_request_minutes FINAL");
  }

  @Test
  void printsGraphQlAgainstDirectSql() throws Exception {
    ClickHouseUser api = server.apiUser();
    // As ClickHouseConfig builds serving-api's client: same user, timeout and settings.
    try (ClickHouse direct =
        ClickHouse.connect(
            server.httpUrl(),
            api == null ? server.user() : api.name(),
            api == null ? server.password() : api.password(),
            server.database(),
            Duration.ofSeconds(30),
            Map.of("log_queries", "1"))) {
      System.out.printf(
          "%n== GraphQL over HTTP vs the same SQL direct ==%n"
              + "calls: %d sequential of each kind (interleaved), %d per client at %s clients%n",
          CALLS, CALLS_PER_CLIENT, CLIENTS);
      // The JVM warmed up on every scenario first (JIT): a serving process runs for days, and on
      // a 2-core machine the first thousand requests still run partly interpreted.
      for (Scenario scenario : scenarios()) {
        warmUp(scenario, direct, WARM_UP);
      }
      Recording recording = startJfr();
      try {
        for (Scenario scenario : scenarios()) {
          System.out.println(measure(scenario, direct));
        }
      } finally {
        stopJfr(recording);
      }
    }
  }

  private String measure(Scenario scenario, ClickHouse direct) throws Exception {
    CloseableHttpClient http = http();
    String body =
        JSON.writeValueAsString(
            Map.of("query", scenario.document(), "variables", scenario.variables()));
    String token = token("bench-sre-0");
    prime(http, token, body, scenario);
    List<String> sqls = capture(() -> call(http, token, body, scenario));
    for (int i = 0; i < 100; i++) {
      call(http, token, body, scenario);
      runDirect(direct, sqls, "warm-up");
    }
    long[] graphql = new long[CALLS];
    long[] straight = new long[CALLS];
    String sequential = UUID.randomUUID().toString();
    long directCpu = 0;
    Map<Long, Long> tomcatBefore = tomcatCpu();
    Instant from = Instant.now();
    for (int i = 0; i < CALLS; i++) {
      if (i % 2 == 0) {
        graphql[i] = timed(() -> call(http, token, body, scenario));
        long c0 = THREADS.getCurrentThreadCpuTime();
        straight[i] = timed(() -> runDirect(direct, sqls, sequential));
        directCpu += THREADS.getCurrentThreadCpuTime() - c0;
      } else {
        long c0 = THREADS.getCurrentThreadCpuTime();
        straight[i] = timed(() -> runDirect(direct, sqls, sequential));
        directCpu += THREADS.getCurrentThreadCpuTime() - c0;
        graphql[i] = timed(() -> call(http, token, body, scenario));
      }
    }
    Instant to = Instant.now();
    long appCpu = cpuSince(tomcatBefore);
    StringBuilder out = new StringBuilder();
    out.append("\n-- ").append(scenario.name()).append(" --\n");
    out.append("store queries per call: ").append(sqls.size()).append('\n');
    for (String sql : sqls) {
      out.append("  SQL: ").append(sql.replaceAll("\\s+", " ").strip()).append('\n');
    }
    out.append(line("1 client", graphql, straight, 0, 0));
    out.append(
        String.format(
            Locale.ROOT,
            "             CPU per call: serving-api's request threads %.2f ms (GraphQL), the"
                + " calling thread %.2f ms (direct)%n",
            ms(appCpu / CALLS),
            ms(directCpu / CALLS)));
    out.append(serverSide(sqls, from, to, from, to, sequential));
    for (int clients : CLIENTS) {
      String phase = UUID.randomUUID().toString();
      Instant directFrom = Instant.now();
      long t0 = System.nanoTime();
      long[] d = concurrently(clients, c -> () -> runDirect(direct, sqls, phase));
      long directWall = System.nanoTime() - t0;
      Instant graphqlFrom = Instant.now();
      long t1 = System.nanoTime();
      long[] g =
          concurrently(
              clients,
              c -> {
                CloseableHttpClient own = http();
                String t = token("bench-sre-" + c);
                return () -> call(own, t, body, scenario);
              });
      long graphqlWall = System.nanoTime() - t1;
      Instant graphqlTo = Instant.now();
      out.append(line(clients + " clients", g, d, graphqlWall, directWall));
      out.append(serverSide(sqls, graphqlFrom, graphqlTo, directFrom, graphqlFrom, phase));
    }
    return out.toString();
  }

  /** {@code calls} GraphQL calls of {@code scenario}, and as many of its SQL direct. */
  private void warmUp(Scenario scenario, ClickHouse direct, int calls) throws Exception {
    try (CloseableHttpClient http = http()) {
      String body =
          JSON.writeValueAsString(
              Map.of("query", scenario.document(), "variables", scenario.variables()));
      String token = token("bench-sre-0");
      prime(http, token, body, scenario);
      List<String> sqls = capture(() -> call(http, token, body, scenario));
      for (int i = 0; i < calls; i++) {
        call(http, token, body, scenario);
        runDirect(direct, sqls, "warm-up");
      }
    }
  }

  /**
   * One call whose failure is forgiven: after a few idle seconds (the seeding, the query-log
   * flushes) client-v2 may reuse a keep-alive connection that ClickHouse 18.16 has already closed
   * (its keep_alive_timeout is 3 s, and the client does not retry), and that query fails once.
   */
  private void prime(CloseableHttpClient http, String token, String body, Scenario scenario) {
    try {
      call(http, token, body, scenario);
    } catch (AssertionError stale) {
      System.out.println("(a first call after idle failed, as a stale connection does)");
    }
  }

  /** Runs {@code call} once, and returns the SQL it sent, in order, as the query log has it. */
  private List<String> capture(Runnable call) throws InterruptedException {
    // The server logs a query's end after its answer has left: let the earlier calls' land first.
    Thread.sleep(1000);
    admin.execute("SYSTEM FLUSH LOGS");
    Set<String> before = new HashSet<>(operations());
    call.run();
    Thread.sleep(1000);
    admin.execute("SYSTEM FLUSH LOGS");
    List<String> now = new ArrayList<>(operations());
    now.removeAll(before);
    assertThat(now).as("operations of the capture call").hasSize(1);
    List<String> sqls = new ArrayList<>();
    for (JsonNode row :
        admin.query(
            "SELECT query FROM system.query_log WHERE type = 2 AND query_id LIKE "
                + SqlLiteral.string(TENANT + "/" + now.get(0) + "/%")
                + " ORDER BY toUInt32(splitByChar('/', query_id)[3])")) {
      sqls.add(row.get("query").asText().replaceFirst("\\s*FORMAT JSONEachRow\\s*$", ""));
    }
    return sqls;
  }

  private List<String> operations() {
    List<String> ids = new ArrayList<>();
    for (JsonNode row :
        admin.query(
            "SELECT DISTINCT splitByChar('/', query_id)[2] AS op FROM system.query_log WHERE"
                + " type = 2 AND query_id LIKE "
                + SqlLiteral.string(TENANT + "/%"))) {
      ids.add(row.get("op").asText());
    }
    return ids;
  }

  /**
   * The server's own time (query_duration_ms, p50 / p99) for each SQL: sent by GraphQL (the
   * tenant's query ids, finished within [{@code graphqlFrom}, {@code graphqlTo}], whole seconds)
   * and sent direct in phase {@code phase}.
   */
  private String serverSide(
      List<String> sqls,
      Instant graphqlFrom,
      Instant graphqlTo,
      Instant directFrom,
      Instant directTo,
      String phase) {
    admin.execute("SYSTEM FLUSH LOGS");
    StringBuilder out = new StringBuilder("             ClickHouse query_duration_ms");
    for (int i = 0; i < sqls.size(); i++) {
      String sent = sqls.get(i) + "\nFORMAT JSONEachRow";
      String graphql =
          " AND query_id LIKE "
              + SqlLiteral.string(TENANT + "/%")
              + " AND event_time >= "
              + SqlLiteral.dateTime(graphqlFrom.truncatedTo(ChronoUnit.SECONDS))
              + " AND event_time <= "
              + SqlLiteral.dateTime(graphqlTo.plusSeconds(1).truncatedTo(ChronoUnit.SECONDS));
      String straight = " AND query_id LIKE " + SqlLiteral.string("direct/" + phase + "/%");
      out.append(" | SQL ").append(i + 1).append(':');
      for (String[] who : new String[][] {{"GraphQL", graphql}, {"direct", straight}}) {
        JsonNode r =
            admin
                .query(
                    "SELECT count() AS n, quantile(0.5)(query_duration_ms) AS p50,"
                        + " quantile(0.99)(query_duration_ms) AS p99 FROM system.query_log"
                        + " WHERE type = 2 AND query = "
                        + SqlLiteral.string(sent)
                        + who[1])
                .get(0);
        out.append(
            String.format(
                Locale.ROOT,
                " %s p50 %.0f p99 %.0f (n=%d)",
                who[0],
                r.get("p50").asDouble(),
                r.get("p99").asDouble(),
                r.get("n").asLong()));
      }
    }
    return out.append('\n').toString();
  }

  /** The SQL of one call, named {@code direct/<phase>/<call>/<n>} on the server. */
  private static void runDirect(ClickHouse direct, List<String> sqls, String phase) {
    String operation = UUID.randomUUID().toString();
    for (int n = 0; n < sqls.size(); n++) {
      List<JsonNode> rows =
          direct.query(sqls.get(n), "direct/" + phase + "/" + operation + "/" + (n + 1));
      if (rows.isEmpty()) {
        throw new AssertionError("no rows from " + sqls.get(n));
      }
    }
  }

  private void call(CloseableHttpClient http, String token, String body, Scenario scenario) {
    HttpPost post = new HttpPost("http://localhost:" + port + "/graphql");
    post.setHeader("Authorization", "Bearer " + token);
    post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
    try {
      http.execute(
          post,
          response -> {
            String text = EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            JsonNode answer = JSON.readTree(text);
            if (response.getCode() != 200
                || answer.has("errors")
                || answer.at(scenario.check()).size() != scenario.size()) {
              throw new AssertionError("HTTP " + response.getCode() + ": " + abbreviate(text));
            }
            return null;
          });
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 500 ? s.substring(0, 500) + "..." : s;
  }

  /**
   * A keep-alive HTTP/1.1 client of the same library (Apache HttpClient 5, classic) as client-v2
   * sends the direct SQL with, so that both sides pay the same transport.
   */
  private static CloseableHttpClient http() {
    return HttpClients.custom()
        .setConnectionManager(
            PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(4)
                .setMaxConnPerRoute(4)
                .build())
        .disableAutomaticRetries()
        .build();
  }

  private static String token(String subject) {
    return TestIdentity.caller(subject).tenant(TENANT).roles("sre").sign();
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU time so far of each of Tomcat's request threads (http-nio-*), by thread id. */
  private static Map<Long, Long> tomcatCpu() {
    Map<Long, Long> cpu = new java.util.HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("http-nio-") && t.getName().contains("-exec-")) {
        cpu.put(t.getId(), Math.max(0, THREADS.getThreadCpuTime(t.getId())));
      }
    }
    return cpu;
  }

  /** The CPU time Tomcat's request threads spent since {@code before}. */
  private static long cpuSince(Map<Long, Long> before) {
    long sum = 0;
    for (Map.Entry<Long, Long> now : tomcatCpu().entrySet()) {
      sum += now.getValue() - before.getOrDefault(now.getKey(), 0L);
    }
    return sum;
  }

  private static long timed(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return System.nanoTime() - t0;
  }

  /**
   * {@code clients} threads, each with its own call (from {@code perClient}), started together,
   * each calling {@link #CALLS_PER_CLIENT} times after a few warm-up calls; every call's time.
   */
  private static long[] concurrently(
      int clients, java.util.function.IntFunction<Runnable> perClient) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch ready = new CountDownLatch(clients);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        Runnable call = perClient.apply(c);
        Callable<long[]> client =
            () -> {
              for (int i = 0; i < 5; i++) {
                call.run();
              }
              ready.countDown();
              go.await();
              long[] times = new long[CALLS_PER_CLIENT];
              for (int i = 0; i < times.length; i++) {
                times[i] = timed(call);
              }
              return times;
            };
        futures.add(pool.submit(client));
      }
      ready.await();
      go.countDown();
      long[] all = new long[clients * CALLS_PER_CLIENT];
      int at = 0;
      for (Future<long[]> f : futures) {
        long[] times = f.get();
        System.arraycopy(times, 0, all, at, times.length);
        at += times.length;
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static String line(
      String label, long[] graphql, long[] direct, long graphqlWallNs, long directWallNs) {
    long[] g = graphql.clone();
    long[] d = direct.clone();
    Arrays.sort(g);
    Arrays.sort(d);
    String throughput = "";
    if (graphqlWallNs > 0) {
      double gps = g.length / (graphqlWallNs / 1e9);
      double dps = d.length / (directWallNs / 1e9);
      throughput = "  throughput %.0f/s vs %.0f/s (%.2fx)".formatted(gps, dps, gps / dps);
    }
    return String.format(
        Locale.ROOT,
        "  %-10s GraphQL p50 %6.2f ms  p99 %6.2f ms | direct p50 %6.2f ms  p99 %6.2f ms |"
            + " ratio p50 %.2fx p99 %.2fx  (n=%d)%s%n",
        label,
        ms(pct(g, 0.50)),
        ms(pct(g, 0.99)),
        ms(pct(d, 0.50)),
        ms(pct(d, 0.99)),
        pct(g, 0.50) / (double) pct(d, 0.50),
        pct(g, 0.99) / (double) pct(d, 0.99),
        g.length,
        throughput);
  }

  /** Nearest-rank percentile of sorted {@code values}. */
  private static long pct(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double ms(long ns) {
    return ns / 1e6;
  }

  private static Recording startJfr() throws Exception {
    if (JFR.isBlank()) {
      return null;
    }
    Recording recording = new Recording(Configuration.getConfiguration("profile"));
    recording.setToDisk(true);
    recording.setDestination(Path.of(JFR));
    recording.start();
    return recording;
  }

  private static void stopJfr(Recording recording) {
    if (recording != null) {
      recording.stop();
      recording.close();
      System.out.println("JFR recording written to " + JFR);
    }
  }
}
