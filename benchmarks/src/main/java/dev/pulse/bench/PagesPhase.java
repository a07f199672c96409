package dev.pulse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.MigrationRunner;
import dev.pulse.clickhouse.SqlLiteral;
import dev.pulse.clickhouse.TenantDatabases;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulationConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API latency of every dashboard page, and how it grows with the data. Fills a database with
 * days of simulated history of all four domains through the backfill path (the simulator's events
 * into Kafka, the four jobs reading them bounded, as an operator replays retained topics), then
 * loads every page ({@link PageQueries}) through GraphQL over HTTP and sends the very SQL each load
 * sent (read back from {@code system.query_log}) straight to ClickHouse, at one client and at many;
 * then copies the history into the years before it until the tables hold ten times the rows, and
 * measures again. The pages ask for ranges inside the original history, so at ten times the data
 * they read the same rows, and where nothing outside their range leaks in their answers are equal.
 */
final class PagesPhase {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The history's first instant: a Monday, so every weekday and a weekend are in the first week.
   */
  static final Instant HISTORY_START = Instant.parse("2026-03-02T00:00:00Z");

  /** How far each copy moves back: 52 weeks, so weekdays stay weekdays and no month is shared. */
  static final Duration COPY_SHIFT = Duration.ofDays(364);

  /**
   * The ids a copy renames: each occurrence (event, session, view, batch) is new, and so are the
   * courses of an earlier year and their videos; tenants, learners, services, probe targets and
   * SLOs keep theirs.
   */
  private static final Set<String> RENAMED =
      Set.of("event_id", "session_id", "view_id", "batch_id", "course_id", "video_id");

  /** Integer columns ending in {@code _ms} above this hold an epoch instant, not a duration. */
  private static final long EPOCH_MS_FLOOR = 1_000_000_000_000L;

  /**
   * How to run the phase.
   *
   * @param days days of history
   * @param apiPerMinute API requests per simulated minute at the daily peak
   * @param viewsPerMinute video views starting per simulated minute at the daily peak
   * @param calls sequential calls of each kind (GraphQL, direct) per page
   * @param clients concurrent clients of the second measurement
   * @param callsPerClient calls each concurrent client makes
   * @param growth how many times the data the second size holds (1: no second size)
   */
  record Settings(
      int days,
      double apiPerMinute,
      double viewsPerMinute,
      int calls,
      int clients,
      int callsPerClient,
      int growth) {}

