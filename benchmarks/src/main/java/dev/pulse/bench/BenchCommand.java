package dev.pulse.bench;

import dev.pulse.cli.ConnectionFlags;
import dev.pulse.cli.ServerOptions;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.MigrationRunner;
import dev.pulse.clickhouse.SqlLiteral;
import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.classroom.ClassroomConfig;
import dev.pulse.flink.playback.PlaybackConfig;
import dev.pulse.local.LocalClickHouse;
import dev.pulse.local.LocalKafka;
import dev.pulse.simulator.Domain;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pulse bench}: preloads N simulated API request events into Kafka, then measures in the
 * same run how fast a bare Kafka consumer drains them, how fast a minimal hand-written loader gets
 * them into ClickHouse, and how fast Pulse does (raw rows and minute facts), and prints the rates,
 * Pulse's ratio to each, and the memory and CPU each used.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure Pulse against the ceilings of this machine, in one run:",
      "  consumer   a bare Kafka consumer drains the preloaded topics (no decoding)",
      "  loader     the ceiling: a hand-written loader that decodes on every core and",
      "             inserts raw rows and per-minute aggregates, several INSERTs in flight",
      "  pulse      the traffic's jobs on a Flink MiniCluster: raw rows and every fact",
      "  freshness  requests sent live at a steady rate: seconds until their minute is",
      "             complete through GraphQL (p50/p95/p99)",
      "  pages      days of history backfilled by the four jobs, then every dashboard page",
      "             through GraphQL and its SQL straight to ClickHouse, at 1 and many",
      "             clients (p50/p99, calls/s); again at 10x the data",
      "  memory     heap and checkpoint bytes of the dedup state per million ids, and of",
      "             each job's keyed state per thousand live keys",
      "Starts its own Kafka broker (in this JVM) and ClickHouse server unless given",
      "--kafka / --clickhouse. Give the JVM room: PULSE_JAVA_OPTS=-Xmx4g ./pulse bench",
      "The ClickHouse password is read from PULSE_CLICKHOUSE_PASSWORD."
    })
public final class BenchCommand implements Callable<Integer> {

  static final String PASSWORD_ENV = "PULSE_CLICKHOUSE_PASSWORD";

  /**
   * Longest wait for ClickHouse's background merges of earlier phases' rows before a phase starts.
   */
  static final Duration MERGE_WAIT = Duration.ofSeconds(120);

  /** The phases that can be skipped. */
  enum Phase {
    consumer,
    loader,
    pulse,
    freshness,
    pages,
    memory
  }

  @Spec CommandSpec spec;

  @Option(
      names = "--traffic",
      paramLabel = "DOMAIN",
      defaultValue = "api",
      description =
          "What to preload and move: api (API requests; Pulse = the API metrics job), classroom"
              + " (live classes of 1,000 courses; Pulse = the classroom job) or playback (evening"
              + " video views; Pulse = the playback job); the last two read bounded until every"
              + " session or view has ended. Default: ${DEFAULT-VALUE}.")
  Traffic traffic;

  @Option(
      names = "--events",
      paramLabel = "N",
      defaultValue = "2000000",
      description = "Events to preload and move in each phase (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Partitions of the preloaded topic when it is created (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "2",
      description = "Parallelism of Pulse's Flink job (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      description = "Checkpoint interval of Pulse's job, e.g. 5s (default: the job's own, 10s).")
  String checkpointInterval;

  @Option(
      names = "--job-setting",
      paramLabel = "KEY=VALUE",
      description =
          "Another setting of Pulse's job (flink-jobs/README.md), e.g. clickhouse.raw-batch-size=500000; repeatable.")
  Map<String, String> jobSettings = new LinkedHashMap<>();

  @Option(
      names = "--flink-setting",
      paramLabel = "KEY=VALUE",
      description =
          "A Flink configuration option for the MiniCluster, e.g. pipeline.object-reuse=true; repeatable.")
  Map<String, String> flinkSettings = new LinkedHashMap<>();

  @Mixin ServerOptions servers;

