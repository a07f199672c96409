package dev.pulse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.api.ApiMetricsJob;
import dev.pulse.flink.classroom.ClassroomConfig;
import dev.pulse.flink.classroom.ClassroomJob;
import dev.pulse.flink.common.LocalClusters;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.playback.PlaybackConfig;
import dev.pulse.flink.playback.PlaybackJob;
import dev.pulse.flink.probes.ProbeConfig;
import dev.pulse.flink.probes.ProbeJob;
import dev.pulse.flink.slo.SloSettings;
import dev.pulse.flink.slo.sinks.SloSinks;
import dev.pulse.simulator.Domain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.commons.io.FileUtils;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Pulse end to end: the traffic's job exactly as production wires it on a local Flink MiniCluster,
 * reading the preloaded topic from its start into a fresh database. API traffic: the API metrics
 * job ({@link ApiMetricsJob#wire}), done when {@code api_requests_raw} holds every event and the
 * minute facts (plus late events) cover every minute the watermark can close; then the job is
 * cancelled. Classroom and playback traffic: {@link #runBounded}.
 */
final class PulsePhase {

  private static final long POLL_MILLIS = 250;

  private PulsePhase() {}

  /**
   * Job settings the bench derives from its own options and the run; {@code --job-setting} may not
   * override them.
   */
  static final Set<String> SET_BY_BENCH =
      Set.of(
          KafkaSettings.BOOTSTRAP_SERVERS.key(),
          KafkaSettings.GROUP_ID.key(),
          KafkaSettings.TOPIC.key(),
          KafkaSettings.DEAD_LETTER_TOPIC.key(),
          ClickHouseSettings.URL.key(),
          ClickHouseSettings.USER.key(),
          ClickHouseSettings.PASSWORD.key(),
          ClickHouseSettings.DATABASE.key(),
          ApiMetricsConfig.PARALLELISM.key(),
          ApiMetricsConfig.CHECKPOINT_INTERVAL.key());

  /**
   * How to run the job.
   *
   * @param parallelism the job's parallelism (MiniCluster slots)
   * @param checkpointInterval the job's checkpoint interval, or null for the job's default
   * @param extra other job settings (keys as in flink-jobs/README.md), none of {@link
   *     #SET_BY_BENCH}
   * @param flink Flink configuration options for the MiniCluster (e.g. pipeline.object-reuse)
   */
  record JobSettings(
      int parallelism,
      String checkpointInterval,
      Map<String, String> extra,
      Map<String, String> flink) {
    JobSettings {
      extra = Map.copyOf(extra);
      flink = Map.copyOf(flink);
    }
  }

  static PhaseResult run(
      String bootstrap,
      String groupId,
      Preload.Loaded input,
      long events,
      LoaderPhase.Target target,
      Traffic traffic,
      JobSettings settings,
      OptionalLong clickhousePid,
      Duration progressEvery,
      PrintWriter progress) {
    if (traffic != Traffic.api) {
      return runBounded(
          traffic,
          bootstrap,
          groupId,
          input,
          events,
          target,
          settings,
          clickhousePid,
          progressEvery,
          progress);
    }
    ApiMetricsConfig config =
        ApiMetricsConfig.fromMap(jobSettings(bootstrap, groupId, input, target, settings));
    long closable = input.inClosableMinutes(config.semantics().stream().outOfOrderness());
    Duration timeout = ProgressWatch.timeoutFor(events);
    ProgressWatch watch =
        new ProgressWatch(
            "pulse", events, timeout, Duration.ofSeconds(60), progressEvery, progress);
    ResourceMeter meter = ResourceMeter.start(clickhousePid);
    Path checkpoints = tempDir();
    CheckpointSize checkpointBytes = new CheckpointSize();
    long startNanos = System.nanoTime();
    JobClient job =
        submit(settings, checkpoints, env -> ApiMetricsJob.wire(env, config), "API metrics");
    Map<String, Object> details = new LinkedHashMap<>();
    try (ClickHouse db =
        ClickHouse.connect(target.url(), target.user(), target.password(), target.database())) {
      long raw = 0;
      while (!watch.update(raw)) {
        sleep(POLL_MILLIS);
        checkpointBytes.observe(checkpoints);
        checkRunning(job);
        raw = rawEvents(db, traffic, events);
      }
      double rawSeconds = (System.nanoTime() - startNanos) / 1e9;
      // Facts arrive at checkpoints (exactly-once commits), after the watermark has closed the
      // minute.
      long counted = 0;
      long lastMove = System.nanoTime();
      while (true) {
        long now = countedInFactsAndLate(db);
        if (now >= closable) {
          counted = now;
          break;
        }
        if (now != counted) {
          counted = now;
          lastMove = System.nanoTime();
        }
        if (System.nanoTime() - lastMove > Duration.ofSeconds(60).toNanos()) {
          throw new BenchException(
              String.format(
                  Locale.ROOT,
                  "pulse: minute facts stalled for 60 s: they count %,d events (with late events), the closable minutes hold %,d",
                  counted,
                  closable));
        }
        if (System.nanoTime() - startNanos > timeout.toNanos()) {
          throw new BenchException(
              String.format(
                  Locale.ROOT,
                  "pulse: minute facts not caught up within %d s: %,d of %,d events",
                  timeout.toSeconds(),
                  counted,
                  closable));
        }
        checkRunning(job);
        sleep(POLL_MILLIS);
        checkpointBytes.observe(checkpoints);
      }
      watch.done();
      details.put("rawRowsAfterSeconds", rawSeconds);
      details.put("largestCheckpointBytes", checkpointBytes.largest);
      details.put("factsCaughtUpAfterSeconds", (System.nanoTime() - startNanos) / 1e9);
      details.put("closableEvents", closable);
      details.put("database", target.database());
      details.put("topic", input.topic());
      details.put("parallelism", settings.parallelism());
      details.put("checkpointInterval", config.checkpointInterval().toString());
      details.put("jobSettings", settings.extra());
      details.put("flinkSettings", settings.flink());
    } finally {
      cancel(job);
      FileUtils.deleteQuietly(checkpoints.toFile());
    }
    ResourceMeter.Usage usage = meter.stop();
    // Counted after the job stopped, so the figures are final.
    try (ClickHouse db =
        ClickHouse.connect(target.url(), target.user(), target.password(), target.database())) {
      JsonNode raw =
          db.query("SELECT count() AS rows, uniqExact(event_id) AS events FROM api_requests_raw")
              .get(0);
      JsonNode facts =
          db.query("SELECT count() AS rows, sum(requests) AS requests FROM api_request_minutes")
              .get(0);
      details.put("rawRows", raw.get("rows").asLong());
      details.put("rawDistinctEvents", raw.get("events").asLong());
      details.put("minuteFactRows", facts.get("rows").asLong());
      details.put("minuteFactRequests", facts.get("requests").asLong());
      details.put("lateEvents", longValue(db, "SELECT count() AS v FROM api_requests_late FINAL"));
      details.put("deadLetters", longValue(db, "SELECT count() AS v FROM dead_letters FINAL"));
    }
    return watch.result(events, usage, details);
  }

  /** The job's settings: the bench's own over {@code --job-setting}'s. */
  static Map<String, String> jobSettings(
      String bootstrap,
      String groupId,
      Preload.Loaded input,
      LoaderPhase.Target target,
      JobSettings settings) {
    return jobSettings(bootstrap, groupId, input.topic(), target, settings, settings.extra());
  }

  /** One job's settings: the bench's own over {@code extra}. */
  static Map<String, String> jobSettings(
      String bootstrap,
      String groupId,
      String topic,
      LoaderPhase.Target target,
      JobSettings settings,
      Map<String, String> extra) {
    Map<String, String> job = new HashMap<>(extra);
    job.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), bootstrap);
    job.put(KafkaSettings.GROUP_ID.key(), groupId);
    job.put(KafkaSettings.TOPIC.key(), topic);
    job.put(KafkaSettings.DEAD_LETTER_TOPIC.key(), Preload.deadLetterTopic(topic));
    job.put(ClickHouseSettings.URL.key(), target.url());
    job.put(ClickHouseSettings.USER.key(), target.user());
    job.put(ClickHouseSettings.PASSWORD.key(), target.password());
    job.put(ClickHouseSettings.DATABASE.key(), target.database());
    job.put(ApiMetricsConfig.PARALLELISM.key(), Integer.toString(settings.parallelism()));
    if (settings.checkpointInterval() != null) {
      job.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), settings.checkpointInterval());
    }
    return job;
  }

  /**
   * The settings of {@code domain}'s job in a mixed run: its own topic and group, the example SLOs
   * (as the demo runs them) with the run's alert topic, and those of {@code --job-setting} it
   * knows.
   */
  static Map<String, String> mixedJobSettings(
      Domain domain,
      String bootstrap,
      String groupId,
      Preload.Loaded input,
      LoaderPhase.Target target,
      JobSettings settings) {
    List<ConfigOption<?>> known = options(domain);
    Map<String, String> extra = new HashMap<>();
    if (known.contains(SloSettings.EXAMPLES)) {
      extra.put(SloSettings.EXAMPLES.key(), "true");
      extra.put(SloSettings.ALERT_TOPIC.key(), alertTopic(input));
    }
    settings.extra().entrySet().stream()
        .filter(e -> known.stream().anyMatch(o -> o.key().equals(e.getKey())))
        .forEach(e -> extra.put(e.getKey(), e.getValue()));
    return jobSettings(
        bootstrap,
        groupId + "-" + domain.cliName(),
        input.topics().get(domain),
        target,
        settings,
        extra);
  }

  /** The settings {@code domain}'s job knows. */
  static List<ConfigOption<?>> options(Domain domain) {
    return switch (domain) {
      case API -> ApiMetricsConfig.OPTIONS;
      case CLASSROOM -> ClassroomConfig.OPTIONS;
      case PLAYBACK -> PlaybackConfig.OPTIONS;
      case PROBES -> ProbeConfig.OPTIONS;
    };
  }

  /** The SLO alert topic of a mixed run, next to its input topics. */
  static String alertTopic(Preload.Loaded input) {
    return input.topics().get(Domain.API) + ".slo-alerts";
  }

  /** Checks that {@code domain}'s job accepts {@code settings}; throws what its parser throws. */
  static void wireable(Domain domain, Map<String, String> settings) {
    switch (domain) {
      case API -> ApiMetricsConfig.fromMap(settings);
      case CLASSROOM -> ClassroomConfig.fromMap(settings);
      case PLAYBACK -> PlaybackConfig.fromMap(settings);
      case PROBES -> ProbeConfig.fromMap(settings);
    }
  }

  /** Adds {@code domain}'s job, as production wires it, to {@code env}. */
  private static void wire(StreamExecutionEnvironment env, Domain domain, Map<String, String> job) {
    switch (domain) {
      case API -> ApiMetricsJob.wire(env, ApiMetricsConfig.fromMap(job));
      case CLASSROOM -> ClassroomJob.wire(env, ClassroomConfig.fromMap(job), Clock.systemUTC());
      case PLAYBACK -> PlaybackJob.wire(env, PlaybackConfig.fromMap(job), Clock.systemUTC());
      case PROBES -> ProbeJob.wire(env, ProbeConfig.fromMap(job), Clock.systemUTC());
    }
  }

  /**
   * Pulse on classroom, playback or mixed traffic: the classroom job ({@link ClassroomJob#wire}),
   * the playback job ({@link PlaybackJob#wire}), or all four jobs in one Flink job as the demo runs
   * them, wired as production wires them and reading the preload bounded, so that at its end the
   * watermark passes every session, view and minute: done when the raw tables hold every event and
   * the job has finished, every session or view ended and its facts committed.
   */
  private static PhaseResult runBounded(
      Traffic traffic,
      String bootstrap,
      String groupId,
      Preload.Loaded input,
      long events,
      LoaderPhase.Target target,
      JobSettings settings,
      OptionalLong clickhousePid,
      Duration progressEvery,
      PrintWriter progress) {
    String kind = traffic.toString();
    Map<Domain, Map<String, String>> jobs = new EnumMap<>(Domain.class);
    if (traffic == Traffic.mixed) {
      for (Domain domain : traffic.domains()) {
        Map<String, String> job =
            mixedJobSettings(domain, bootstrap, groupId, input, target, settings);
        job.put(KafkaSettings.BOUNDED.key(), "true");
        jobs.put(domain, job);
      }
      Topics.ensure(
          bootstrap,
          SloSinks.alertTopic(alertTopic(input)),
          OptionalInt.empty(),
          Duration.ofSeconds(30));
    } else {
      Map<String, String> job = jobSettings(bootstrap, groupId, input, target, settings);
      job.put(KafkaSettings.BOUNDED.key(), "true");
      jobs.put(traffic.domains().get(0), job);
    }
    Duration checkpointInterval =
        ApiMetricsConfig.fromMap(
                Map.of(
                    ApiMetricsConfig.CHECKPOINT_INTERVAL.key(),
                    jobs.values()
                        .iterator()
                        .next()
                        .getOrDefault(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), "10s")))
            .checkpointInterval();
    Consumer<StreamExecutionEnvironment> wiring =
        env -> jobs.forEach((domain, job) -> wire(env, domain, job));
    Duration timeout = ProgressWatch.timeoutFor(events);
    ProgressWatch watch =
        new ProgressWatch(
            "pulse", events, timeout, Duration.ofSeconds(60), progressEvery, progress);
    ResourceMeter meter = ResourceMeter.start(clickhousePid);
    Path checkpoints = tempDir();
    CheckpointSize checkpointBytes = new CheckpointSize();
    long startNanos = System.nanoTime();
    JobClient client = submit(settings, checkpoints, wiring, kind);
    Map<String, Object> details = new LinkedHashMap<>();
    try (ClickHouse db =
        ClickHouse.connect(target.url(), target.user(), target.password(), target.database())) {
      long raw = 0;
      while (!watch.update(raw)) {
        sleep(POLL_MILLIS);
        checkpointBytes.observe(checkpoints);
        // It may finish now: every raw row is committed before a bounded job ends.
        boolean finished = finishedOrRunning(client);
        raw = rawEvents(db, traffic, events);
        if (finished && raw < events) {
          throw new BenchException(
              String.format(
                  Locale.ROOT,
                  "pulse: the %s job finished with %,d of %,d events in %s",
                  kind,
                  raw,
                  events,
                  String.join(", ", traffic.rawTables())));
        }
      }
      details.put("rawRowsAfterSeconds", (System.nanoTime() - startNanos) / 1e9);
      long left = timeout.toNanos() - (System.nanoTime() - startNanos);
      try {
        client.getJobExecutionResult().get(Math.max(left, 1), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new BenchException(
            "pulse: the " + kind + " job did not finish within " + timeout.toSeconds() + " s", e);
      } catch (ExecutionException e) {
        throw new BenchException("pulse: the " + kind + " job failed: " + rootCause(e), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("pulse phase interrupted", e);
      }
      watch.done();
      details.put("jobFinishedAfterSeconds", (System.nanoTime() - startNanos) / 1e9);
      details.put("largestCheckpointBytes", checkpointBytes.largest);
      details.put("database", target.database());
      details.put("topic", input.topic());
      details.put("parallelism", settings.parallelism());
      details.put("checkpointInterval", checkpointInterval.toString());
      details.put("jobSettings", settings.extra());
      details.put("flinkSettings", settings.flink());
    } finally {
      cancel(client);
      FileUtils.deleteQuietly(checkpoints.toFile());
    }
    ResourceMeter.Usage usage = meter.stop();
    try (ClickHouse db =
        ClickHouse.connect(target.url(), target.user(), target.password(), target.database())) {
      long rawRows = 0;
      long rawDistinct = 0;
      for (String table : traffic.rawTables()) {
        JsonNode raw =
            db.query("SELECT count() AS rows, uniqExact(event_id) AS events FROM " + table).get(0);
        rawRows += raw.get("rows").asLong();
        rawDistinct += raw.get("events").asLong();
      }
      details.put("rawRows", rawRows);
      details.put("rawDistinctEvents", rawDistinct);
      long late = 0;
      for (Domain domain : traffic.domains()) {
        switch (domain) {
          case API -> {
            details.put(
                "minuteFactRequests",
                longValue(db, "SELECT sum(requests) AS v FROM api_request_minutes"));
            late += longValue(db, "SELECT count() AS v FROM api_requests_late FINAL");
          }
          case CLASSROOM -> {
            details.put(
                "sessionMinuteRows",
                longValue(db, "SELECT count() AS v FROM classroom_session_minutes"));
            details.put(
                "learnerSessionRows",
                longValue(db, "SELECT count() AS v FROM classroom_learner_sessions"));
            details.put(
                "sessionRows", longValue(db, "SELECT count() AS v FROM classroom_sessions"));
            late += longValue(db, "SELECT count() AS v FROM classroom_events_late FINAL");
          }
          case PLAYBACK -> {
            details.put("viewRows", longValue(db, "SELECT count() AS v FROM playback_views FINAL"));
            details.put(
                "qoeMinuteRows", longValue(db, "SELECT count() AS v FROM playback_minutes"));
            late += longValue(db, "SELECT count() AS v FROM playback_events_late FINAL");
          }
          case PROBES -> {
            details.put(
                "probeMinuteChecks", longValue(db, "SELECT sum(checks) AS v FROM probe_minutes"));
            late += longValue(db, "SELECT count() AS v FROM probe_results_late FINAL");
          }
        }
      }
      if (traffic == Traffic.mixed) {
        details.put("sloStatusRows", longValue(db, "SELECT count() AS v FROM slo_status FINAL"));
      }
      details.put("lateEvents", late);
      details.put("deadLetters", longValue(db, "SELECT count() AS v FROM dead_letters FINAL"));
    }
    return watch.result(events, usage, details);
  }

  /**
   * Distinct events in {@code traffic}'s raw table, as far as a poll needs to know: count() is
   * cheap enough to poll; once it says "all", they must also be all distinct events.
   */
  private static long rawEvents(ClickHouse db, Traffic traffic, long events) {
    long raw = 0;
    for (String table : traffic.rawTables()) {
      raw += longValue(db, "SELECT count() AS v FROM " + table);
    }
    if (raw >= events) {
      long distinct = 0;
      for (String table : traffic.rawTables()) {
        distinct += longValue(db, "SELECT uniqExact(event_id) AS v FROM " + table);
      }
      if (distinct < events) {
        return events - 1;
      }
    }
    return raw;
  }

  static JobClient submit(
      JobSettings settings,
      Path checkpoints,
      Consumer<StreamExecutionEnvironment> wiring,
      String jobKind) {
    int parallelism = settings.parallelism();
    Configuration flink = LocalClusters.configuration(checkpoints);
    flink.addAll(Configuration.fromMap(settings.flink()));
    // A benchmark must not hide a failure behind a silent restart and replay: any failure ends the
    // phase.
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    wiring.accept(env);
    try {
      return env.executeAsync("pulse-bench-" + jobKind.replace(' ', '-').toLowerCase(Locale.ROOT));
    } catch (Exception e) {
      throw new BenchException(
          "pulse: could not start the " + jobKind + " job on a MiniCluster: " + e, e);
    }
  }

  /**
   * Fails the phase at once when the job has ended (it never ends by itself on an unbounded
   * source).
   */
  static void checkRunning(JobClient job) {
    JobStatus status;
    try {
      status = job.getJobStatus().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new BenchException("pulse: could not read the job's status: " + e, e);
    }
    if (status.isGloballyTerminalState()) {
      String cause = "";
      try {
        job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        cause = ": " + rootCause(e);
      } catch (Exception e) {
        cause = ": " + e;
      }
      throw new BenchException("pulse: the API metrics job ended with status " + status + cause);
    }
  }

  /**
   * True when a bounded job has finished, false while it runs; fails the phase at once when it
   * failed or was cancelled.
   */
  private static boolean finishedOrRunning(JobClient job) {
    JobStatus status;
    try {
      status = job.getJobStatus().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new BenchException("pulse: could not read the job's status: " + e, e);
    }
    if (status == JobStatus.FINISHED) {
      return true;
    }
    if (status.isGloballyTerminalState()) {
      checkRunning(job);
    }
    return false;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  static void cancel(JobClient job) {
    try {
      job.cancel().get(60, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      // The MiniCluster keeps working until the job is really gone; the next phase must not share
      // the cores with it.
      while (System.nanoTime() < deadline
          && !job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
        sleep(100);
      }
    } catch (ExecutionException | TimeoutException e) {
      // Already ended (failed or finished): nothing to cancel.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The job's cluster may already be gone.
    }
  }

  /**
   * The largest completed checkpoint seen in a checkpoint directory (its {@code chk-N} folders, the
   * heap state backend writing every checkpoint in full): the job's whole state at its largest.
   */
  static final class CheckpointSize {
    long largest;

    void observe(Path checkpoints) {
      try (var jobs = Files.list(checkpoints)) {
        for (Path job : (Iterable<Path>) jobs::iterator) {
          try (var chks = Files.list(job)) {
            for (Path chk : (Iterable<Path>) chks::iterator) {
              // Completed: Flink writes _metadata last.
              if (chk.getFileName().toString().startsWith("chk-")
                  && Files.exists(chk.resolve("_metadata"))) {
                largest = Math.max(largest, FileUtils.sizeOfDirectory(chk.toFile()));
              }
            }
          }
        }
      } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
        // A checkpoint being written or discarded meanwhile: the next poll sees it whole.
      }
    }
  }

  static Path tempDir() {
    try {
      return Files.createTempDirectory("pulse-bench-checkpoints-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long countedInFactsAndLate(ClickHouse db) {
    return longValue(db, "SELECT sum(requests) AS v FROM api_request_minutes")
        + longValue(db, "SELECT count() AS v FROM api_requests_late FINAL");
  }

  private static long longValue(ClickHouse db, String sql) {
    return db.query(sql).get(0).get("v").asLong();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("pulse phase interrupted", e);
    }
  }
}