  /** The latencies of one page at one size, in milliseconds. */
  record Measured(
      String page,
      int requests,
      List<String> statements,
      Stats graphqlOne,
      Stats directOne,
      Stats graphqlMany,
      Stats directMany,
      String answer) {

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("page", page);
      m.put("graphqlRequests", requests);
      m.put("sqlStatements", statements.size());
      m.put("sql", statements);
      m.put("oneClientGraphql", graphqlOne.toMap());
      m.put("oneClientDirect", directOne.toMap());
      m.put("manyClientsGraphql", graphqlMany.toMap());
      m.put("manyClientsDirect", directMany.toMap());
      return m;
    }
  }

  /** Percentiles of one kind of call, and the calls per second when they ran concurrently. */
  record Stats(double p50Ms, double p99Ms, double perSecond) {
    static Stats of(long[] nanos, long wallNanos) {
      List<Double> ms = Arrays.stream(nanos).sorted().mapToObj(n -> n / 1e6).toList();
      return new Stats(
          PhaseResult.percentile(ms, 50),
          PhaseResult.percentile(ms, 99),
          wallNanos <= 0 ? 0 : nanos.length / (wallNanos / 1e9));
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("p50Ms", p50Ms);
      m.put("p99Ms", p99Ms);
      m.put("perSecond", perSecond);
      return m;
    }
  }

  private PagesPhase() {}

  /** The database the phase copies {@code database}'s history into, N times. */
  static String grownDatabase(String database) {
    return database + "_grown";
  }

  /** The four domains' topics of this run's history. */
  static Map<Domain, String> topics(String run) {
    Map<Domain, String> topics = new EnumMap<>(Domain.class);
    for (Domain domain : Traffic.mixed.domains()) {
      topics.put(domain, "pulse.bench.history." + run + "." + domain.cliName());
    }
    return topics;
  }

  /** The history: all four domains, no faults, the simulator's default platform and incidents. */
  static SimulationConfig history(Settings settings, long seed) {
    return SimulationConfig.defaults()
        .withSeed(seed)
        .withStart(HISTORY_START)
        .withDuration(Duration.ofDays(settings.days()))
        .withMaxEvents(0)
        .withFaults(FaultConfig.NONE)
        .withDomains(EnumSet.copyOf(Traffic.mixed.domains()))
        .withRates(settings.apiPerMinute(), settings.viewsPerMinute());
  }

  /**
   * Runs the phase: the backfill (reported as its own phase), then the pages at each size.
   *
   * @return the backfill's result, then the pages'
   */
  static List<PhaseResult> run(
      String bootstrap,
      String run,
      int partitions,
      LoaderPhase.Target target,
      PulsePhase.JobSettings jobs,
      ApiServer server,
      Settings settings,
      long seed,
      OptionalLong clickhousePid,
      Duration progressEvery,
      PrintWriter progress)
      throws Exception {
    progress.printf(
        Locale.ROOT,
        "[bench] pages: simulating %d days of history (all four domains) into Kafka%n",
        settings.days());
    Preload.Loaded input =
        Preload.run(
            bootstrap, topics(run), partitions, history(settings, seed), progressEvery, progress);
    progress.printf(
        Locale.ROOT,
        "[bench] pages: backfilling %,d events with the four jobs, bounded, into %s%n",
        input.records(),
        target.database());
    PhaseResult bounded =
        PulsePhase.run(
            bootstrap,
            "pulse-bench-" + run + "-backfill",
            input,
            input.records(),
            target,
            Traffic.mixed,
            jobs,
            clickhousePid,
            progressEvery,
            progress);
    Map<String, Object> backfillDetails = new LinkedHashMap<>(bounded.details());
    backfillDetails.put("historyDays", settings.days());
    backfillDetails.put("simulatedSeconds", input.result().elapsedSeconds());
    PhaseResult backfill =
        new PhaseResult(
            "backfill",
            bounded.events(),
            bounded.startupSeconds(),
            bounded.elapsedSeconds(),
            bounded.steadyRate(),
            bounded.overallRate(),
            bounded.usage(),
            backfillDetails);

    ResourceMeter meter = ResourceMeter.start(clickhousePid);
    long t0 = System.nanoTime();
    Map<String, Object> details = new LinkedHashMap<>();
    try (ClickHouse admin =
            ClickHouse.connect(
                target.url(),
                target.user(),
                target.password(),
                target.database(),
                Duration.ofMinutes(30));
        ClickHouse direct =
            ClickHouse.connect(
                target.url(),
                target.user(),
                target.password(),
                target.database(),
                ClickHouse.DEFAULT_TIMEOUT,
                Map.of("log_queries", "1"))) {
      settle(admin, progress);
      PageQueries.Choice choice =
          choose(admin, HISTORY_START.plus(Duration.ofDays(settings.days())));
      details.put("database", target.database());
      details.put("choice", choice.toString());
      List<PageQueries.Page> pages = PageQueries.pages(choice);
      List<String> tables = copiedTables(admin);
      long rows1 = rows(admin, tables);
      details.put("rows", rows1);
      // The per-caller limits of serving-api run but refuse nothing: this measures cost.
      Map<String, String> unlimited =
          Map.of(
              "pulse.limits.requests-per-second", "100000",
              "pulse.limits.request-burst", "100000",
              "pulse.limits.concurrent-requests", "10000");
      progress.printf(
          Locale.ROOT,
          "[bench] pages: %d pages over %,d rows, GraphQL and direct, 1 and %d clients (after"
              + " a warm-up of every page)%n",
          pages.size(),
          rows1,
          settings.clients());
      List<Measured> first =
          measureOver(
              server,
              target,
              target.database(),
              unlimited,
              admin,
              direct,
              choice,
              pages,
              settings,
              progress);
      details.put("pages", first.stream().map(Measured::toMap).toList());
      if (settings.growth() > 1) {
        // A database of its own, so that both sizes stay to be measured side by side.
        String grownDb = grownDatabase(target.database());
        progress.printf(
            Locale.ROOT,
            "[bench] pages: copying the history and %d copies of it in the years before into %s"
                + " (%d x the rows)%n",
            settings.growth() - 1,
            grownDb,
            settings.growth());
        new MigrationRunner(admin, grownDb).migrate();
        try (ClickHouse adminN = admin.withDatabase(grownDb);
            ClickHouse directN =
                ClickHouse.connect(
                    target.url(),
                    target.user(),
                    target.password(),
                    grownDb,
                    ClickHouse.DEFAULT_TIMEOUT,
                    Map.of("log_queries", "1"))) {
          grow(adminN, target.database(), tables, settings.growth());
          settle(adminN, progress);
          long rowsN = rows(adminN, tables);
          details.put("grownDatabase", grownDb);
          details.put("grownRows", rowsN);
          progress.printf(
              Locale.ROOT,
              "[bench] pages: %d pages over %,d rows (%.1f x)%n",
              pages.size(),
              rowsN,
              rowsN / (double) Math.max(1, rows1));
          List<Measured> grown =
              measureOver(
                  server, target, grownDb, unlimited, adminN, directN, choice, pages, settings,
                  progress);
          details.put("grownPages", grown.stream().map(Measured::toMap).toList());
          List<String> changed = new ArrayList<>();
          for (int i = 0; i < first.size(); i++) {
            if (!first.get(i).answer().equals(grown.get(i).answer())) {
              changed.add(first.get(i).page());
            }
          }
          details.put("answersChangedByGrowth", changed);
          details.put("flatCost", flatCost(first, grown, direct, directN, settings, progress));
        }
      }
    }
    details.put("settings", settingsMap(settings));
    ResourceMeter.Usage usage = meter.stop();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    return List.of(backfill, new PhaseResult("pages", 0, 0, elapsed, 0, 0, usage, details));
  }

  private static Map<String, Object> settingsMap(Settings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("days", s.days());
    m.put("apiPerMinute", s.apiPerMinute());
    m.put("viewsPerMinute", s.viewsPerMinute());
    m.put("calls", s.calls());
    m.put("clients", s.clients());
    m.put("callsPerClient", s.callsPerClient());
    m.put("growth", s.growth());
    return m;
  }

  /**
   * Merges every table to its steady state (one part per partition, replaced rows gone), as a
   * server that has run for a while has it, so that both sizes are measured alike.
   */
  private static void settle(ClickHouse admin, PrintWriter progress) {
    long t0 = System.nanoTime();
    for (JsonNode t :
        admin.query(
            "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE"
                + " '%MergeTree'")) {
      admin.execute("OPTIMIZE TABLE " + SqlLiteral.identifier(t.get("name").asText()) + " FINAL");
    }
    progress.printf(
        Locale.ROOT, "[bench] pages: tables merged in %.1fs%n", (System.nanoTime() - t0) / 1e9);
  }

  /** The busiest tenant, its busiest service, course, session, learner, video and an SLO. */
  private static PageQueries.Choice choose(ClickHouse db, Instant end) {
    String tenant =
        one(
            db,
            "SELECT tenant_id AS v FROM api_request_minutes GROUP BY tenant_id"
                + " ORDER BY sum(requests) DESC, tenant_id LIMIT 1");
    String t = SqlLiteral.string(tenant);
    String service =
        one(
            db,
            "SELECT service AS v FROM api_request_minutes WHERE tenant_id = "
                + t
                + " GROUP BY service ORDER BY sum(requests) DESC, service LIMIT 1");
    String course =
        one(
            db,
            "SELECT course_id AS v FROM classroom_sessions WHERE tenant_id = "
                + t
                + " GROUP BY course_id ORDER BY count() DESC, course_id LIMIT 1");
    String c = SqlLiteral.string(course);
    String session =
        one(
            db,
            "SELECT session_id AS v FROM classroom_sessions WHERE tenant_id = "
                + t
                + " AND course_id = "
                + c
                + " ORDER BY session_start DESC, session_id LIMIT 1");
    String learner =
        one(
            db,
            "SELECT user_id AS v FROM classroom_learner_sessions WHERE tenant_id = "
                + t
                + " AND course_id = "
                + c
                + " GROUP BY user_id ORDER BY count() DESC, user_id LIMIT 1");
    List<JsonNode> video =
        db.query(
            "SELECT course_id, video_id FROM playback_views FINAL WHERE tenant_id = "
                + t
                + " GROUP BY course_id, video_id ORDER BY course_id = "
                + c
                + " DESC, count() DESC, video_id LIMIT 1");
    if (video.isEmpty()) {
      throw new BenchException("the history has no video views of " + tenant + " to ask about");
    }
    String slo =
        one(
            db,
            "SELECT slo AS v FROM slo_alerts WHERE tenant_id = "
                + t
                + " GROUP BY slo ORDER BY count() DESC, slo LIMIT 1");
    return new PageQueries.Choice(
        tenant,
        service,
        course,
        session,
        learner,
        video.get(0).get("course_id").asText(),
        video.get(0).get("video_id").asText(),
        slo,
        end);
  }

  private static String one(ClickHouse db, String sql) {
    List<JsonNode> rows = db.query(sql);
    if (rows.isEmpty()) {
      throw new BenchException("the history has nothing for the pages to ask about: " + sql);
    }
    return rows.get(0).get("v").asText();
  }

  /**
   * The tables the history is copied into: every table analysts see that no materialized view
   * writes (the views fill theirs from the copies, as they did from the jobs' rows).
   */
  private static List<String> copiedTables(ClickHouse db) {
    Set<String> viewTargets = new HashSet<>();
    Pattern to = Pattern.compile("\\bTO\\s+(?:[`\\w]+\\.)?`?(\\w+)`?", Pattern.CASE_INSENSITIVE);
    for (JsonNode v :
        db.query(
            "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine ="
                + " 'MaterializedView'")) {
      String ddl =
          db.queryText("SHOW CREATE TABLE " + SqlLiteral.identifier(v.get("name").asText()));
      Matcher m = to.matcher(ddl.replace("\\n", " "));
      if (m.find()) {
        viewTargets.add(m.group(1));
      }
    }
    List<String> tables = new ArrayList<>();
    for (TenantDatabases.Table table : TenantDatabases.packagedTables()) {
      if (!viewTargets.contains(table.name())) {
        tables.add(table.name());
      }
    }
    return tables;
  }

  private static long rows(ClickHouse db, List<String> tables) {
    long n = 0;
    for (String table : tables) {
      n +=
          db.query("SELECT count() AS v FROM " + SqlLiteral.identifier(table))
              .get(0)
              .get("v")
              .asLong();
    }
    return n;
  }

  /**
   * Fills {@code db}'s tables with {@code copies} copies of {@code source}'s rows, the k-th (from
   * 0) moved back k x {@link #COPY_SHIFT}: every DateTime and Date column, and every
   * epoch-millisecond column (an integer column named {@code *_ms} whose value is an instant), so
   * each copy after the first is a whole earlier history in partitions of its own, with the ids of
   * {@link #RENAMED} suffixed {@code ~k}.
   */
  private static void grow(ClickHouse db, String source, List<String> tables, int copies) {
    long shiftSeconds = COPY_SHIFT.toSeconds();
    for (String table : tables) {
      List<String> names = new ArrayList<>();
      List<String> exprs = new ArrayList<>();
      for (JsonNode col :
          db.query(
              "SELECT name, type, default_kind FROM system.columns WHERE database ="
                  + " currentDatabase() AND table = "
                  + SqlLiteral.string(table))) {
        String kind = col.get("default_kind").asText();
        if (kind.equals("MATERIALIZED") || kind.equals("ALIAS")) {
          continue;
        }
        String name = col.get("name").asText();
        String type = col.get("type").asText();
        String id = SqlLiteral.identifier(name);
        String expr;
        if (type.matches("(Nullable\\()?DateTime(\\(.*\\))?\\)?")) {
          expr = id + " - _copy * " + shiftSeconds;
        } else if (type.matches("(Nullable\\()?Date\\)?")) {
          expr = id + " - _copy * " + COPY_SHIFT.toDays();
        } else if (name.endsWith("_ms") && type.matches("U?Int64")) {
          expr =
              "if("
                  + id
                  + " > "
                  + EPOCH_MS_FLOOR
                  + ", CAST("
                  + id
                  + " - _copy * "
                  + shiftSeconds * 1000
                  + " AS "
                  + type
                  + "), "
                  + id
                  + ")";
        } else if (RENAMED.contains(name) && type.equals("String")) {
          expr = "if(_copy = 0, " + id + ", concat(" + id + ", '~', toString(_copy)))";
        } else {
          expr = id;
        }
        names.add(id);
        exprs.add("CAST(" + expr + " AS " + type + ")");
      }
      db.execute(
          "INSERT INTO "
              + SqlLiteral.identifier(table)
              + " ("
              + String.join(", ", names)
              + ") SELECT "
              + String.join(", ", exprs)
              + " FROM "
              + SqlLiteral.identifier(source)
              + "."
              + SqlLiteral.identifier(table)
              + " ARRAY JOIN range("
              + copies
              + ") AS _copy");
    }
  }

  /** Every page over {@code database}, through a serving-api of its own and straight. */
  private static List<Measured> measureOver(
      ApiServer server,
      LoaderPhase.Target target,
      String database,
      Map<String, String> unlimited,
      ClickHouse admin,
      ClickHouse direct,
      PageQueries.Choice choice,
      List<PageQueries.Page> pages,
      Settings settings,
      PrintWriter progress)
      throws Exception {
    try (ApiServer.Running api =
        server.start(target.url(), target.user(), target.password(), database, unlimited)) {
      Caller caller = new Caller(api, choice);
      // A serving process runs for days: the JIT has compiled every page's path before the
      // first one is measured, not only the pages measured after it.
      HttpClient http = Caller.http();
      for (PageQueries.Page page : pages) {
        String token = caller.token(page, 0);
        for (int i = 0; i < settings.calls(); i++) {
          caller.load(http, token, page);
        }
      }
      return measureAll(pages, caller, admin, direct, choice, settings, progress);
    }
  }

  /**
   * Each page's SQL at both sizes, interleaved as GraphQL and direct are ({@code calls} loads of
   * each), so a change of the machine's speed between the two sizes' runs does not show as growth:
   * the p50 at N x over the p50 at 1 x.
   */
  private static List<Map<String, Object>> flatCost(
      List<Measured> first,
      List<Measured> grown,
      ClickHouse one,
      ClickHouse many,
      Settings settings,
      PrintWriter progress) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int p = 0; p < first.size(); p++) {
      List<String> small = first.get(p).statements();
      List<String> large = grown.get(p).statements();
      for (int i = 0; i < Math.max(5, settings.calls() / 4); i++) {
        runDirect(one, small);
        runDirect(many, large);
      }
      long[] at1 = new long[settings.calls()];
      long[] atN = new long[settings.calls()];
      for (int i = 0; i < settings.calls(); i++) {
        if (i % 2 == 0) {
          at1[i] = timed(() -> runDirect(one, small));
          atN[i] = timed(() -> runDirect(many, large));
        } else {
          atN[i] = timed(() -> runDirect(many, large));
          at1[i] = timed(() -> runDirect(one, small));
        }
      }
      Stats s1 = Stats.of(at1, 0);
      Stats sN = Stats.of(atN, 0);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("page", first.get(p).page());
      m.put("p50Ms", s1.p50Ms());
      m.put("grownP50Ms", sN.p50Ms());
      m.put("ratio", sN.p50Ms() / s1.p50Ms());
      progress.printf(
          Locale.ROOT,
          "[bench] pages: %-12s direct p50 %6.1f ms at 1 x, %6.1f ms at %d x, side by side%n",
          first.get(p).page(),
          s1.p50Ms(),
          sN.p50Ms(),
          settings.growth());
      out.add(m);
    }
    return out;
  }

  private static List<Measured> measureAll(
      List<PageQueries.Page> pages,
      Caller caller,
      ClickHouse admin,
      ClickHouse direct,
      PageQueries.Choice choice,
      Settings settings,
      PrintWriter progress)
      throws Exception {
    List<Measured> out = new ArrayList<>();
    for (PageQueries.Page page : pages) {
      Measured m = measure(page, caller, admin, direct, choice, settings);
      progress.printf(
          Locale.ROOT,
          "[bench] pages: %-12s GraphQL p50 %6.1f p99 %6.1f ms, direct p50 %6.1f p99 %6.1f ms"
              + " (1 client); %d clients: GraphQL p99 %6.1f, direct p99 %6.1f ms%n",
          page.name(),
          m.graphqlOne().p50Ms(),
          m.graphqlOne().p99Ms(),
          m.directOne().p50Ms(),
          m.directOne().p99Ms(),
          settings.clients(),
          m.graphqlMany().p99Ms(),
          m.directMany().p99Ms());
      out.add(m);
    }
    return out;
  }

  private static Measured measure(
      PageQueries.Page page,
      Caller caller,
      ClickHouse admin,
      ClickHouse direct,
      PageQueries.Choice choice,
      Settings settings)
      throws Exception {
    HttpClient http = Caller.http();
    String token = caller.token(page, 0);
    String answer = caller.load(http, token, page);
    List<String> sqls = capture(admin, choice.tenant(), () -> caller.load(http, token, page));
    // Warm-up: the JIT, the server's caches, the connection pools.
    int warm = Math.max(5, settings.calls() / 4);
    for (int i = 0; i < warm; i++) {
      caller.load(http, token, page);
      runDirect(direct, sqls);
    }
    long[] graphql = new long[settings.calls()];
    long[] straight = new long[settings.calls()];
    for (int i = 0; i < settings.calls(); i++) {
      // Interleaved, each kind first every other time: both see the same machine.
      if (i % 2 == 0) {
        graphql[i] = timed(() -> caller.load(http, token, page));
        straight[i] = timed(() -> runDirect(direct, sqls));
      } else {
        straight[i] = timed(() -> runDirect(direct, sqls));
        graphql[i] = timed(() -> caller.load(http, token, page));
      }
    }
    int clients = settings.clients();
    long t0 = System.nanoTime();
    long[] manyDirect =
        concurrently(clients, settings.callsPerClient(), c -> () -> runDirect(direct, sqls));
    long directWall = System.nanoTime() - t0;
    long t1 = System.nanoTime();
    long[] manyGraphql =
        concurrently(
            clients,
            settings.callsPerClient(),
            c -> {
              HttpClient own = Caller.http();
              String t = caller.token(page, c);
              return () -> caller.load(own, t, page);
            });
    long graphqlWall = System.nanoTime() - t1;
    return new Measured(
        page.name(),
        page.requests().size(),
        sqls,
        Stats.of(graphql, 0),
        Stats.of(straight, 0),
        Stats.of(manyGraphql, graphqlWall),
        Stats.of(manyDirect, directWall),
        answer);
  }

  /** The SQL one page load sent, in order, as ClickHouse's query log has it. */
  private static List<String> capture(ClickHouse admin, String tenant, Runnable load)
      throws InterruptedException {
    String prefix = SqlLiteral.string(tenant + "/%");
    // The server logs a query after its answer has left: let earlier calls land first.
    Thread.sleep(1000);
    admin.execute("SYSTEM FLUSH LOGS");
    Set<String> before = new HashSet<>(operations(admin, prefix));
    load.run();
    Thread.sleep(1000);
    admin.execute("SYSTEM FLUSH LOGS");
    List<String> now = new ArrayList<>(operations(admin, prefix));
    now.removeAll(before);
    if (now.isEmpty()) {
      throw new BenchException(
          "no query of serving-api is in system.query_log: the bench reads the SQL it sent there"
              + " (log_queries)");
    }
    List<String> sqls = new ArrayList<>();
    for (String operation : now) {
      for (JsonNode row :
          admin.query(
              "SELECT query FROM system.query_log WHERE type = 2 AND query_id LIKE "
                  + SqlLiteral.string(tenant + "/" + operation + "/%")
                  + " ORDER BY toUInt32(splitByChar('/', query_id)[3])")) {
        sqls.add(row.get("query").asText().replaceFirst("\\s*FORMAT JSONEachRow\\s*$", ""));
      }
    }
    return sqls;
  }

  /** The operations of serving-api's queries for the tenant in the query log, oldest first. */
  private static List<String> operations(ClickHouse admin, String prefix) {
    List<String> ids = new ArrayList<>();
    for (JsonNode row :
        admin.query(
            "SELECT splitByChar('/', query_id)[2] AS op FROM system.query_log WHERE type = 2"
                + " AND query_id LIKE "
                + prefix
                + " GROUP BY op ORDER BY min(event_time), op")) {
      ids.add(row.get("op").asText());
    }
    return ids;
  }

  private static void runDirect(ClickHouse direct, List<String> sqls) {
    String load = UUID.randomUUID().toString();
    for (int n = 0; n < sqls.size(); n++) {
      direct.query(sqls.get(n), "direct/" + load + "/" + (n + 1));
    }
  }

  private static long timed(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return System.nanoTime() - t0;
  }

  /**
   * {@code clients} threads started together, each making {@code calls} calls of its own (after two
   * unmeasured ones); every call's time.
   */
  private static long[] concurrently(
      int clients, int calls, java.util.function.IntFunction<Runnable> perClient) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch ready = new CountDownLatch(clients);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        Runnable call = perClient.apply(c);
        Callable<long[]> client =
            () -> {
              call.run();
              call.run();
              ready.countDown();
              go.await();
              long[] times = new long[calls];
              for (int i = 0; i < calls; i++) {
                times[i] = timed(call);
              }
              return times;
            };
        futures.add(pool.submit(client));
      }
      if (!ready.await(10, TimeUnit.MINUTES)) {
        throw new BenchException("the concurrent clients did not start within 10 minutes");
      }
      go.countDown();
      long[] all = new long[clients * calls];
      int i = 0;
      for (Future<long[]> f : futures) {
        long[] times = f.get(30, TimeUnit.MINUTES);
        System.arraycopy(times, 0, all, i, times.length);
        i += times.length;
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Loads pages through serving-api over HTTP, signed in as an SRE or the course's educator. */
  private static final class Caller {
    private final ApiServer.Running api;
    private final PageQueries.Choice choice;
    // Each request's JSON body, written once: a call times serving-api, not the bench's encoder.
    private final Map<PageQueries.Request, String> bodies = new ConcurrentHashMap<>();

    Caller(ApiServer.Running api, PageQueries.Choice choice) {
      this.api = api;
      this.choice = choice;
    }

    private String body(PageQueries.Request request) {
      return bodies.computeIfAbsent(
          request,
          r -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("query", r.document());
            body.put("variables", r.variables());
            try {
              return JSON.writeValueAsString(body);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }

    static HttpClient http() {
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    }

    /** The token of client {@code c}: every client is a caller of its own. */
    String token(PageQueries.Page page, int c) {
      return page.educator()
          ? api.token(
              "bench-educator-" + c + "@" + choice.tenant(),
              choice.tenant(),
              List.of("educator"),
              List.of(choice.course(), choice.videoCourse()))
          : api.token(
              "bench-sre-" + c + "@" + choice.tenant(), choice.tenant(), List.of("sre"), List.of());
    }

    /** Sends the page's requests in order; their answers' data, joined. */
    String load(HttpClient http, String token, PageQueries.Page page) {
      StringBuilder answers = new StringBuilder();
      for (PageQueries.Request request : page.requests()) {
        try {
          HttpResponse<String> response =
              http.send(
                  HttpRequest.newBuilder(api.graphql())
                      .timeout(Duration.ofMinutes(2))
                      .header("Content-Type", "application/json")
                      .header("Authorization", "Bearer " + token)
                      .POST(HttpRequest.BodyPublishers.ofString(body(request)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          JsonNode answer = JSON.readTree(response.body());
          if (response.statusCode() != 200 || answer.has("errors") || !answer.has("data")) {
            throw new BenchException(
                "page "
                    + page.name()
                    + ": HTTP "
                    + response.statusCode()
                    + ": "
                    + abbreviate(response.body()));
          }
          answers.append(answer.get("data").toString());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BenchException("interrupted", e);
        }
      }
      return answers.toString();
    }

    private static String abbreviate(String s) {
      return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
  }
}