  @Option(
      names = "--user",
      paramLabel = "USER",
      defaultValue = "default",
      description = "ClickHouse user with --clickhouse (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(
      names = "--database-prefix",
      paramLabel = "NAME",
      defaultValue = "pulse_bench",
      converter = ConnectionFlags.Identifier.class,
      description =
          "Each phase writes to a fresh database <prefix>_<run>_<phase> (default: ${DEFAULT-VALUE}).")
  String databasePrefix;

  @Option(
      names = "--keep-data",
      description =
          "Keep the bench's topic and databases on external servers at the end (default: delete them).")
  boolean keepData;

  @Option(
      names = "--skip",
      paramLabel = "PHASE",
      split = ",",
      description = "Phases to leave out: ${COMPLETION-CANDIDATES} (comma-separated).")
  Set<Phase> skip = EnumSet.noneOf(Phase.class);

  @Option(
      names = "--events-per-minute",
      paramLabel = "N",
      defaultValue = "200000",
      description =
          "Simulated API requests per minute of event time at the daily peak; sets how many "
              + "minutes (and so minute facts) the events span (default: ${DEFAULT-VALUE}).")
  double eventsPerMinute;

  @Option(
      names = "--loader-batch-rows",
      paramLabel = "N",
      defaultValue = "200000",
      description = "Raw rows per INSERT of the hand-written loader (default: ${DEFAULT-VALUE}).")
  int loaderBatchRows;

