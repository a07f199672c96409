package dev.pulse.flink.playback;

import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.topics.Topics;
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
import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.flink.playback.functions.PlaybackViewFunction;
import dev.pulse.flink.playback.functions.ViewComputation;
import dev.pulse.flink.playback.functions.ViewSlis;
import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.playback.sinks.PlaybackSinks;
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
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * The playback job: player events from Kafka become validated, deduplicated raw events, and video
 * QoE per view (docs/qoe.md): additive minute rows as a view's minutes become final and when it
 * ends, corrected by the difference when a late event changes it; each ended view's facts,
 * versioned; late events; dead letters. {@link #build} is the computation as a pure function over
 * streams on the shared core (decode, dead letters, dedup, per-partition watermarks); {@link #wire}
 * adds Kafka and the sinks.
 */
public final class PlaybackJob {

  /** The name the job runs under. */
  public static final String JOB_NAME = "pulse-playback";

  /**
   * The dedup covers event ids for this window past the watermark: a late event up to this far
   * behind can still correct its view (docs/qoe.md, "Late events"), so a replay of it must be
   * dropped; one later than that is late.
   */
  public static final Duration DEDUP_WINDOW = Duration.ofHours(2);

  /** Events the dedup found beyond its horizon: late, never counted or remembered. */
  public static final OutputTag<PlaybackActivity> BEYOND_DEDUP_HORIZON =
      new OutputTag<>("playback-beyond-dedup-horizon", PlaybackActivity.TYPE);

  /** What the source emits: each record decoded once, as an event or a dead letter. */
  public static final TypeInformation<Decoded<PlaybackActivity>> DECODED_TYPE =
      TypeInformation.of(new TypeHint<Decoded<PlaybackActivity>>() {});

  static final Duration WATERMARK_STEP = Duration.ofSeconds(1);

  private PlaybackJob() {}

  /** The job as a function: decoded, timestamped records in, the result streams out. */
  public static PlaybackStreams build(
      DataStream<Decoded<PlaybackActivity>> records, StreamSemantics semantics) {
    SingleOutputStreamOperator<PlaybackActivity> events =
        records
            .process(new SplitDecoded<>(PlaybackActivity.TYPE))
            .name("split-playback-events")
            .uid("split-playback-events");
    DataStream<DeadLetter> deadLetters = events.getSideOutput(SplitDecoded.DEAD_LETTERS);
    SingleOutputStreamOperator<PlaybackActivity> deduplicated =
        events
            .keyBy(e -> SeenIds.bucketOf(e.dedupKey()), Types.INT)
            .process(
                new BucketedDeduplicateFunction<>(
                    semantics.dedupHorizon(DEDUP_WINDOW),
                    semantics.dedupStateLayout(),
                    PlaybackActivity::dedupKey,
                    BEYOND_DEDUP_HORIZON,
                    semantics.dedupWarnIds()),
                PlaybackActivity.TYPE)
            .name("dedup-playback-events")
            .uid("dedup-playback-events");
    DataStream<PlaybackActivity> beyondHorizon = deduplicated.getSideOutput(BEYOND_DEDUP_HORIZON);
    SingleOutputStreamOperator<QoeMinuteDelta> minutes =
        deduplicated
            .keyBy(PlaybackActivity::key, ViewKey.TYPE)
            .process(
                new PlaybackViewFunction(semantics.allowedLateness().toMillis()),
                TypeInformation.of(QoeMinuteDelta.class))
            .name("playback-views")
            .uid("playback-views");
    return new PlaybackStreams(
        deduplicated.union(beyondHorizon),
        minutes,
        minutes.getSideOutput(PlaybackViewFunction.VIEWS),
        minutes.getSideOutput(PlaybackViewFunction.LATE).union(beyondHorizon),
        deadLetters);
  }

  /** Event time per Kafka partition, as the API job's ({@link DecodedWatermarks}). */
  public static WatermarkStrategy<Decoded<PlaybackActivity>> watermarks(StreamSemantics semantics) {
    return DecodedWatermarks.strategy(
        semantics.outOfOrderness(), WATERMARK_STEP, semantics.idleness(), e -> e.timeMs());
  }

  /** The Kafka source of player events, decoding in the source. */
  public static KafkaSource<Decoded<PlaybackActivity>> kafkaSource(
      PlaybackConfig config, Clock ingestClock) {
    return DecodedKafka.<PlaybackEvent, PlaybackActivity>source(
        config.kafka(),
        config.semantics(),
        Topics.PLAYBACK,
        DECODED_TYPE,
        PlaybackActivity::of,
        ingestClock);
  }

  /** Adds the whole job to {@code env}: Kafka source, {@link #build}, sinks. */
  public static PlaybackStreams wire(
      StreamExecutionEnvironment env, PlaybackConfig config, Clock ingestClock) {
    env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    if (config.parallelism() > 0) {
      env.setParallelism(config.parallelism());
    }
    DataStream<Decoded<PlaybackActivity>> records =
        env.fromSource(
                kafkaSource(config, ingestClock),
                watermarks(config.semantics()),
                "kafka-playback-events",
                DECODED_TYPE)
            .uid("kafka-playback-events");
    PlaybackStreams streams = build(records, config.semantics());
    sinks(streams, config);
    return streams;
  }

  /** The production sinks of the job's streams, each with a stable uid. */
  public static void sinks(PlaybackStreams streams, PlaybackConfig config) {
    streams
        .deadLetters()
        .sinkTo(DecodedKafka.deadLetterSink(config.kafka()))
        .name("playback-dead-letters-to-kafka")
        .uid("playback-dead-letters-to-kafka");
    String kafkaClusterId = KafkaClusterId.read(config.kafka().bootstrapServers());
    streams
        .deadLetters()
        .sinkTo(ApiSinks.deadLetters(config.clickhouse(), kafkaClusterId))
        .name("playback-dead-letters-to-clickhouse")
        .uid("playback-dead-letters-to-clickhouse");
    streams
        .rawEvents()
        .sinkTo(PlaybackSinks.rawEvents(config.clickhouse()))
        .name("playback-events-raw-to-clickhouse")
        .uid("playback-events-raw-to-clickhouse");
    streams
        .minutes()
        .sinkTo(PlaybackSinks.minutes(config.clickhouse()))
        .name("playback-minutes-to-clickhouse")
        .uid("playback-minutes-to-clickhouse");
    streams
        .views()
        .sinkTo(PlaybackSinks.views(config.clickhouse()))
        .name("playback-views-to-clickhouse")
        .uid("playback-views-to-clickhouse");
    streams
        .lateEvents()
        .sinkTo(PlaybackSinks.lateEvents(config.clickhouse()))
        .name("playback-events-late-to-clickhouse")
        .uid("playback-events-late-to-clickhouse");
    slos(streams, config)
        .ifPresent(
            slo ->
                SloEvaluation.sinks(
                    slo,
                    config.clickhouse(),
                    config.kafka(),
                    config.slo().alertTopic(),
                    "playback"));
  }

  /**
   * The SLOs over video views of {@code config} evaluated over the ended views (docs/slo.md), or
   * empty when it has none. A view counts in the minute it ended; its outcome is known only once it
   * has ended, up to the idle timeout later, and a correction may come as late as the dedup window
   * allows: the evaluation takes counts that far behind event time.
   */
  public static Optional<SloEvaluation.SloStreams> slos(
      PlaybackStreams streams, PlaybackConfig config) {
    ViewSlis slis = new ViewSlis(config.slo().slos());
    if (slis.isEmpty()) {
      return Optional.empty();
    }
    DataStream<SliCount> counts =
        streams
            .views()
            .keyBy(row -> row.fact().key(), ViewKey.TYPE)
            .process(slis, TypeInformation.of(SliCount.class))
            .name("playback-sli-counts")
            .uid("playback-sli-counts");
    long lateness =
        DEDUP_WINDOW.toMillis()
            + ViewComputation.IDLE_TIMEOUT_MS
            + config.semantics().allowedLateness().toMillis();
    return Optional.of(SloEvaluation.evaluate(counts, config.slo().slos(), lateness, "playback"));
  }

  /**
   * {@code flink run -c dev.pulse.flink.playback.PlaybackJob flink-jobs-<version>-job.jar [--key
   * value ...]}: as the API job's main ({@link JobMain}).
   */
  public static void main(String[] args) throws Exception {
    JobMain.run(
        JOB_NAME,
        PlaybackConfig.OPTIONS,
        args,
        PlaybackConfig::fromArgs,
        PlaybackConfig::kafka,
        (env, config) -> wire(env, config, Clock.systemUTC()));
  }
}
