package dev.pulse.flink.probes;

import dev.pulse.flink.api.sinks.ApiSinks;
import dev.pulse.flink.common.BucketedDeduplicateFunction;
import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.common.DecodedKafka;
import dev.pulse.flink.common.DecodedWatermarks;
import dev.pulse.flink.common.KafkaClusterId;
import dev.pulse.flink.common.SeenIds;
import dev.pulse.flink.common.SplitDecoded;
import dev.pulse.flink.common.config.JobMain;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.flink.probes.functions.DeltaProbeMinuteFunction;
import dev.pulse.flink.probes.functions.ProbeMinuteAggregate;
import dev.pulse.flink.probes.functions.ProbeSlis;
import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.probes.records.ProbeKey;
import dev.pulse.flink.probes.records.ProbeMinute;
import dev.pulse.flink.probes.records.ProbeTally;
import dev.pulse.flink.probes.sinks.ProbeSinks;
import dev.pulse.flink.slo.SloEvaluation;
import dev.pulse.flink.slo.records.SliCount;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The probe job: synthetic uptime checks from Kafka ({@code pulse.probe.results}) become validated,
 * deduplicated raw results, additive per-minute rows per tenant, target and region (checks,
 * successes, latency sum; docs/slo.md, "Uptime and incidents"), late results, dead letters, and the
 * evaluation of the SLOs over probe results. {@link #build} is the computation as a pure function
 * over streams on the shared core (decode, dead letters, dedup, per-partition watermarks); {@link
 * #wire} adds Kafka and the sinks.
 */
public final class ProbeJob {

  /** The name the job runs under. */
  public static final String JOB_NAME = "pulse-probes";

  /** The longest event-time window of the job: the minute. */
  public static final Duration DEDUP_WINDOW = Duration.ofMinutes(1);

  /** Results the minute window dropped because they came after the allowed lateness. */
  public static final OutputTag<ProbeCheck> LATE_RESULTS =
      new OutputTag<>("late-probe-results", ProbeCheck.TYPE);

  /** Results the dedup found beyond its horizon: late, never counted or remembered. */
  public static final OutputTag<ProbeCheck> BEYOND_DEDUP_HORIZON =
      new OutputTag<>("probe-beyond-dedup-horizon", ProbeCheck.TYPE);

  /** What the source emits: each record decoded once, as a result or a dead letter. */
  public static final TypeInformation<Decoded<ProbeCheck>> DECODED_TYPE =
      TypeInformation.of(new TypeHint<Decoded<ProbeCheck>>() {});

  /** The evaluation's domain: operator names and uids {@code probes-slo-*}. */
  static final String SLO_DOMAIN = "probes";

  static final Duration WATERMARK_STEP = Duration.ofSeconds(1);

  private ProbeJob() {}

  /** The job as a function: decoded, timestamped records in, the result streams out. */
  public static ProbeStreams build(
      DataStream<Decoded<ProbeCheck>> records, StreamSemantics semantics) {
    SingleOutputStreamOperator<ProbeCheck> results =
        records
            .process(new SplitDecoded<>(ProbeCheck.TYPE))
            .name("split-probe-results")
            .uid("split-probe-results");
    DataStream<DeadLetter> deadLetters = results.getSideOutput(SplitDecoded.DEAD_LETTERS);
    SingleOutputStreamOperator<ProbeCheck> deduplicated =
        results
            .keyBy(p -> SeenIds.bucketOf(p.dedupKey()), Types.INT)
            .process(
                new BucketedDeduplicateFunction<>(
                    semantics.dedupHorizon(DEDUP_WINDOW),
                    semantics.dedupStateLayout(),
                    ProbeCheck::dedupKey,
                    BEYOND_DEDUP_HORIZON,
                    semantics.dedupWarnIds()),
                ProbeCheck.TYPE)
            .name("dedup-probe-results")
            .uid("dedup-probe-results");
    // Late by the dedup's own watermark: stored as raw and late results, never counted.
    DataStream<ProbeCheck> beyondHorizon = deduplicated.getSideOutput(BEYOND_DEDUP_HORIZON);
    SingleOutputStreamOperator<ProbeMinute> minutes = minutes(deduplicated, semantics);
    return new ProbeStreams(
        deduplicated.union(beyondHorizon),
        minutes,
        minutes.getSideOutput(LATE_RESULTS).union(beyondHorizon),
        deadLetters);
  }

  /**
   * The minute window: one-minute tumbling event-time windows per {@link ProbeKey}, the shared
   * allowed lateness, additive rows per firing ({@link DeltaProbeMinuteFunction}), later results to
   * {@link #LATE_RESULTS}.
   */
  static SingleOutputStreamOperator<ProbeMinute> minutes(
      DataStream<ProbeCheck> results, StreamSemantics semantics) {
    TypeInformation<ProbeTally> tallyType = TypeInformation.of(ProbeTally.class);
    return results
        .keyBy(ProbeCheck::key, ProbeKey.TYPE)
        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
        .allowedLateness(semantics.allowedLateness())
        .sideOutputLateData(LATE_RESULTS)
        .aggregate(
            new ProbeMinuteAggregate(),
            new DeltaProbeMinuteFunction(),
            tallyType,
            tallyType,
            TypeInformation.of(ProbeMinute.class))
        .name("probe-minutes")
        .uid("probe-minutes");
  }

  /** Event time per Kafka partition, as the API job's ({@link DecodedWatermarks}). */
  public static WatermarkStrategy<Decoded<ProbeCheck>> watermarks(StreamSemantics semantics) {
    return DecodedWatermarks.strategy(
        semantics.outOfOrderness(), WATERMARK_STEP, semantics.idleness(), ProbeCheck::timeMs);
  }

  /**
   * The Kafka source of probe results, decoding in the source ({@link ProbeDecoding}: the
   * contract's rules, then the job's), started and bounded as {@link DecodedKafka#source} starts
   * and bounds the other jobs' sources.
   */
  public static KafkaSource<Decoded<ProbeCheck>> kafkaSource(
      KafkaSettings kafka, StreamSemantics semantics, Clock ingestClock) {
    KafkaSourceBuilder<Decoded<ProbeCheck>> source =
        KafkaSource.<Decoded<ProbeCheck>>builder()
            .setBootstrapServers(kafka.bootstrapServers())
            .setGroupId(kafka.groupId())
            .setTopics(kafka.topic())
            .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(new ProbeDecoding(ingestClock, semantics.maxFuture()));
    if (kafka.bounded()) {
      source.setBounded(OffsetsInitializer.latest());
    }
    return source.build();
  }

  /** Adds the whole job to {@code env}: Kafka source, {@link #build}, sinks. */
  public static ProbeStreams wire(
      StreamExecutionEnvironment env, ProbeConfig config, Clock ingestClock) {
    env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    if (config.parallelism() > 0) {
      env.setParallelism(config.parallelism());
    }
    DataStream<Decoded<ProbeCheck>> records =
        env.fromSource(
                kafkaSource(config.kafka(), config.semantics(), ingestClock),
                watermarks(config.semantics()),
                "kafka-probe-results",
                DECODED_TYPE)
            .uid("kafka-probe-results");
    ProbeStreams streams = build(records, config.semantics());
    sinks(streams, config);
    return streams;
  }

  /** The production sinks of the job's streams and of its SLOs, each with a stable uid. */
  public static void sinks(ProbeStreams streams, ProbeConfig config) {
    streams
        .deadLetters()
        .sinkTo(DecodedKafka.deadLetterSink(config.kafka()))
        .name("probe-dead-letters-to-kafka")
        .uid("probe-dead-letters-to-kafka");
    String kafkaClusterId = KafkaClusterId.read(config.kafka().bootstrapServers());
    streams
        .deadLetters()
        .sinkTo(ApiSinks.deadLetters(config.clickhouse(), kafkaClusterId))
        .name("probe-dead-letters-to-clickhouse")
        .uid("probe-dead-letters-to-clickhouse");
    streams
        .rawResults()
        .sinkTo(ProbeSinks.rawResults(config.clickhouse()))
        .name("probe-results-raw-to-clickhouse")
        .uid("probe-results-raw-to-clickhouse");
    streams
        .minutes()
        .sinkTo(ProbeSinks.minutes(config.clickhouse()))
        .name("probe-minutes-to-clickhouse")
        .uid("probe-minutes-to-clickhouse");
    streams
        .lateResults()
        .sinkTo(ProbeSinks.lateResults(config.clickhouse()))
        .name("probe-results-late-to-clickhouse")
        .uid("probe-results-late-to-clickhouse");
    slos(streams, config)
        .ifPresent(
            slo ->
                SloEvaluation.sinks(
                    slo,
                    config.clickhouse(),
                    config.kafka(),
                    config.slo().alertTopic(),
                    SLO_DOMAIN));
  }

  /**
   * The SLOs over probe results of {@code config} evaluated over the job's results (docs/slo.md),
   * or empty when it has none. The counts come after dedup; results later than the allowed lateness
   * are dropped by the evaluation as by the minute rows.
   */
  public static Optional<SloEvaluation.SloStreams> slos(ProbeStreams streams, ProbeConfig config) {
    ProbeSlis slis = new ProbeSlis(config.slo().slos());
    if (slis.isEmpty()) {
      return Optional.empty();
    }
    DataStream<SliCount> counts =
        streams
            .rawResults()
            .flatMap(slis, TypeInformation.of(SliCount.class))
            .name("probe-sli-counts")
            .uid("probe-sli-counts");
    return Optional.of(
        SloEvaluation.evaluate(
            counts,
            config.slo().slos(),
            config.semantics().allowedLateness().toMillis(),
            SLO_DOMAIN));
  }

  /**
   * {@code flink run -c dev.pulse.flink.probes.ProbeJob flink-jobs-<version>-job.jar [--key value
   * ...]}: as the API job's main ({@link JobMain}).
   */
  public static void main(String[] args) throws Exception {
    JobMain.run(
        JOB_NAME,
        ProbeConfig.OPTIONS,
        args,
        ProbeConfig::fromArgs,
        ProbeConfig::kafka,
        (env, config) -> wire(env, config, Clock.systemUTC()));
  }
}