  @Option(
      names = "--loader-decoders",
      paramLabel = "N",
      description =
          "Decoding threads of the hand-written loader (default: the machine's cores, here "
              + "${DEFAULT-VALUE}).")
  int loaderDecoders = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--loader-inserts",
      paramLabel = "N",
      defaultValue = "4",
      description = "INSERTs the hand-written loader keeps in flight (default: ${DEFAULT-VALUE}).")
  int loaderInserts;

  @Option(
      names = "--freshness-rate",
      paramLabel = "N",
      defaultValue = "50000",
      description =
          "Freshness: API requests sent per second, steadily, while it is measured (default:"
              + " ${DEFAULT-VALUE}).")
  double freshnessRate;

  @Option(
      names = "--freshness-minutes",
      paramLabel = "N",
      defaultValue = "4",
      description =
          "Freshness: measured minutes, after a warm-up of --freshness-warmup (default:"
              + " ${DEFAULT-VALUE}).")
  int freshnessMinutes;

  @Option(
      names = "--freshness-warmup",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "Freshness: sending before the first measured minute (default: ${DEFAULT-VALUE}).")
  Duration freshnessWarmup;

  @Option(
      names = "--freshness-series",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Freshness: services of one tenant whose minutes are sampled, the busiest (default:"
              + " ${DEFAULT-VALUE}).")
  int freshnessSeries;

  @Option(
      names = "--freshness-poll",
      paramLabel = "DURATION",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description =
          "Freshness: interval between GraphQL queries, round-robin over the series (default:"
              + " ${DEFAULT-VALUE}).")
  Duration freshnessPoll;

  @Option(
      names = "--pages-days",
      paramLabel = "N",
      defaultValue = "30",
      description =
          "Pages: days of simulated history of all four domains, from Monday 2026-03-02 (default:"
              + " ${DEFAULT-VALUE}).")
  int pagesDays;

  @Option(
      names = "--pages-api-per-minute",
      paramLabel = "N",
      defaultValue = "300",
      description =
          "Pages: the history's API requests per minute at the daily peak (default:"
              + " ${DEFAULT-VALUE}).")
  double pagesApiPerMinute;

  @Option(
      names = "--pages-views-per-minute",
      paramLabel = "N",
      defaultValue = "4",
      description =
          "Pages: the history's video views starting per minute at the daily peak (default:"
              + " ${DEFAULT-VALUE}).")
  double pagesViewsPerMinute;

  @Option(
      names = "--pages-calls",
      paramLabel = "N",
      defaultValue = "200",
      description =
          "Pages: loads of each page by one client, through GraphQL and as many direct"
              + " (default: ${DEFAULT-VALUE}).")
  int pagesCalls;

  @Option(
      names = "--pages-clients",
      paramLabel = "N",
      defaultValue = "50",
      description =
          "Pages: concurrent clients of the second measurement (default: ${DEFAULT-VALUE}).")
  int pagesClients;

  @Option(
      names = "--pages-calls-per-client",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "Pages: loads of each page by each concurrent client (default: ${DEFAULT-VALUE}).")
  int pagesCallsPerClient;

  @Option(
      names = "--pages-growth",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "Pages: measure again with the history copied into the N-1 years before it, N times the"
              + " rows; 1 measures one size only (default: ${DEFAULT-VALUE}).")
  int pagesGrowth;

  @Option(
      names = "--memory-ids",
      paramLabel = "N",
      defaultValue = "2000000",
      description =
          "Memory: remembered ids the dedup tables are filled with to measure their heap and"
              + " checkpoint bytes (default: ${DEFAULT-VALUE}).")
  long memoryIds;

  @Option(
      names = "--memory-live-keys",
      paramLabel = "N",
      defaultValue = "100000",
      description =
          "Memory: live API minute windows the API job holds when its keyed state is measured;"
              + " the playback job holds N/10 open views, the classroom job N/200 live sessions"
              + " (default: ${DEFAULT-VALUE}).")
  long memoryLiveKeys;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Simulator seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--progress-seconds",
      paramLabel = "S",
      defaultValue = "3",
      description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
  int progressSeconds;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the results as JSON to FILE.")
  Path json;

  @Override
  public Integer call() throws Exception {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter progress = spec.commandLine().getErr();
    Duration progressEvery = Duration.ofSeconds(progressSeconds);
    String run =
        Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    String password = System.getenv().getOrDefault(PASSWORD_ENV, "");
    List<String> databases = new ArrayList<>();
    LocalKafka localKafka = null;
    LocalClickHouse localClickHouse = null;
    String clickhouseUrl = servers.clickhouse();
    Map<Domain, String> topics = null;
    List<String> freshTopics = new ArrayList<>();
    List<String> historyTopics = new ArrayList<>();
    try {
      String bootstrap = servers.kafka();
      if (bootstrap == null) {
        localKafka = LocalKafka.start(partitions, Map.of());
        bootstrap = localKafka.bootstrapServers();
      }
      OptionalLong clickhousePid = OptionalLong.empty();
      if (clickhouseUrl == null
          && !skip.containsAll(
              EnumSet.of(Phase.loader, Phase.pulse, Phase.freshness, Phase.pages))) {
        localClickHouse = LocalClickHouse.start(null);
        clickhouseUrl = localClickHouse.httpUrl();
        clickhousePid = OptionalLong.of(localClickHouse.pid());
      }
      BenchReport report =
          new BenchReport(
              events,
              traffic.description(),
              partitions,
              parallelism,
              servers.kafka() == null ? "in-JVM broker " + bootstrap : bootstrap,
              clickhouseUrl == null ? "-" : describe(clickhouseUrl, password, localClickHouse));

      // Topics of its own per run: every phase, Pulse's job included, reads exactly the preload.
      // Only the consumer, loader and pulse phases read the preload.
      Preload.Loaded input = null;
      if (!skip.containsAll(EnumSet.of(Phase.consumer, Phase.loader, Phase.pulse))) {
        topics = topics(run);
        progress.printf(
            Locale.ROOT,
            "[bench] preloading %,d %s into %s%n",
            events,
            traffic.description(),
            String.join(", ", topics.values()));
        input =
            Preload.run(
                bootstrap,
                topics,
                partitions,
                traffic.simulation(events, eventsPerMinute, seed),
                progressEvery,
                progress);
        report.add(input.result());
      }

      if (!skip.contains(Phase.consumer)) {
        progress.println("[bench] phase consumer: a bare Kafka consumer drains the topic");
        report.add(
            ConsumerPhase.run(
                bootstrap,
                "pulse-bench-" + run + "-consumer",
                input,
                events,
                progressEvery,
                progress));
      }
      if (!skip.contains(Phase.loader)) {
        LoaderPhase.Target target =
            freshDatabase(clickhouseUrl, password, databasePrefix + "_" + run + "_loader");
        databases.add(target.database());
        progress.println(
            "[bench] phase loader: consume, decode, insert raw rows into " + target.database());
        report.add(
            LoaderPhase.run(
                bootstrap,
                "pulse-bench-" + run + "-loader",
                input,
                events,
                target,
                new LoaderPhase.Settings(loaderBatchRows, loaderDecoders, loaderInserts),
                clickhousePid,
                progressEvery,
                progress));
      }
      if (!skip.contains(Phase.pulse)) {
        LoaderPhase.Target target =
            freshDatabase(clickhouseUrl, password, databasePrefix + "_" + run + "_pulse");
        databases.add(target.database());
        progress.println(
            "[bench] phase pulse: the "
                + switch (traffic) {
                  case api -> "API metrics";
                  case classroom -> "classroom";
                  case playback -> "playback";
                  case mixed -> "four jobs' (API metrics, classroom, playback, probes)";
                }
                + " job on a MiniCluster into "
                + target.database());
        report.add(
            PulsePhase.run(
                bootstrap,
                "pulse-bench-" + run + "-pulse",
                input,
                events,
                target,
                traffic,
                new PulsePhase.JobSettings(
                    parallelism, checkpointInterval, jobSettings, flinkSettings),
                clickhousePid,
                progressEvery,
                progress));
      }
      if (!skip.contains(Phase.freshness)) {
        Optional<ApiServer> server = ApiServer.provided();
        if (server.isEmpty()) {
          progress.println(
              "[bench] phase freshness skipped: serving-api is not on this classpath (./pulse bench"
                  + " runs it)");
        } else {
          LoaderPhase.Target target =
              freshDatabase(clickhouseUrl, password, databasePrefix + "_" + run + "_fresh");
          databases.add(target.database());
          progress.println(
              "[bench] phase freshness: the API metrics job live and serving-api over "
                  + target.database());
          report.add(
              FreshnessPhase.run(
                  bootstrap,
                  run,
                  partitions,
                  target,
                  new PulsePhase.JobSettings(
                      parallelism, checkpointInterval, apiJobSettings(), flinkSettings),
                  server.get(),
                  new FreshnessPhase.Settings(
                      freshnessRate,
                      freshnessWarmup,
                      freshnessMinutes,
                      freshnessSeries,
                      freshnessPoll),
                  seed,
                  clickhousePid,
                  progressEvery,
                  progress));
          freshTopics.add("pulse.bench.fresh." + run);
        }
      }
      if (!skip.contains(Phase.pages)) {
        Optional<ApiServer> server = ApiServer.provided();
        if (server.isEmpty()) {
          progress.println(
              "[bench] phase pages skipped: serving-api is not on this classpath (./pulse bench"
                  + " runs it)");
        } else {
          LoaderPhase.Target target =
              freshDatabase(clickhouseUrl, password, databasePrefix + "_" + run + "_pages");
          databases.add(target.database());
          databases.add(PagesPhase.grownDatabase(target.database()));
          progress.println(
              "[bench] phase pages: a backfilled history, then every dashboard page through"
                  + " GraphQL and direct, over "
                  + target.database());
          historyTopics.addAll(PagesPhase.topics(run).values());
          PagesPhase.run(
                  bootstrap,
                  run,
                  partitions,
                  target,
                  new PulsePhase.JobSettings(parallelism, null, Map.of(), flinkSettings),
                  server.get(),
                  new PagesPhase.Settings(
                      pagesDays,
                      pagesApiPerMinute,
                      pagesViewsPerMinute,
                      pagesCalls,
                      pagesClients,
                      pagesCallsPerClient,
                      pagesGrowth),
                  seed,
                  clickhousePid,
                  progressEvery,
                  progress)
              .forEach(report::add);
        }
      }
      if (!skip.contains(Phase.memory)) {
        progress.printf(
            Locale.ROOT,
            "[bench] phase memory: %,d remembered ids in the dedup tables, then %,d live keys%n",
            memoryIds,
            memoryLiveKeys);
        report.add(MemoryPhase.run(memoryIds, seed, memoryLiveKeys, parallelism, progress));
      }
      report.print(out);
      out.flush();
      if (json != null) {
        report.writeJson(json);
        out.println("Results written to " + json);
      }
      return 0;
    } finally {
      if (!keepData && clickhouseUrl != null && localClickHouse == null) {
        dropDatabases(clickhouseUrl, password, databases);
      }
      if (!keepData && servers.kafka() != null) {
        try {
          List<String> all = new ArrayList<>(topics == null ? List.of() : topics.values());
          all.addAll(freshTopics);
          all.addAll(historyTopics);
          Preload.deleteTopics(servers.kafka(), all);
        } catch (BenchException e) {
          progress.println("[bench] " + e.getMessage());
        }
      }
      if (localClickHouse != null) {
        localClickHouse.close();
      }
      if (localKafka != null) {
        localKafka.close();
      }
    }
  }

  private void validate() {
    if (events <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --events " + events + ": must be > 0");
    }
    if (partitions <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --partitions " + partitions + ": must be > 0");
    }
    if (parallelism <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --parallelism " + parallelism + ": must be > 0");
    }
    if (loaderBatchRows <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --loader-batch-rows " + loaderBatchRows + ": must be > 0");
    }
    if (memoryIds <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --memory-ids " + memoryIds + ": must be > 0");
    }
    if (memoryLiveKeys < 1_000 || memoryLiveKeys > 5_000_000) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --memory-live-keys " + memoryLiveKeys + ": must be within 1000 .. 5000000");
    }
    if (loaderDecoders <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --loader-decoders " + loaderDecoders + ": must be > 0");
    }
    if (loaderInserts <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --loader-inserts " + loaderInserts + ": must be > 0");
    }
    if (!(freshnessRate > 0) || Double.isInfinite(freshnessRate)) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --freshness-rate " + freshnessRate + ": must be > 0");
    }
    if (freshnessMinutes <= 0 || freshnessSeries <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --freshness-minutes / --freshness-series: both must be > 0");
    }
    if (freshnessPoll.isNegative() || freshnessPoll.isZero() || freshnessWarmup.isNegative()) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --freshness-poll / --freshness-warmup: the poll must be > 0, the warm-up >= 0");
    }
    if (pagesDays <= 0 || pagesDays > 364) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --pages-days "
              + pagesDays
              + ": must be 1..364 (each copy of the history moves back 52 weeks)");
    }
    if (pagesCalls <= 0 || pagesClients <= 0 || pagesCallsPerClient <= 0) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --pages-calls / --pages-clients / --pages-calls-per-client: each"
              + " must be > 0");
    }
    if (pagesGrowth < 1 || pagesGrowth > 100) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --pages-growth " + pagesGrowth + ": must be 1..100");
    }
    if (!(pagesApiPerMinute > 0)
        || Double.isInfinite(pagesApiPerMinute)
        || !(pagesViewsPerMinute > 0)
        || Double.isInfinite(pagesViewsPerMinute)) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --pages-api-per-minute / --pages-views-per-minute: both must be > 0");
    }
    if (progressSeconds <= 0) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --progress-seconds " + progressSeconds + ": must be > 0");
    }
    if (!(eventsPerMinute > 0) || Double.isInfinite(eventsPerMinute)) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --events-per-minute " + eventsPerMinute + ": must be > 0");
    }
    if (checkpointInterval != null) {
      try {
        ApiMetricsConfig.fromMap(
            Map.of(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), checkpointInterval));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(), "Invalid --checkpoint-interval: " + e.getMessage());
      }
    }
    for (String key : jobSettings.keySet()) {
      if (PulsePhase.SET_BY_BENCH.contains(key)) {
        throw new ParameterException(
            spec.commandLine(),
            "Invalid --job-setting " + key + ": the bench sets it itself (use its own option)");
      }
    }
    try {
      switch (traffic) {
        case api -> ApiMetricsConfig.fromMap(jobSettings);
        case classroom -> ClassroomConfig.fromMap(jobSettings);
        case playback -> PlaybackConfig.fromMap(jobSettings);
        case mixed -> validateMixedSettings();
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "Invalid --job-setting: " + e.getMessage());
    }
  }

  /** The API job's share of {@code --job-setting} (all of it unless the traffic is mixed). */
  private Map<String, String> apiJobSettings() {
    Map<String, String> api = new LinkedHashMap<>();
    jobSettings.forEach(
        (key, value) -> {
          if (PulsePhase.options(Domain.API).stream().anyMatch(o -> o.key().equals(key))) {
            api.put(key, value);
          }
        });
    return api;
  }

  /** A duration flag: {@code 30s}, {@code 100ms}, {@code 2m}, as Flink's settings take them. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return org.apache.flink.util.TimeUtils.parseDuration(value);
      } catch (RuntimeException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration such as 30s, 100ms or 2m");
      }
    }
  }

  /**
   * Mixed traffic: each setting must be known to at least one of the four jobs, and each job must
   * accept those it knows.
   */
  private void validateMixedSettings() {
    for (String key : jobSettings.keySet()) {
      if (traffic.domains().stream()
          .noneMatch(d -> PulsePhase.options(d).stream().anyMatch(o -> o.key().equals(key)))) {
        throw new IllegalArgumentException("unknown setting " + key + " for every job");
      }
    }
    for (Domain domain : traffic.domains()) {
      Map<String, String> known = new LinkedHashMap<>();
      jobSettings.forEach(
          (key, value) -> {
            if (PulsePhase.options(domain).stream().anyMatch(o -> o.key().equals(key))) {
              known.put(key, value);
            }
          });
      PulsePhase.wireable(domain, known);
    }
  }

  /**
   * The run's topic per preloaded domain: {@code pulse.bench.<traffic>.<run>} for one domain, and
   * {@code pulse.bench.mixed.<run>.<domain>} for mixed traffic.
   */
  private Map<Domain, String> topics(String run) {
    Map<Domain, String> topics = new EnumMap<>(Domain.class);
    for (Domain domain : traffic.domains()) {
      topics.put(
          domain,
          traffic.domains().size() == 1
              ? "pulse.bench." + traffic + "." + run
              : "pulse.bench." + traffic + "." + run + "." + domain.cliName());
    }
    return topics;
  }

  /**
   * A new, migrated database for one phase, created once the server has finished merging what
   * earlier phases wrote: those background merges would otherwise take this phase's CPU.
   */
  private LoaderPhase.Target freshDatabase(String url, String password, String database) {
    try (ClickHouse client = ClickHouse.connect(url, user, password, null)) {
      client.execute("DROP DATABASE IF EXISTS " + SqlLiteral.identifier(database));
      new MigrationRunner(client, database).migrate();
      long deadline = System.nanoTime() + MERGE_WAIT.toNanos();
      while (client.query("SELECT count() AS v FROM system.merges").get(0).get("v").asLong() > 0
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while waiting for ClickHouse merges", e);
    }
    return new LoaderPhase.Target(url, user, password, database);
  }

  private void dropDatabases(String url, String password, List<String> databases) {
    if (databases.isEmpty()) {
      return;
    }
    try (ClickHouse client = ClickHouse.connect(url, user, password, null)) {
      for (String db : databases) {
        client.execute("DROP DATABASE IF EXISTS " + SqlLiteral.identifier(db));
      }
    } catch (RuntimeException e) {
      spec.commandLine()
          .getErr()
          .println(
              "[bench] could not drop the bench databases " + databases + ": " + e.getMessage());
    }
  }

  private String describe(String url, String password, LocalClickHouse local) {
    if (local != null) {
      return "private clickhouse-server "
          + local.version()
          + " (pid "
          + local.pid()
          + ") at "
          + url;
    }
    try (ClickHouse client = ClickHouse.connect(url, user, password, null)) {
      return "ClickHouse " + client.serverVersion() + " at " + url;
    }
  }
}
