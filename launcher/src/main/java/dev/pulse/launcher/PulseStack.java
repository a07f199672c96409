package dev.pulse.launcher;

import dev.pulse.api.PulseApiApplication;
import dev.pulse.clickhouse.MigrationRunner;
import dev.pulse.events.topics.TopicCreation;
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
import dev.pulse.flink.slo.sinks.SloSinks;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.io.FileUtils;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Everything of Pulse downstream of Kafka, running in this JVM against a given Kafka and
 * ClickHouse: the migrated schema, the topics, the API metrics job on a local Flink MiniCluster,
 * and serving-api with the dashboards. The demo and the end-to-end test start the same stack.
 */
final class PulseStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PulseStack.class);

  /**
   * The one Flink job of the stack: the API metrics, classroom, playback and probe jobs, side by
   * side.
   */
  static final String JOB_NAME = "pulse";

  /** The prefix of {@link Settings#jobSettings} keys that are the classroom job's alone. */
  static final String CLASSROOM_PREFIX = "classroom.";

  /** The prefix of {@link Settings#jobSettings} keys that are the playback job's alone. */
  static final String PLAYBACK_PREFIX = "playback.";

  /** The prefix of {@link Settings#jobSettings} keys that are the probe job's alone. */
  static final String PROBES_PREFIX = "probes.";

  /**
   * Where the stack's inputs and outputs live and how it is exposed.
   *
   * @param bindAddress the address serving-api and the Flink web UI listen on ({@code 127.0.0.1}:
   *     this machine only)
   * @param flinkUiPort port of the Flink web UI, or 0 for none
   * @param apiPort HTTP port of serving-api, or 0 for a free one
   * @param apiProperties further serving-api settings: who it trusts to sign tokens ({@code
   *     spring.security.oauth2.resourceserver.jwt.*}), its bind address, profile
   * @param jobSettings further settings of the Flink job, as {@code ApiMetricsConfig} keys; the
   *     classroom, playback and probe jobs take the shared ones (not the Kafka topics and group),
   *     and their own under {@value #CLASSROOM_PREFIX}, {@value #PLAYBACK_PREFIX} and {@value
   *     #PROBES_PREFIX} (e.g. {@code classroom.kafka.topic})
   * @param savepoints where the job's savepoint goes when the stack stops, or null to cancel it
   */
  record Settings(
      String kafkaBootstrap,
      String clickhouseUrl,
      String clickhouseUser,
      String clickhousePassword,
      String database,
      String bindAddress,
      int apiPort,
      int flinkUiPort,
      Map<String, String> apiProperties,
      Duration checkpointInterval,
      int topicPartitions,
      Map<String, String> jobSettings,
      Path savepoints) {}

  private final JobClient job;
  private final Path checkpoints;
  private final Path savepoints;
  private final ConfigurableApplicationContext api;

  private PulseStack(
      JobClient job, Path checkpoints, Path savepoints, ConfigurableApplicationContext api) {
    this.job = job;
    this.checkpoints = checkpoints;
    this.savepoints = savepoints;
    this.api = api;
  }

  static PulseStack start(Settings s) throws Exception {
    LOG.info(
        "Applying ClickHouse migrations to database {} on {}", s.database(), s.clickhouseUrl());
    MigrationRunner.migrate(
        s.clickhouseUrl(), s.clickhouseUser(), s.clickhousePassword(), s.database());
    createTopics(s.kafkaBootstrap(), s.topicPartitions());

    Path checkpoints = Files.createTempDirectory("pulse-checkpoints-");
    JobClient job;
    try {
      job = startFlinkJob(s, checkpoints);
    } catch (Exception e) {
      FileUtils.deleteQuietly(checkpoints.toFile());
      throw e;
    }
    ConfigurableApplicationContext api;
    try {
      api = startApi(s);
    } catch (RuntimeException e) {
      job.cancel().get(30, TimeUnit.SECONDS);
      FileUtils.deleteQuietly(checkpoints.toFile());
      throw e;
    }
    return new PulseStack(job, checkpoints, s.savepoints(), api);
  }

  /** Waits for the Flink job to finish (a job reading a bounded topic ends at its last offset). */
  void awaitJobEnd(Duration timeout) throws Exception {
    job.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The port serving-api listens on. */
  int apiPort() {
    return Integer.parseInt(api.getEnvironment().getProperty("local.server.port", "-1"));
  }

  /**
   * Creates every input topic and its dead-letter topic that does not exist yet, as the contracts
   * declare them but with {@code partitions} partitions.
   */
  static void createTopics(String bootstrap, int partitions) {
    Map<String, TopicCreation> topics =
        new LinkedHashMap<>(Topics.withDeadLetterTopics(Topics.ALL));
    topics.putAll(SloSinks.alertTopic(SloSinks.ALERT_TOPIC));
    List<String> created =
        Topics.ensure(bootstrap, topics, OptionalInt.of(partitions), Duration.ofSeconds(30));
    if (!created.isEmpty()) {
      LOG.info("Created Kafka topics {}", created);
    }
  }

  private static JobClient startFlinkJob(Settings s, Path checkpoints) throws Exception {
    Map<String, String> job = new HashMap<>();
    job.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), s.kafkaBootstrap());
    job.put(ClickHouseSettings.URL.key(), s.clickhouseUrl());
    job.put(ClickHouseSettings.USER.key(), s.clickhouseUser());
    job.put(ClickHouseSettings.PASSWORD.key(), s.clickhousePassword());
    job.put(ClickHouseSettings.DATABASE.key(), s.database());
    job.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), s.checkpointInterval().toMillis() + "ms");
    s.jobSettings()
        .forEach(
            (key, value) -> {
              if (!key.startsWith(CLASSROOM_PREFIX)
                  && !key.startsWith(PLAYBACK_PREFIX)
                  && !key.startsWith(PROBES_PREFIX)) {
                job.put(key, value);
              }
            });
    ApiMetricsConfig config = ApiMetricsConfig.fromMap(job);

    Configuration flink = LocalClusters.configuration(checkpoints);
    StreamExecutionEnvironment env;
    if (s.flinkUiPort() > 0) {
      flink.set(RestOptions.PORT, s.flinkUiPort());
      flink.set(RestOptions.BIND_ADDRESS, s.bindAddress());
      flink.set(RestOptions.ADDRESS, s.bindAddress());
      env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
    } else {
      env = StreamExecutionEnvironment.createLocalEnvironment(flink);
    }
    ApiMetricsJob.wire(env, config);
    // The classroom, playback and probe jobs in the same Flink job (one savepoint for all): the
    // shared settings, their own topics and consumer groups.
    ClassroomConfig classroomConfig =
        ClassroomConfig.fromMap(settingsOf(ClassroomConfig.OPTIONS, job, s, CLASSROOM_PREFIX));
    ClassroomJob.wire(env, classroomConfig, Clock.systemUTC());
    PlaybackConfig playbackConfig =
        PlaybackConfig.fromMap(settingsOf(PlaybackConfig.OPTIONS, job, s, PLAYBACK_PREFIX));
    PlaybackJob.wire(env, playbackConfig, Clock.systemUTC());
    ProbeConfig probeConfig =
        ProbeConfig.fromMap(settingsOf(ProbeConfig.OPTIONS, job, s, PROBES_PREFIX));
    ProbeJob.wire(env, probeConfig, Clock.systemUTC());
    LOG.info(
        "Starting Flink job {} on a local MiniCluster: {}; {}; {}; {}",
        JOB_NAME,
        config,
        classroomConfig,
        playbackConfig,
        probeConfig);
    return env.executeAsync(JOB_NAME);
  }

  /**
   * A side job's settings: those of {@code job} it knows but the Kafka topics and group, and its
   * own from {@link Settings#jobSettings} under {@code prefix}.
   */
  private static Map<String, String> settingsOf(
      List<? extends ConfigOption<?>> options, Map<String, String> job, Settings s, String prefix) {
    Map<String, String> own = new HashMap<>();
    Set<String> notShared =
        Set.of(
            KafkaSettings.TOPIC.key(),
            KafkaSettings.GROUP_ID.key(),
            KafkaSettings.DEAD_LETTER_TOPIC.key());
    for (var option : options) {
      String key = option.key();
      if (job.containsKey(key) && !notShared.contains(key)) {
        own.put(key, job.get(key));
      }
    }
    s.jobSettings()
        .forEach(
            (key, value) -> {
              if (key.startsWith(prefix)) {
                own.put(key.substring(prefix.length()), value);
              }
            });
    return own;
  }

  private static ConfigurableApplicationContext startApi(Settings s) {
    return startApi(
        s.clickhouseUrl(),
        s.clickhouseUser(),
        s.clickhousePassword(),
        s.database(),
        s.bindAddress(),
        s.apiPort(),
        s.apiProperties());
  }

  /**
   * serving-api over {@code database} on {@code bindAddress:port} (0: a free port), with {@code
   * properties} over its application.yaml.
   */
  static ConfigurableApplicationContext startApi(
      String clickhouseUrl,
      String user,
      String password,
      String database,
      String bindAddress,
      int port,
      Map<String, String> properties) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("server.port", port);
    props.put("server.address", bindAddress);
    props.put("pulse.clickhouse.url", clickhouseUrl);
    props.put("pulse.clickhouse.user", user);
    props.put("pulse.clickhouse.password", password);
    props.put("pulse.clickhouse.database", database);
    props.putAll(properties);
    // As command-line arguments: they override application.yaml, where builder defaults would not.
    String[] args =
        props.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    // The launcher's log4j2.xml governs this JVM's logging; Spring Boot must not replace it.
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
    return new SpringApplicationBuilder(PulseApiApplication.class)
        .bannerMode(Banner.Mode.OFF)
        .run(args);
  }

  /** Stops the job, then serving-api (the order the demo's Ctrl-C follows too). */
  @Override
  public void close() {
    try {
      stopJob();
    } catch (Exception e) {
      LOG.warn("Flink job did not stop cleanly", e);
    }
    stopApi();
  }

  /**
   * Stops the Flink job with a savepoint under {@link Settings#savepoints} (its last facts are
   * committed with it), or cancels it when there is no savepoint directory; a finished job is left
   * as it is. Returns the savepoint's path, or null.
   */
  String stopJob() throws Exception {
    try {
      if (job.getJobExecutionResult().isDone()) {
        return null;
      }
      if (savepoints == null) {
        job.cancel().get(30, TimeUnit.SECONDS);
        return null;
      }
      try {
        String path =
            job.stopWithSavepoint(
                    false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(30, TimeUnit.SECONDS);
        LOG.info("Flink job {} stopped with savepoint {}", JOB_NAME, path);
        keepOnly(path);
        return path;
      } catch (ExecutionException | TimeoutException e) {
        // E.g. stopped while its tasks were still starting: no savepoint can be taken yet.
        LOG.warn("No savepoint ({}); cancelling the Flink job instead", e.toString());
        job.cancel().get(30, TimeUnit.SECONDS);
        return null;
      }
    } finally {
      FileUtils.deleteQuietly(checkpoints.toFile());
    }
  }

  /** The newest savepoint is kept (to inspect or restore by hand); older ones are deleted. */
  private void keepOnly(String savepoint) {
    File[] all = savepoints.toFile().listFiles(File::isDirectory);
    if (all == null) {
      return;
    }
    for (File dir : all) {
      if (!savepoint.endsWith(dir.getName())) {
        FileUtils.deleteQuietly(dir);
      }
    }
  }

  /** Stops serving-api. */
  void stopApi() {
    api.close();
  }
}
