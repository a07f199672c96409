package dev.pulse.launcher;

import dev.pulse.cli.ConnectionFlags;
import dev.pulse.cli.ServerOptions;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.slo.SloSettings;
import dev.pulse.local.ClickHouseUser;
import dev.pulse.local.LocalClickHouse;
import dev.pulse.local.LocalKafka;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.Incident;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.io.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pulse demo}: the whole stack on this machine, fed live by the simulator: an in-JVM Kafka
 * broker, a private ClickHouse server, the Flink job on a local MiniCluster, serving-api with the
 * dashboards, and simulated traffic in real time. Ctrl-C stops everything in order.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole Pulse stack on this machine with simulated live traffic, and print the",
      "dashboard URLs and sign-in tokens. Ctrl-C stops everything.",
      "",
      "Kafka always starts empty. ClickHouse keeps its data in --data-dir between runs",
      "(new runs add new minutes; nothing is counted twice); --fresh deletes it first."
    })
public final class DemoCommand implements Callable<Integer> {

  /**
   * Checkpoints (and so minute-fact commits) every 2 s: minutes show a few seconds after closing.
   */
  private static final Duration DEMO_CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

  /** Partitions of each demo topic: more than one, as in production, on a 2-core laptop. */
  private static final int DEMO_PARTITIONS = 2;

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = ".pulse/demo",
      description = "Where the demo's ClickHouse keeps its data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--fresh", description = "Delete the data from earlier demo runs first.")
  boolean fresh;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "HTTP port of the dashboards and GraphQL API (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--flink-ui-port",
      paramLabel = "PORT",
      defaultValue = "8081",
      description = "Port of the Flink web UI (default: ${DEFAULT-VALUE}).")
  int flinkUiPort;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description =
          "Address the dashboards, the GraphQL API and the Flink web UI listen on (default: "
              + "${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every interface).")
  String bind;

  @Option(
      names = "--sign-in-minutes",
      paramLabel = "N",
      defaultValue = "60",
      description =
          "How long the demo's sign-in links stay valid (default: ${DEFAULT-VALUE}); fresh "
              + "links are written to <data-dir>/sign-in-links.txt every half of it.")
  int signInMinutes;

  @Mixin ServerOptions servers;

  @Option(
      names = "--database",
      paramLabel = "NAME",
      defaultValue = "pulse",
      converter = ConnectionFlags.Identifier.class,
      description = "ClickHouse database (default: ${DEFAULT-VALUE}).")
  String database;

  // High enough that the quiet hours of the school-day curve (5% of the peak) still draw charts.
  @Option(
      names = "--api-per-minute",
      paramLabel = "N",
      defaultValue = "120000",
      description =
          "Simulated API requests per minute at the daily peak; the school-day load "
              + "curve scales it by the hour (default: ${DEFAULT-VALUE}).")
  double apiPerMinute;

  // Views last minutes, and QoE numbers count a view when it ends: enough views start that the QoE
  // page ranks CDNs and regions a few minutes in, even in the quiet hours of the evening curve.
  @Option(
      names = "--views-per-minute",
      paramLabel = "N",
      defaultValue = "400",
      description =
          "Simulated video views started per minute at the evening peak; the evening load "
              + "curve scales it by the hour (default: ${DEFAULT-VALUE}).")
  double viewsPerMinute;

  @Option(
      names = "--alertmanager",
      paramLabel = "URL",
      split = ",",
      description =
          "An Alertmanager to push the SLO alerts to (its address, e.g. http://localhost:9093;"
              + " repeat or separate with commas). Pages and tickets go to POST /api/v2/alerts"
              + " with labels slo, service, severity, tenant and row (docs/slo.md).")
  List<URI> alertmanagers = new ArrayList<>();

  @Option(
      names = "--faults",
      paramLabel = "FRACTION",
      defaultValue = "0.002",
      description =
          "Fraction of records sent as duplicates, and separately as malformed, "
              + "out-of-order and late records, to show dead-lettering and dedup (default: ${DEFAULT-VALUE}; 0 = none).")
  double faults;

  @Override
  public Integer call() throws Exception {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    OrderedStop stop = new OrderedStop(out).onSignals();
    // Any other way the JVM ends (SIGHUP, System.exit elsewhere) still stops everything in order.
    Thread exitHook = new Thread(stop::stopAll, "pulse-demo-stop");
    Runtime.getRuntime().addShutdownHook(exitHook);
    try {
      String bootstrap = servers.kafka();
      if (bootstrap == null) {
        bootstrap =
            stop.add("Kafka", LocalKafka.start(2, Map.of()).withoutExitHook()).bootstrapServers();
      }
      String clickhouseUrl = servers.clickhouse();
      LocalClickHouse localClickHouse = null;
      if (clickhouseUrl == null) {
        Path dir = dataDir.resolve("clickhouse").toAbsolutePath();
        out.println(
            Files.isDirectory(dir.resolve("data")) && !fresh
                ? "Keeping ClickHouse data from earlier demo runs in "
                    + dir
                    + " (--fresh starts over)."
                : "Starting with an empty ClickHouse in " + dir + ".");
        if (fresh) {
          FileUtils.deleteDirectory(dir.toFile());
          FileUtils.deleteDirectory(dataDir.resolve("savepoints").toFile());
        }
        localClickHouse = stop.add("ClickHouse", LocalClickHouse.start(dir).withoutExitHook());
        clickhouseUrl = localClickHouse.httpUrl();
      }

      Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      SimulationConfig simulation = simulation(start);
      DemoIdentity identity =
          DemoIdentity.create(
              dataDir.resolve("identity").toAbsolutePath(), Duration.ofMinutes(signInMinutes));
      List<DemoPeople.Link> people = DemoPeople.of(new Simulator(simulation));
      Map<String, String> api = new LinkedHashMap<>(identity.apiProperties());
      // Prometheus reads /actuator/prometheus as "prometheus" with this password (new each start).
      api.put("pulse.metrics.scrape-password", scrapePassword);
      api.put("pulse.metrics.flink-rest-url", "http://127.0.0.1:" + flinkUiPort);
      if (!alertmanagers.isEmpty()) {
        api.put(
            "pulse.slo.alertmanager.urls",
            String.join(",", alertmanagers.stream().map(URI::toString).toList()));
        api.put("pulse.slo.alertmanager.dashboard-url", baseUrl());
      }
      // The demo is a development setting: GraphiQL and introspection on.
      api.put("spring.profiles.active", "dev");
      Map<String, String> job = new LinkedHashMap<>();
      // The example SLOs of the simulated services (slos/), evaluated per institution.
      job.put(SloSettings.EXAMPLES.key(), "true");
      if (localClickHouse != null) {
        // Each part as its own ClickHouse user, as deployed: the API reads as the read-only
        // pulse_api, the job and the audit trail write as pulse_writer (migrations: default).
        ClickHouseUser reader = localClickHouse.apiUser();
        ClickHouseUser writer = localClickHouse.writerUser();
        api.put("pulse.clickhouse.user", reader.name());
        api.put("pulse.clickhouse.password", reader.password());
        api.put("pulse.audit.user", writer.name());
        api.put("pulse.audit.password", writer.password());
        job.put(ClickHouseSettings.USER.key(), writer.name());
        job.put(ClickHouseSettings.PASSWORD.key(), writer.password());
      }
      Path savepoints = dataDir.resolve("savepoints").toAbsolutePath();
      PulseStack stack =
          PulseStack.start(
              new PulseStack.Settings(
                  bootstrap,
                  clickhouseUrl,
                  "default",
                  "",
                  database,
                  bind,
                  port,
                  flinkUiPort,
                  api,
                  DEMO_CHECKPOINT_INTERVAL,
                  DEMO_PARTITIONS,
                  job,
                  savepoints));
      stop.add("GraphQL API and dashboards", stack::stopApi);
      stop.add(
          "Flink job (savepoint in " + savepoints + ")",
          () -> {
            String path = stack.stopJob();
            if (path != null) {
              out.println("  savepoint " + path);
            }
          });

      List<AnalystAccess.Analyst> analysts = List.of();
      if (localClickHouse != null) {
        out.println("Giving each institution's analysts a database of their rows and a user.");
        analysts = analysts(localClickHouse, people);
      }

      Feeder feeder = stop.add("simulator", new Feeder(simulation, bootstrap));
      feeder.start();

      Path linksFile = dataDir.resolve("sign-in-links.txt").toAbsolutePath();
      stop.add("sign-in links", DemoPeople.refreshEvery(identity, people, baseUrl(), linksFile));
      printWelcome(
          out,
          bootstrap,
          clickhouseUrl,
          identity,
          people,
          linksFile,
          analysts,
          localClickHouse,
          simulation,
          simulation.incidents());
      stop.awaitRequest();
      stop.stopAll();
      return 0;
    } catch (Exception | Error e) {
      stop.stopAll();
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(exitHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting: the hook runs, and finds nothing left to stop
      }
    }
  }

  /**
   * A tenant database and an analyst user for each institution of the demo, on its own server (as
   * {@code pulse analysts} does on an existing one).
   */
  private List<AnalystAccess.Analyst> analysts(
      LocalClickHouse clickHouse, List<DemoPeople.Link> people) {
    List<String> tenants = people.stream().map(link -> link.person().tenant()).distinct().toList();
    try (ClickHouse admin = ClickHouse.connect(clickHouse.httpUrl(), "default", "", null)) {
      return new AnalystAccess(
              clickHouse.configDir(), "127.0.0.1", clickHouse.tcpPort(), List.of("127.0.0.1"))
          .grant(admin, clickHouse.httpUrl(), database, tenants);
    }
  }

  /** How soon after the demo starts its first class begins. */
  static final Duration FIRST_CLASS_AFTER = Duration.ofMinutes(3);

  private SimulationConfig simulation(Instant start) {
    FaultConfig faultConfig =
        faults == 0 ? FaultConfig.NONE : new FaultConfig(faults, faults, faults / 4, faults);
    // Incidents shortly after start, so the SRE page shows one within the first half hour.
    List<Incident> incidents =
        List.of(
            new Incident(
                Incident.Kind.ERROR_SPIKE,
                "sessions-api",
                null,
                start.plus(Duration.ofMinutes(6)),
                Duration.ofMinutes(4),
                0.25),
            new Incident(
                Incident.Kind.LATENCY_REGRESSION,
                "video-api",
                "/videos/{videoId}/manifest",
                start.plus(Duration.ofMinutes(12)),
                Duration.ofMinutes(6),
                5.0),
            new Incident(
                Incident.Kind.OUTAGE,
                "grades-api",
                null,
                start.plus(Duration.ofMinutes(20)),
                Duration.ofMinutes(3),
                1.0));
    SimulationConfig config =
        SimulationConfig.defaults()
            // A new seed each run: events of a second run must not share event ids with the first.
            .withSeed(start.toEpochMilli())
            .withStart(start)
            .withDuration(Duration.ofDays(7))
            .withRates(apiPerMinute, viewsPerMinute)
            .withIncidents(incidents)
            .withFaults(faultConfig);
    // Classes whenever the demo runs: today is a Monday whose first class starts 3 minutes in.
    Duration beforeFirstClass =
        Duration.between(Simulator.firstPeriod(), new Simulator(config).firstClassOfTheDay());
    return config.withSchoolDayStart(start.plus(FIRST_CLASS_AFTER).minus(beforeFirstClass));
  }

  /** The host people open: this machine's name when bound to loopback or every interface. */
  private String host() {
    boolean local = bind.equals("127.0.0.1") || bind.equals("0.0.0.0") || bind.equals("::");
    return local ? "localhost" : bind;
  }

  private String baseUrl() {
    return "http://" + host() + ":" + port;
  }

  private void printWelcome(
      PrintWriter out,
      String bootstrap,
      String clickhouseUrl,
      DemoIdentity identity,
      List<DemoPeople.Link> people,
      Path linksFile,
      List<AnalystAccess.Analyst> analysts,
      LocalClickHouse localClickHouse,
      SimulationConfig simulation,
      List<Incident> incidents) {
    String base = baseUrl();
    out.println();
    out.println("Pulse is running.");
    out.println();
    out.printf("  SRE dashboard   %s/sre/service.html%n", base);
    out.printf("  Video QoE       %s/sre/qoe.html%n", base);
    out.printf("  SLOs            %s/sre/slos.html%n", base);
    out.printf("  Uptime          %s/sre/uptime.html%n", base);
    out.printf("  GraphiQL        %s/graphiql%n", base);
    out.printf("  Readiness       %s/actuator/health/readiness%n", base);
    out.printf("  Flink web UI    http://%s:%d%n", host(), flinkUiPort);
    out.printf("  Kafka           %s%n", bootstrap);
    out.printf("  ClickHouse      %s (database %s)%n", clickhouseUrl, database);
    out.printf(
        "  Prometheus      scrape %s/actuator/prometheus with basic_auth prometheus / %s%n",
        base, scrapePassword);
    out.printf(
        "  Alertmanager    %s%n",
        alertmanagers.isEmpty()
            ? "none (--alertmanager URL pushes the SLO alerts to one)"
            : alertmanagers.stream().map(URI::toString).toList());
    out.println();
    out.printf(
        "Sign in as a demo person by opening their link (valid %d minutes; fresh links in %s):%n",
        identity.lifetime().toMinutes(), linksFile);
    Simulator simulator = new Simulator(simulation);
    LocalTime firstClass = simulator.firstClassOfTheDay();
    for (DemoPeople.Link link : people) {
      boolean live =
          link.person().roles().contains("educator")
              && firstClass.equals(simulator.firstClassOfTheDay(link.person().tenant()));
      boolean slowCdn =
          link.person().roles().contains("sre")
              && simulator.viewersNearTheSlowCdn(link.person().tenant());
      out.printf(
          "  %-40s %s%n",
          link.person().name()
              + (live ? " (class live in ~3 min)" : "")
              + (slowCdn ? " (video QoE: a slow CDN)" : ""),
          link.url(base, identity.token(link.person())));
    }
    out.println(
        "For GraphiQL, add the header {\"Authorization\": \"Bearer <token>\"}: the token is"
            + " the part after #token= of a link.");
    if (!analysts.isEmpty()) {
      out.println();
      out.println(
          "SQL for each institution's analysts, read only, their own rows (docs/sql-cookbook.md);"
              + " new passwords at each start:");
      for (AnalystAccess.Analyst a : analysts) {
        out.printf(
            "  clickhouse-client --port %d --user %s --password %s --database %s%n",
            localClickHouse.tcpPort(), a.user(), a.password(), a.database());
      }
    }
    out.println();
    out.println("Simulated incidents (UTC):");
    for (Incident i : incidents) {
      out.printf(
          "  %-19s %-12s %s from %s for %d min%n",
          i.kind(),
          i.service(),
          i.endpoint() == null ? "" : i.endpoint(),
          i.start(),
          i.duration().toMinutes());
    }
    out.println();
    out.println(
        "Minutes appear on the dashboard a few seconds after they close. Press Ctrl-C to stop.");
    out.flush();
  }

  /** A new password each start: printed once, for the user's own Prometheus. */
  private final String scrapePassword = newPassword();

  private static String newPassword() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private void validate() {
    for (URI am : alertmanagers) {
      if (!("http".equals(am.getScheme()) || "https".equals(am.getScheme()))
          || am.getHost() == null) {
        throw new ParameterException(
            spec.commandLine(),
            "Invalid --alertmanager "
                + am
                + ": expected an http(s) URL such as http://localhost:9093");
      }
    }
    if (port < 1 || port > 65535) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --port " + port + ": expected 1-65535");
    }
    if (flinkUiPort < 1 || flinkUiPort > 65535 || flinkUiPort == port) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --flink-ui-port " + flinkUiPort + ": expected 1-65535, other than --port");
    }
    for (int p : new int[] {port, flinkUiPort}) {
      try (ServerSocket socket = new ServerSocket(p)) {
        socket.setReuseAddress(true);
      } catch (IOException e) {
        throw new ParameterException(
            spec.commandLine(),
            "Port "
                + p
                + " is in use (another demo running?): "
                + "stop it, or choose another with "
                + (p == port ? "--port" : "--flink-ui-port"));
      }
    }
    if (signInMinutes < 1 || signInMinutes > 24 * 60) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --sign-in-minutes " + signInMinutes + ": expected 1 to 1440 (a day)");
    }
    try {
      java.net.InetAddress.getByName(bind);
    } catch (java.net.UnknownHostException e) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --bind " + bind + ": not an address of this machine");
    }
    if (!(apiPerMinute > 0 && apiPerMinute <= 10_000_000)) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --api-per-minute "
              + apiPerMinute
              + ": expected more than 0 and at most 10,000,000");
    }
    if (!(viewsPerMinute > 0 && viewsPerMinute <= 100_000)) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid --views-per-minute "
              + viewsPerMinute
              + ": expected more than 0 and at most 100,000");
    }
    if (!(faults >= 0 && faults <= 0.2)) {
      throw new ParameterException(
          spec.commandLine(), "Invalid --faults " + faults + ": expected 0 to 0.2");
    }
  }

  /**
   * Sends the simulated events to Kafka in real time: each record when the wall clock reaches its
   * event time (late and out-of-order records, whose time has passed, go at once).
   */
  static final class Feeder implements AutoCloseable {
    private final Simulator simulator;
    private final KafkaEventWriter writer;
    private final Thread thread;
    private volatile boolean running = true;

    Feeder(SimulationConfig config, String bootstrap) {
      this.simulator = new Simulator(config);
      this.writer = new KafkaEventWriter(bootstrap);
      this.thread = new Thread(this::run, "pulse-demo-simulator");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      Simulator.RecordStream records = simulator.records();
      long sent = 0;
      long lastReport = System.currentTimeMillis();
      try {
        while (running && records.hasNext()) {
          SimulatedRecord record = records.next();
          long wait = record.eventTime().toEpochMilli() - System.currentTimeMillis();
          if (wait > 0) {
            writer.flush();
            Thread.sleep(wait);
          }
          writer.send(record);
          sent++;
          long now = System.currentTimeMillis();
          if (now - lastReport >= 60_000) {
            System.err.printf(
                Locale.ROOT,
                "pulse demo: %,d simulated events sent (%s)%n",
                sent,
                records.report().summary());
            lastReport = now;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        if (running) {
          System.err.println("pulse demo: the simulator stopped: " + e.getMessage());
        }
      }
    }

    @Override
    public void close() {
      running = false;
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      writer.close();
    }
  }
}
