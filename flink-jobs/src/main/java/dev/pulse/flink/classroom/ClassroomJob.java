package dev.pulse.flink.classroom;

import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.sinks.ApiSinks;
import dev.pulse.flink.classroom.functions.SessionEngagementFunction;
import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.flink.classroom.sinks.ClassroomSinks;
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
import java.time.Clock;
import java.time.Duration;
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
 * The classroom job: classroom events from Kafka become validated, deduplicated raw events, and
 * engagement facts per session (docs/engagement.md): minutes as they become final, learners and the
 * session when it ends, late events, dead letters. {@link #build} is the computation as a pure
 * function over streams on the shared core (decode, dead letters, dedup, per-partition watermarks);
 * {@link #wire} adds Kafka and the sinks.
 */
public final class ClassroomJob {

  /** The name the job runs under. */
  public static final String JOB_NAME = "pulse-classroom";

  /**
   * The dedup covers event ids for this window past the watermark, as the API job's minute does: a
   * replay within it is dropped, one later than that arrives behind the watermark and is late.
   */
  public static final Duration DEDUP_WINDOW = Duration.ofMinutes(1);

  /** Events the dedup found beyond its horizon: late, never counted or remembered. */
  public static final OutputTag<ClassroomActivity> BEYOND_DEDUP_HORIZON =
      new OutputTag<>("classroom-beyond-dedup-horizon", ClassroomActivity.TYPE);

  /** What the source emits: each record decoded once, as an event or a dead letter. */
  public static final TypeInformation<Decoded<ClassroomActivity>> DECODED_TYPE =
      TypeInformation.of(new TypeHint<Decoded<ClassroomActivity>>() {});

  static final Duration WATERMARK_STEP = Duration.ofSeconds(1);

  private ClassroomJob() {}

  /** The job as a function: decoded, timestamped records in, the result streams out. */
  public static ClassroomStreams build(
      DataStream<Decoded<ClassroomActivity>> records, StreamSemantics semantics) {
    SingleOutputStreamOperator<ClassroomActivity> events =
        records
            .process(new SplitDecoded<>(ClassroomActivity.TYPE))
            .name("split-classroom-events")
            .uid("split-classroom-events");
    DataStream<DeadLetter> deadLetters = events.getSideOutput(SplitDecoded.DEAD_LETTERS);
    SingleOutputStreamOperator<ClassroomActivity> deduplicated =
        events
            .keyBy(e -> SeenIds.bucketOf(e.dedupKey()), Types.INT)
            .process(
                new BucketedDeduplicateFunction<>(
                    semantics.dedupHorizon(DEDUP_WINDOW),
                    semantics.dedupStateLayout(),
                    ClassroomActivity::dedupKey,
                    BEYOND_DEDUP_HORIZON,
                    semantics.dedupWarnIds()),
                ClassroomActivity.TYPE)
            .name("dedup-classroom-events")
            .uid("dedup-classroom-events");
    DataStream<ClassroomActivity> beyondHorizon = deduplicated.getSideOutput(BEYOND_DEDUP_HORIZON);
    SingleOutputStreamOperator<SessionMinuteFact> minutes =
        deduplicated
            .keyBy(ClassroomActivity::key, SessionKey.TYPE)
            .process(
                new SessionEngagementFunction(semantics.allowedLateness().toMillis()),
                TypeInformation.of(SessionMinuteFact.class))
            .name("classroom-engagement")
            .uid("classroom-engagement");
    return new ClassroomStreams(
        deduplicated.union(beyondHorizon),
        minutes,
        minutes.getSideOutput(SessionEngagementFunction.LEARNERS),
        minutes.getSideOutput(SessionEngagementFunction.SESSIONS),
        minutes.getSideOutput(SessionEngagementFunction.LATE).union(beyondHorizon),
        deadLetters);
  }

  /** Event time per Kafka partition, as the API job's ({@link DecodedWatermarks}). */
  public static WatermarkStrategy<Decoded<ClassroomActivity>> watermarks(
      StreamSemantics semantics) {
    return DecodedWatermarks.strategy(
        semantics.outOfOrderness(), WATERMARK_STEP, semantics.idleness(), e -> e.timeMs());
  }

  /** The Kafka source of classroom events, decoding in the source. */
  public static KafkaSource<Decoded<ClassroomActivity>> kafkaSource(
      ClassroomConfig config, Clock ingestClock) {
    return DecodedKafka.<ClassroomEvent, ClassroomActivity>source(
        config.kafka(),
        config.semantics(),
        Topics.CLASSROOM,
        DECODED_TYPE,
        ClassroomActivity::of,
        ingestClock);
  }

  /** Adds the whole job to {@code env}: Kafka source, {@link #build}, sinks. */
  public static ClassroomStreams wire(
      StreamExecutionEnvironment env, ClassroomConfig config, Clock ingestClock) {
    env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    if (config.parallelism() > 0) {
      env.setParallelism(config.parallelism());
    }
    DataStream<Decoded<ClassroomActivity>> records =
        env.fromSource(
                kafkaSource(config, ingestClock),
                watermarks(config.semantics()),
                "kafka-classroom-events",
                DECODED_TYPE)
            .uid("kafka-classroom-events");
    ClassroomStreams streams = build(records, config.semantics());
    sinks(streams, config);
    return streams;
  }

  /** The production sinks of the job's streams, each with a stable uid. */
  public static void sinks(ClassroomStreams streams, ClassroomConfig config) {
    streams
        .deadLetters()
        .sinkTo(DecodedKafka.deadLetterSink(config.kafka()))
        .name("classroom-dead-letters-to-kafka")
        .uid("classroom-dead-letters-to-kafka");
    String kafkaClusterId = KafkaClusterId.read(config.kafka().bootstrapServers());
    streams
        .deadLetters()
        .sinkTo(ApiSinks.deadLetters(config.clickhouse(), kafkaClusterId))
        .name("classroom-dead-letters-to-clickhouse")
        .uid("classroom-dead-letters-to-clickhouse");
    streams
        .rawEvents()
        .sinkTo(ClassroomSinks.rawEvents(config.clickhouse()))
        .name("classroom-events-raw-to-clickhouse")
        .uid("classroom-events-raw-to-clickhouse");
    streams
        .minutes()
        .sinkTo(ClassroomSinks.minutes(config.clickhouse()))
        .name("classroom-minutes-to-clickhouse")
        .uid("classroom-minutes-to-clickhouse");
    streams
        .learners()
        .sinkTo(ClassroomSinks.learners(config.clickhouse()))
        .name("classroom-learners-to-clickhouse")
        .uid("classroom-learners-to-clickhouse");
    streams
        .sessions()
        .sinkTo(ClassroomSinks.sessions(config.clickhouse()))
        .name("classroom-sessions-to-clickhouse")
        .uid("classroom-sessions-to-clickhouse");
    streams
        .lateEvents()
        .sinkTo(ClassroomSinks.lateEvents(config.clickhouse()))
        .name("classroom-events-late-to-clickhouse")
        .uid("classroom-events-late-to-clickhouse");
  }

  /**
   * {@code flink run -c dev.pulse.flink.classroom.ClassroomJob flink-jobs-<version>-job.jar [--key
   * value ...]}: as the API job's main ({@link JobMain}).
   */
  public static void main(String[] args) throws Exception {
    JobMain.run(
        JOB_NAME,
        ClassroomConfig.OPTIONS,
        args,
        ClassroomConfig::fromArgs,
        ClassroomConfig::kafka,
        (env, config) -> wire(env, config, Clock.systemUTC()));
  }
}
