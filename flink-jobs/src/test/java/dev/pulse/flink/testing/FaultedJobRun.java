package dev.pulse.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.api.ApiMetricsJob;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.DeadLetterSerializationSchema;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.oracle.ApiEvent;
import dev.pulse.oracle.ApiOracle;
import dev.pulse.oracle.Grain;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.testing.TestClickHouse;
import dev.pulse.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The production API metrics job over {@link LateTraffic}, run so that a test can put a fault in
 * the middle of it, and the comparison of every table it wrote with the oracle afterwards.
 *
 * <p>The job is the production graph ({@link ApiMetricsJob#readKafka}, {@link ApiMetricsJob#build},
 * {@link ApiMetricsJob#sinks}) on the test class's MiniCluster at parallelism 2, with file
 * checkpoints every 300 ms and restarts allowed (fixed delay): a fault may fail it over, and it
 * must then restore and still end with every number right. One step is added between the source and
 * {@code build}: {@link Paced}, so the bounded job runs for seconds and a fault lands mid-stream
 * with checkpoints and commits behind it and input still ahead. The test: {@link #start}, {@link
 * #awaitMidStream}, its fault, {@link #awaitFinished}, then the {@code assert...} checks, each
 * against the oracle's recount or the input's construction, never against the job's own output.
 */
public final class FaultedJobRun {

  public static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(300);
  private static final Duration MID_STREAM_WAIT = Duration.ofSeconds(30);
  private static final Duration JOB_LIMIT = Duration.ofSeconds(60);

  /** The operator name (and uid) of the minute-facts sink: its committer's metrics carry it. */
  public static final String MINUTES_SINK = "api-request-minutes-to-clickhouse";

  private final MiniCluster cluster;
  private final InMemoryReporter metrics;
  private final LateTraffic input;
  private final ApiMetricsConfig config;
  private final TestClickHouse ch;
  private final TestKafka kafka;
  private final JobClient job;
  private final Instant started = Instant.now();
  private AccessExecutionGraph finished;

  /** What the run looked like when it was first mid-stream, {@code atMs} after its start. */
  public record MidStream(
      long atMs, long completedCheckpoints, long minuteRows, long minutesCommitted) {}

  /**
   * Passes each source record on after a quarter of a millisecond, so the traffic's 12,000 records
   * take at least 3 s however fast the machine. It changes no record and no time.
   */
  static final class Paced implements MapFunction<Decoded<ApiRequest>, Decoded<ApiRequest>> {
    @Override
    public Decoded<ApiRequest> map(Decoded<ApiRequest> record) {
      LockSupport.parkNanos(250_000);
      return record;
    }
  }

  private FaultedJobRun(
      MiniCluster cluster,
      InMemoryReporter metrics,
      LateTraffic input,
      ApiMetricsConfig config,
      TestClickHouse ch,
      TestKafka kafka,
      JobClient job) {
    this.cluster = cluster;
    this.metrics = metrics;
    this.input = input;
    this.config = config;
    this.ch = ch;
    this.kafka = kafka;
    this.job = job;
  }

  /**
   * The job's settings for {@code input} on {@code kafka} into {@code ch}'s database: bounded,
   * parallelism 2, a checkpoint every 300 ms, and small raw batches at a short delay, so raw, late
   * and dead-letter rows are written between checkpoints and a fault meets them in flight. Mutable:
   * a test changes what its fault needs (the ClickHouse address, the socket timeout).
   */
  public static Map<String, String> settings(
      LateTraffic input, TestKafka kafka, TestClickHouse ch) {
    Map<String, String> settings =
        input.topic().jobSettings(kafka, ch, kafka.topic("api-requests-dlq"));
    settings.put(ApiMetricsConfig.CHECKPOINT_INTERVAL.key(), CHECKPOINT_INTERVAL.toMillis() + "ms");
    settings.put(ClickHouseSettings.RAW_BATCH_SIZE.key(), "200");
    settings.put(ClickHouseSettings.MAX_BATCH_DELAY.key(), "100ms");
    return settings;
  }

  /**
   * Starts the job with {@code settings} on {@code cluster} (whose metrics {@code metrics}
   * retains), checkpointing into {@code checkpoints}; {@code ch} is the migrated database it
   * writes, read by the checks.
   */
  public static FaultedJobRun start(
      MiniCluster cluster,
      InMemoryReporter metrics,
      LateTraffic input,
      TestKafka kafka,
      Map<String, String> settings,
      TestClickHouse ch,
      Path checkpoints)
      throws Exception {
    ch.migratedDatabase(); // the tables exist before the job writes
    ApiMetricsConfig config = ApiMetricsConfig.fromMap(settings);
    Configuration flink = new Configuration();
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    // The extension's cluster: in @BeforeAll, getExecutionEnvironment() would give a local
    // environment with a MiniCluster of its own.
    StreamExecutionEnvironment env =
        new TestStreamEnvironment(cluster, flink, config.parallelism(), List.of(), List.of());
    env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    env.setParallelism(config.parallelism());
    DataStream<Decoded<ApiRequest>> records =
        ApiMetricsJob.readKafka(env, config)
            .map(new Paced())
            .returns(ApiMetricsJob.DECODED_TYPE)
            .name("pace-for-fault-test")
            .uid("pace-for-fault-test");
    ApiMetricsJob.sinks(ApiMetricsJob.build(records, config.semantics()), config);
    JobClient job = env.executeAsync(ApiMetricsJob.JOB_NAME);
    return new FaultedJobRun(cluster, metrics, input, config, ch, kafka, job);
  }

  public JobID jobId() {
    return job.getJobID();
  }

  public ApiMetricsConfig config() {
    return config;
  }

  /**
   * Waits (at most 30 s) until the job is running with at least two completed checkpoints and
   * minute facts committed to ClickHouse: the moment for a fault.
   */
  public MidStream awaitMidStream() throws Exception {
    long deadline = System.nanoTime() + MID_STREAM_WAIT.toNanos();
    while (true) {
      JobStatus status = cluster.getJobStatus(jobId()).get(10, TimeUnit.SECONDS);
      assertThat(status.isGloballyTerminalState())
          .as("the job ended (%s) before it was mid-stream", status)
          .isFalse();
      long completed =
          cluster
              .getExecutionGraph(jobId())
              .get(10, TimeUnit.SECONDS)
              .getCheckpointStatsSnapshot()
              .getCounts()
              .getNumberOfCompletedCheckpoints();
      JsonNode minutes =
          ch.migratedDatabase()
              .query("SELECT count() AS n, uniqExact(minute) AS minutes FROM api_request_minutes")
              .get(0);
      if (status == JobStatus.RUNNING && completed >= 2 && minutes.get("n").asLong() > 0) {
        return new MidStream(
            elapsedMs(), completed, minutes.get("n").asLong(), minutes.get("minutes").asLong());
      }
      assertThat(System.nanoTime())
          .as("two checkpoints and committed facts within %s", MID_STREAM_WAIT)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /**
   * Waits (at most {@code limit}) until the running job has failed over at least once, and returns
   * the milliseconds since it was submitted.
   */
  public long awaitFirstRestart(Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      int attempt = 0;
      for (AccessExecutionVertex v :
          cluster.getExecutionGraph(jobId()).get(10, TimeUnit.SECONDS).getAllExecutionVertices()) {
        attempt = Math.max(attempt, v.getCurrentExecutionAttempt().getAttemptNumber());
      }
      if (attempt >= 1) {
        return elapsedMs();
      }
      assertThat(System.nanoTime()).as("the job failed over within %s", limit).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** Waits (at most 60 s) until the job has finished, and keeps its execution graph. */
  public AccessExecutionGraph awaitFinished() throws Exception {
    try {
      job.getJobExecutionResult().get(JOB_LIMIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      job.cancel().get(30, TimeUnit.SECONDS);
      throw new AssertionError("the job did not finish within " + JOB_LIMIT, e);
    }
    finished = cluster.getArchivedExecutionGraph(jobId()).get(10, TimeUnit.SECONDS);
    System.out.printf(
        "[fault-run] %s: %s; certainly late %d; job done in %d ms, %d restart(s); raw rows"
            + " without FINAL %s%n",
        input.topic().topic(),
        input.topic().report().summary(),
        input.late().size(),
        elapsedMs(),
        restarts(),
        rawRowsWithoutFinal());
    return finished;
  }

  private String rawRowsWithoutFinal() {
    try (ClickHouse db = reader()) {
      return db.queryText("SELECT count() FROM api_requests_raw").trim();
    }
  }

  /**
   * A client of its own for a read after the run: the shared one may hold a pooled connection to a
   * server the fault killed, and its first request would fail (the client retries nothing).
   */
  private ClickHouse reader() {
    return ch.connect(ch.database());
  }

  /** Milliseconds since the job was submitted: for the tests' log lines. */
  public long elapsedMs() {
    return Duration.between(started, Instant.now()).toMillis();
  }

  /** How often the job failed over and restored: the highest attempt number of any subtask. */
  public int restarts() {
    int restarts = 0;
    for (AccessExecutionVertex v : finished.getAllExecutionVertices()) {
      restarts = Math.max(restarts, v.getCurrentExecutionAttempt().getAttemptNumber());
    }
    return restarts;
  }

  /**
   * The values of the counter or gauge {@code name} of every subtask and attempt whose metric
   * identifier satisfies {@code where} (e.g. contains a sink's operator name).
   */
  public LongStream metric(String name, Predicate<String> where) {
    // By group: the reporter's maps by identifier refuse identifiers that two metrics share.
    String job = jobId().toString();
    LongStream.Builder values = LongStream.builder();
    for (Map.Entry<MetricGroup, Map<String, Metric>> g : metrics.getMetricsByGroup().entrySet()) {
      Metric m = g.getValue().get(name);
      if (m != null
          && job.equals(g.getKey().getAllVariables().get("<job_id>"))
          && where.test(g.getKey().getMetricIdentifier(name))) {
        values.add(value(m));
      }
    }
    return values.build();
  }

  private static long value(Metric m) {
    if (m instanceof Counter c) {
      return c.getCount();
    }
    if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
      return n.longValue();
    }
    return 0;
  }

  // ---- the checks, each against the oracle or the input's construction ----

  /**
   * Every minute, hour and day (rollups merged from their states) equals the oracle over every
   * event but the certainly late ones, and every unique valid event is in the facts or late: none
   * lost, none counted twice, whatever the fault replayed.
   */
  public void assertMinutesHoursAndDaysEqualTheOracle() {
    List<Long> thresholds = config.semantics().latencyThresholdsUs();
    ApiOracle onTime = input.onTimeOracle();
    try (ClickHouse db = reader()) {
      long total = ApiFactTables.assertEveryGrainEqualsOracle(db, onTime, thresholds);
      assertThat(total).as("requests in the minute facts").isEqualTo(onTime.counted());
      assertThat(total + input.late().size()).isEqualTo(input.all().counted());
    }
    assertThat(onTime.stats(Grain.HOUR).keySet().stream().map(k -> k.bucket()).distinct())
        .as("the input's hours")
        .hasSize(2);
  }

  /** {@code api_requests_raw FINAL} holds each unique valid event once, late ones included. */
  public void assertRawTableHoldsEveryUniqueValidEventOnce() {
    List<String> expected = input.all().countedEvents().stream().map(ApiEvent::eventId).toList();
    assertThat(eventIds("api_requests_raw"))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  /** {@code api_requests_late FINAL} holds exactly the certainly late events, once each. */
  public void assertLateTableHoldsExactlyTheLateEventsOnce() {
    List<String> stored = eventIds("api_requests_late");
    assertThat(stored).doesNotHaveDuplicates();
    assertThat(new HashSet<>(stored)).isEqualTo(input.late());
  }

  /** The event ids of {@code table} read with FINAL. */
  private List<String> eventIds(String table) {
    List<String> ids = new ArrayList<>();
    try (ClickHouse db = reader()) {
      for (JsonNode r : db.query("SELECT event_id FROM " + table + " FINAL")) {
        ids.add(r.get("event_id").asText());
      }
    }
    return ids;
  }

  /**
   * {@code dead_letters FINAL} holds each malformed record once, with its original bytes, and the
   * dead-letter topic has every one of them (at least once: that sink is at-least-once).
   */
  public void assertDeadLettersHoldEveryMalformedRecordOnce() {
    List<SimulatedRecord> malformed = input.malformed();
    assertThat(input.all().invalidIgnored())
        .as("the oracle's own judgement agrees with the simulator's labels")
        .isEqualTo(malformed.size());
    List<String> sent = new ArrayList<>();
    malformed.forEach(r -> sent.add(Base64.getEncoder().encodeToString(r.value())));

    List<String> stored = new ArrayList<>();
    Set<String> origins = new HashSet<>();
    try (ClickHouse db = reader()) {
      for (JsonNode r :
          db.query("SELECT partition, offset, value_base64 FROM dead_letters FINAL")) {
        stored.add(r.get("value_base64").asText());
        assertThat(origins.add(r.get("partition").asText() + "@" + r.get("offset").asText()))
            .as("one dead-letter row per origin")
            .isTrue();
      }
    }
    assertThat(stored).containsExactlyInAnyOrderElementsOf(sent);

    Set<String> topicOrigins = new HashSet<>();
    Set<String> topicValues = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r :
        SimulatedApiTopic.readAll(kafka, config.kafka().deadLetterTopic())) {
      topicOrigins.add(
          header(r, DeadLetterSerializationSchema.ORIGIN_PARTITION)
              + "@"
              + header(r, DeadLetterSerializationSchema.ORIGIN_OFFSET));
      topicValues.add(Base64.getEncoder().encodeToString(r.value()));
    }
    assertThat(topicOrigins).isEqualTo(origins);
    assertThat(topicValues).isEqualTo(new HashSet<>(sent));
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
