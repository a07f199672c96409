package dev.pulse.flink.api;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.functions.ApiSlis;
import dev.pulse.flink.api.functions.DeltaMinuteFactFunction;
import dev.pulse.flink.api.functions.LateRequestFunction;
import dev.pulse.flink.api.functions.MinuteStats;
import dev.pulse.flink.api.functions.MinuteStatsAggregate;
import dev.pulse.flink.api.records.ApiKey;
import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import dev.pulse.flink.api.sinks.ApiSinks;
import dev.pulse.flink.common.BucketedDeduplicateFunction;
import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.common.DecodedKafka;
import dev.pulse.flink.common.DecodedWatermarks;
import dev.pulse.flink.common.DecodingDeserializationSchema;
import dev.pulse.flink.common.KafkaClusterId;
import dev.pulse.flink.common.SeenIds;
import dev.pulse.flink.common.SplitDecoded;
import dev.pulse.flink.common.config.JobMain;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.flink.slo.SloEvaluation;
import dev.pulse.flink.slo.records.SliCount;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * The API metrics job: API request records from Kafka become validated, deduplicated raw events,
 * additive per-minute SLO facts (requests, 5xx/4xx, latency histogram, counts under latency
 * thresholds) per tenant/service/endpoint/method/region, dead letters, and late events.
 *
 * <p>{@link #build} is the whole computation as a pure function over streams; {@link #wire} adds
 * the Kafka source and the sinks from configuration; {@link #main} runs it. The operator graph,
 * uids and semantics are described in flink-jobs/README.md.
 */
public final class ApiMetricsJob {

  /** Requests the minute window dropped because they came after the allowed lateness. */
  public static final OutputTag<ApiRequest> LATE_REQUESTS =
      new OutputTag<>("late-api-requests", ApiRequest.TYPE);

  /**
   * Requests the dedup found at or beyond its horizon behind the watermark: late, sent to the late
   * events without being counted or remembered (BucketedDeduplicateFunction).
   */
  public static final OutputTag<ApiRequest> BEYOND_DEDUP_HORIZON =
      new OutputTag<>("beyond-dedup-horizon", ApiRequest.TYPE);

  /**
   * What the source emits: each record decoded once, as an event or a dead letter (a POJO type).
   */
  public static final TypeInformation<Decoded<ApiRequest>> DECODED_TYPE =
      TypeInformation.of(new TypeHint<Decoded<ApiRequest>>() {});

  /**
   * Watermarks are also emitted as soon as event time has moved this far (see
   * BoundedLagWatermarks).
   */
  static final Duration WATERMARK_STEP = Duration.ofSeconds(1);

  /** The name the job runs under (Flink web UI, {@code flink list}). */
  public static final String JOB_NAME = "pulse-api-metrics";

  private ApiMetricsJob() {}

  /**
   * The job as a function: records of {@link Topics#API_REQUESTS} as the source decoded and
   * timestamped them ({@link #readKafka}, or a bounded test source) in, the four result streams
   * out. Every operator has a stable uid.
   */
  public static ApiMetricsStreams build(
      DataStream<Decoded<ApiRequest>> records, ApiSemantics semantics) {
    // KEYED_TYPE: each request carries the dedup key ApiRequest.of made across the shuffle into
    // the dedup, so neither key selector (sender, receiver) nor the dedup computes it again.
    SingleOutputStreamOperator<ApiRequest> events =
        records
            .process(new SplitDecoded<>(ApiRequest.KEYED_TYPE))
            .name("split-api-requests")
            .uid("split-api-requests");
    DataStream<DeadLetter> deadLetters = events.getSideOutput(SplitDecoded.DEAD_LETTERS);

    SingleOutputStreamOperator<ApiRequest> deduplicated =
        events
            // Keyed by the bucket of the event's dedup key (canonical id, tenant folded in,
            // DedupKey): one compact table of ids per bucket (SeenIds) or one entry per id.
            .keyBy(request -> SeenIds.bucketOf(request.dedupKey()), Types.INT)
            .process(
                new BucketedDeduplicateFunction<>(
                    semantics.dedupHorizon(),
                    semantics.stream().dedupStateLayout(),
                    ApiRequest::dedupKey,
                    BEYOND_DEDUP_HORIZON,
                    semantics.stream().dedupWarnIds()),
                ApiRequest.TYPE)
            .name("dedup-api-requests")
            .uid("dedup-api-requests");
    // Late by the dedup's own watermark: stored as raw events and late events, never counted.
    DataStream<ApiRequest> beyondHorizon = deduplicated.getSideOutput(BEYOND_DEDUP_HORIZON);

    SingleOutputStreamOperator<ApiMinuteFact> facts = minuteFacts(deduplicated, semantics);

    DataStream<LateApiRequest> late =
        facts
            .getSideOutput(LATE_REQUESTS)
            .process(new LateRequestFunction(), TypeInformation.of(LateApiRequest.class))
            .name("late-api-requests")
            .uid("late-api-requests")
            .union(
                beyondHorizon
                    .process(new LateRequestFunction(), TypeInformation.of(LateApiRequest.class))
                    .name("late-api-requests-beyond-dedup-horizon")
                    .uid("late-api-requests-beyond-dedup-horizon"));

    return new ApiMetricsStreams(deduplicated.union(beyondHorizon), facts, deadLetters, late);
  }

  /**
   * The minute window over deduplicated, timestamped requests: one-minute tumbling event-time
   * windows per {@link ApiKey}, incremental {@link MinuteStatsAggregate}, delta rows from {@link
   * DeltaMinuteFactFunction}, late requests to {@link #LATE_REQUESTS}.
   */
  public static SingleOutputStreamOperator<ApiMinuteFact> minuteFacts(
      DataStream<ApiRequest> requests, ApiSemantics semantics) {
    TypeInformation<MinuteStats> statsType = TypeInformation.of(MinuteStats.class);
    return requests
        .keyBy(ApiRequest::key, ApiKey.TYPE)
        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
        .allowedLateness(semantics.stream().allowedLateness())
        .sideOutputLateData(LATE_REQUESTS)
        .aggregate(
            new MinuteStatsAggregate(semantics.latencyThresholdsUs()),
            new DeltaMinuteFactFunction(semantics.latencyThresholdsUs()),
            statsType,
            statsType,
            TypeInformation.of(ApiMinuteFact.class))
        .name("api-minute-facts")
        .uid("api-minute-facts");
  }

  /**
   * Event time per source split (Kafka partition): bounded out-of-orderness over the valid events'
   * event time, idleness, dead letters ignored ({@link DecodedWatermarks}).
   */
  public static WatermarkStrategy<Decoded<ApiRequest>> watermarks(StreamSemantics semantics) {
    return DecodedWatermarks.strategy(
        semantics.outOfOrderness(),
        WATERMARK_STEP,
        semantics.idleness(),
        request -> request.eventTime().toEpochMilli());
  }

  /**
   * Decodes {@link Topics#API_REQUESTS} records in the source, judging "the future" by {@code
   * clock}: events more than {@code maxFuture} ahead of it are dead letters.
   */
  public static DecodingDeserializationSchema<ApiRequestEvent, ApiRequest> deserializer(
      Clock clock, Duration maxFuture) {
    return new DecodingDeserializationSchema<>(
        Topics.API_REQUESTS, DECODED_TYPE, ApiRequest::of, clock, maxFuture);
  }

  /**
   * The Kafka source over {@link KafkaSettings#topic} (records following the {@link
   * Topics#API_REQUESTS} contract), decoding in the source, bounded when {@code kafka.bounded}.
   */
  public static KafkaSource<Decoded<ApiRequest>> kafkaSource(
      KafkaSettings kafka, StreamSemantics semantics) {
    return kafkaSource(kafka, semantics, Clock.systemUTC());
  }

  /**
   * {@link #kafkaSource(KafkaSettings, StreamSemantics)} judging "the future" by {@code
   * ingestClock} instead of the system clock: a test fixes it, so which records are too far ahead
   * does not depend on when the test runs.
   */
  public static KafkaSource<Decoded<ApiRequest>> kafkaSource(
      KafkaSettings kafka, StreamSemantics semantics, Clock ingestClock) {
    return DecodedKafka.source(
        kafka, semantics, Topics.API_REQUESTS, DECODED_TYPE, ApiRequest::of, ingestClock);
  }

  /**
   * The job's input as production reads it: {@link #kafkaSource} with {@link #watermarks}, so each
   * partition has its own watermark and the source emits their minimum.
   */
  public static DataStream<Decoded<ApiRequest>> readKafka(
      StreamExecutionEnvironment env, ApiMetricsConfig config) {
    return readKafka(env, config, Clock.systemUTC());
  }

  /** {@link #readKafka(StreamExecutionEnvironment, ApiMetricsConfig)} with {@code ingestClock}. */
  public static DataStream<Decoded<ApiRequest>> readKafka(
      StreamExecutionEnvironment env, ApiMetricsConfig config, Clock ingestClock) {
    return env.fromSource(
            kafkaSource(config.kafka(), config.semantics().stream(), ingestClock),
            watermarks(config.semantics().stream()),
            "kafka-api-requests",
            DECODED_TYPE)
        .uid("kafka-api-requests");
  }

  /**
   * Adds the whole job to {@code env}: the Kafka source ({@link #readKafka}), {@link #build}, and
   * {@link #sinks}. Checkpointing and parallelism are set from {@code config}; every operator and
   * sink has a stable uid.
   */
  public static ApiMetricsStreams wire(StreamExecutionEnvironment env, ApiMetricsConfig config) {
    return wire(env, config, Clock.systemUTC());
  }

  /**
   * {@link #wire(StreamExecutionEnvironment, ApiMetricsConfig)} with the source judging "the
   * future" by {@code ingestClock} (tests; production uses the system clock).
   */
  public static ApiMetricsStreams wire(
      StreamExecutionEnvironment env, ApiMetricsConfig config, Clock ingestClock) {
    env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    if (config.parallelism() > 0) {
      env.setParallelism(config.parallelism());
    }
    ApiMetricsStreams streams = build(readKafka(env, config, ingestClock), config.semantics());
    sinks(streams, config);
    return streams;
  }

  /**
   * Attaches the production sinks to the job's four streams: dead letters to Kafka and to
   * ClickHouse (with the Kafka cluster's id, which this asks the brokers for), raw events, minute
   * facts and late events to ClickHouse (tables, delivery modes and batching in {@link ApiSinks}),
   * each with a stable uid. Public so that a test can put something between the source and {@link
   * #build} (e.g. pacing for a failover test) and still end in exactly the sinks {@link #wire}
   * uses.
   */
  public static void sinks(ApiMetricsStreams streams, ApiMetricsConfig config) {
    streams
        .deadLetters()
        .sinkTo(deadLetterSink(config.kafka()))
        .name("dead-letters-to-kafka")
        .uid("dead-letters-to-kafka");
    // Read once, when the job is built: a dead letter's offset names a record only in its cluster.
    String kafkaClusterId = KafkaClusterId.read(config.kafka().bootstrapServers());
    streams
        .deadLetters()
        .sinkTo(ApiSinks.deadLetters(config.clickhouse(), kafkaClusterId))
        .name("dead-letters-to-clickhouse")
        .uid("dead-letters-to-clickhouse");
    streams
        .rawEvents()
        .sinkTo(ApiSinks.rawRequests(config.clickhouse()))
        .name("api-requests-raw-to-clickhouse")
        .uid("api-requests-raw-to-clickhouse");
    streams
        .minuteFacts()
        .sinkTo(ApiSinks.minuteFacts(config.clickhouse()))
        .name("api-request-minutes-to-clickhouse")
        .uid("api-request-minutes-to-clickhouse");
    streams
        .lateEvents()
        .sinkTo(ApiSinks.lateRequests(config.clickhouse()))
        .name("api-requests-late-to-clickhouse")
        .uid("api-requests-late-to-clickhouse");
    slos(streams, config)
        .ifPresent(
            slo ->
                SloEvaluation.sinks(
                    slo, config.clickhouse(), config.kafka(), config.slo().alertTopic(), "api"));
  }

  /**
   * The SLOs over API requests of {@code config} evaluated over the job's requests (docs/slo.md),
   * or empty when it has none. The counts come after dedup; requests later than the allowed
   * lateness are dropped by the evaluation as by the minute facts.
   */
  public static Optional<SloEvaluation.SloStreams> slos(
      ApiMetricsStreams streams, ApiMetricsConfig config) {
    ApiSlis slis = new ApiSlis(config.slo().slos());
    if (slis.isEmpty()) {
      return Optional.empty();
    }
    DataStream<SliCount> counts =
        streams
            .rawEvents()
            .flatMap(slis, TypeInformation.of(SliCount.class))
            .name("api-sli-counts")
            .uid("api-sli-counts");
    return Optional.of(
        SloEvaluation.evaluate(
            counts,
            config.slo().slos(),
            config.semantics().stream().allowedLateness().toMillis(),
            "api"));
  }

  /** Dead letters to the configured dead-letter topic ({@link DecodedKafka#deadLetterSink}). */
  static KafkaSink<DeadLetter> deadLetterSink(KafkaSettings kafka) {
    return DecodedKafka.deadLetterSink(kafka);
  }

  /**
   * {@code flink run flink-jobs-<version>-job.jar [--key value ...]}: settings from the arguments
   * over the cluster's configuration ({@code -Dkey=value}); the table is in flink-jobs/README.md.
   */
  public static void main(String[] args) throws Exception {
    JobMain.run(
        JOB_NAME,
        ApiMetricsConfig.OPTIONS,
        args,
        ApiMetricsConfig::fromArgs,
        ApiMetricsConfig::kafka,
        ApiMetricsJob::wire);
  }
}
