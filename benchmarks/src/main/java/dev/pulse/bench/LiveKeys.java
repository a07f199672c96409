package dev.pulse.bench;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.ClassroomEventType;
import dev.pulse.events.ClassroomRole;
import dev.pulse.events.HttpMethod;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.PlaybackEventType;
import dev.pulse.flink.api.ApiMetricsJob;
import dev.pulse.flink.api.ApiMetricsStreams;
import dev.pulse.flink.api.ApiSemantics;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.classroom.ClassroomJob;
import dev.pulse.flink.classroom.ClassroomStreams;
import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.common.LocalClusters;
import dev.pulse.flink.common.config.StreamSemantics;
import dev.pulse.flink.playback.PlaybackJob;
import dev.pulse.flink.playback.PlaybackStreams;
import dev.pulse.flink.playback.records.PlaybackActivity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.apache.commons.io.FileUtils;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Memory of the jobs' keyed state per live key, measured on the jobs as production builds them
 * ({@code build}), on a MiniCluster in this JVM: a generated source emits every event of {@code n}
 * live keys in event-time order and then waits without ending, so no minute window closes and no
 * session or view ends; then a checkpoint (each operator's state size, as the checkpoint statistics
 * give it). The used heap after full collections is taken twice, with the job running before its
 * source lets the first event through and after the last: their difference is the keys' heap, the
 * dedup's remembered ids of the events still within its horizon included.
 */
final class LiveKeys {

  /** Event time of the first event: a fixed past day (the jobs judge only by event time here). */
  private static final long T0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();

  private static final Duration WAIT = Duration.ofMinutes(5);

  /**
   * Permits the generated source's rate limiter was asked for, and when it lets them through: the
   * source runs in this JVM's MiniCluster, and is held and watched from here.
   */
  private static final AtomicLong ASKED = new AtomicLong();

  private static volatile CompletableFuture<Void> released = new CompletableFuture<>();

  /** One domain's live keys: what a key is, its events, and the job that keeps them. */
  private record Shape<T>(
      String domain,
      String key,
      long keysPer100k,
      int eventsPerKey,
      String events,
      TypeInformation<Decoded<T>> type,
      WatermarkStrategy<Decoded<T>> watermarks,
      Generator<T> generator,
      BiConsumer<DataStream<Decoded<T>>, Sinks> build) {}

  /** Makes the i-th event of {@code keys} live keys: event-time order across keys. */
  private interface Generator<T> extends java.io.Serializable {
    Decoded<T> event(long i, long keys);
  }

  /** Attaches a discarding sink to each stream a job builds (Flink drops unsunk operators). */
  private interface Sinks {
    void to(DataStream<?> stream);
  }

  private LiveKeys() {}

  private static final List<Shape<?>> SHAPES =
      List.of(
          new Shape<>(
              "api",
              "minute window (tenant, service, endpoint, method, region)",
              100_000,
              10,
              "10 requests in its minute, latencies over 50 histogram buckets",
              ApiMetricsJob.DECODED_TYPE,
              ApiMetricsJob.watermarks(StreamSemantics.from(new Configuration())),
              LiveKeys::apiRequest,
              (records, sinks) -> {
                ApiMetricsStreams s =
                    ApiMetricsJob.build(records, ApiSemantics.from(new Configuration()));
                sinks.to(s.rawEvents());
                sinks.to(s.minuteFacts());
                sinks.to(s.deadLetters());
                sinks.to(s.lateEvents());
              }),
          new Shape<>(
              "playback",
              "open view",
              10_000,
              60,
              "60 player events: start, first frame, then a heartbeat every 10 s (10 minutes)",
              PlaybackJob.DECODED_TYPE,
              PlaybackJob.watermarks(StreamSemantics.from(new Configuration())),
              LiveKeys::playerEvent,
              (records, sinks) -> {
                PlaybackStreams s =
                    PlaybackJob.build(records, StreamSemantics.from(new Configuration()));
                sinks.to(s.rawEvents());
                sinks.to(s.minutes());
                sinks.to(s.views());
                sinks.to(s.lateEvents());
                sinks.to(s.deadLetters());
              }),
          new Shape<>(
              "classroom",
              "live session of 30 learners and an instructor",
              500,
              31 * 20,
              "620 events: start, joins, focus and camera, then a heartbeat or chat message of each"
                  + " participant every 30 s (10 minutes)",
              ClassroomJob.DECODED_TYPE,
              ClassroomJob.watermarks(StreamSemantics.from(new Configuration())),
              LiveKeys::classroomEvent,
              (records, sinks) -> {
                ClassroomStreams s =
                    ClassroomJob.build(records, StreamSemantics.from(new Configuration()));
                sinks.to(s.rawEvents());
                sinks.to(s.minutes());
                sinks.to(s.learners());
                sinks.to(s.sessions());
                sinks.to(s.lateEvents());
                sinks.to(s.deadLetters());
              }));

  /**
   * Measures every domain with {@code apiKeys} live API minute windows and as many views and
   * sessions in proportion (one view per 10 windows, one session per 200); details keyed {@code
   * liveKeys.<domain>}.
   */
  static Map<String, Object> measure(long apiKeys, int parallelism, PrintWriter progress) {
    Map<String, Object> out = new LinkedHashMap<>();
    Path checkpoints;
    try {
      checkpoints = Files.createTempDirectory("pulse-bench-live-keys-");
    } catch (IOException e) {
      throw new BenchException("memory: could not create a checkpoint directory: " + e, e);
    }
    Configuration flink = LocalClusters.configuration(checkpoints);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    MiniClusterConfiguration cluster =
        new MiniClusterConfiguration.Builder()
            .setConfiguration(flink)
            .setNumTaskManagers(1)
            .setNumSlotsPerTaskManager(parallelism)
            .build();
    try {
      for (Shape<?> shape : SHAPES) {
        long keys = Math.max(5, apiKeys * shape.keysPer100k() / 100_000);
        // A cluster each: the one before lets go of everything it held when it closes.
        try (MiniCluster mini = new MiniCluster(cluster)) {
          mini.start();
          out.put("liveKeys." + shape.domain(), measure(mini, flink, shape, keys, progress));
        }
      }
    } catch (BenchException e) {
      throw e;
    } catch (Exception e) {
      throw new BenchException("memory: the live-keys measurement failed: " + e, e);
    } finally {
      FileUtils.deleteQuietly(checkpoints.toFile());
    }
    return out;
  }

  private static <T> Map<String, Object> measure(
      MiniCluster mini, Configuration flink, Shape<T> shape, long keys, PrintWriter progress)
      throws Exception {
    progress.printf(
        Locale.ROOT,
        "[bench] memory: %,d live keys of the %s job (%s)%n",
        keys,
        shape.domain(),
        shape.key());
    progress.flush();
    long total = keys * shape.eventsPerKey();
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(flink);
    // Only the checkpoint triggered below runs.
    env.enableCheckpointing(Duration.ofHours(1).toMillis());
    Generator<T> generator = shape.generator();
    GeneratorFunction<Long, Decoded<T>> events = i -> generator.event(i, keys);
    DataStream<Decoded<T>> records =
        env.fromSource(
                new DataGeneratorSource<>(events, total, new ThenWait(total), shape.type()),
                shape.watermarks(),
                "live-" + shape.domain() + "-events")
            .setParallelism(1);
    shape.build().accept(records, stream -> stream.sinkTo(new DiscardingSink<>()));
    ASKED.set(0);
    released = new CompletableFuture<>();
    JobID id = mini.submitJob(env.getStreamGraph()).get(1, TimeUnit.MINUTES).getJobID();
    try {
      // Held at its first event: the job's own heap, every operator open.
      await(mini, id, shape, () -> ASKED.get() >= 1, "its first event was asked for");
      long before = settledHeap();
      released.complete(null);
      // Asked once more than it may emit: the last event has left the source.
      await(mini, id, shape, () -> ASKED.get() > total, "all " + total + " events were emitted");
      // The checkpoint's barrier follows the last event through every operator.
      mini.triggerCheckpoint(id).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      long heap = MemoryPhase.usedHeapAfterGc() - before;
      AccessExecutionGraph graph = mini.getExecutionGraph(id).get(30, TimeUnit.SECONDS);
      CompletedCheckpointStats checkpoint =
          graph.getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
      Map<String, Double> perOperator = new LinkedHashMap<>();
      long state = 0;
      for (AccessExecutionJobVertex v : graph.getVerticesTopologically()) {
        TaskStateStats s = checkpoint.getTaskStateStats(v.getJobVertexId());
        long bytes = s == null ? 0 : s.getStateSize();
        state += bytes;
        if (bytes > 0) {
          perOperator.put(v.getName(), bytes * 1000.0 / keys);
        }
      }
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("key", shape.key());
      d.put("keys", keys);
      d.put("eventsPerKey", shape.eventsPerKey());
      d.put("events", shape.events());
      d.put("heapBytes", heap);
      d.put("heapBytesPerThousandKeys", heap * 1000.0 / keys);
      d.put("checkpointBytes", state);
      d.put("checkpointBytesPerThousandKeys", perOperator);
      return d;
    } finally {
      released.complete(null);
      mini.cancelJob(id).get(1, TimeUnit.MINUTES);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!mini.getJobStatus(id).get(30, TimeUnit.SECONDS).isGloballyTerminalState()
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    }
  }

  /**
   * The used heap after full collections once it stops falling: the job measured before this one
   * lets go of its state a while after it is cancelled.
   */
  private static long settledHeap() throws InterruptedException {
    long used = MemoryPhase.usedHeapAfterGc();
    for (int i = 0; i < 40; i++) {
      Thread.sleep(250);
      long now = MemoryPhase.usedHeapAfterGc();
      if (now > used - used / 100) {
        return Math.min(now, used);
      }
      used = now;
    }
    return used;
  }

  /** Waits (at most {@link #WAIT}) until {@code done}; fails when the job ended meanwhile. */
  private static void await(
      MiniCluster mini, JobID id, Shape<?> shape, BooleanSupplier done, String what)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "memory: the "
                + shape.domain()
                + " job did not get this far within "
                + WAIT
                + ": "
                + what);
      }
      if (mini.getJobStatus(id).get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
        throw new BenchException("memory: the " + shape.domain() + " job ended before " + what);
      }
      Thread.sleep(50);
    }
  }

  /**
   * Lets {@code total} records through, then none: the source neither ends (which would close every
   * window) nor emits more.
   */
  private record ThenWait(long total) implements RateLimiterStrategy<NumberSequenceSplit> {
    @Override
    public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
      return new RateLimiter<>() {
        @Override
        public CompletionStage<Void> acquire(int permits) {
          return ASKED.addAndGet(permits) <= total ? released : new CompletableFuture<>();
        }
      };
    }
  }

  private static String id(String domain, long i) {
    return UUID.nameUUIDFromBytes((domain + "/" + i).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Request {@code step} of key {@code k}: 10 requests 5 s apart within one minute. */
  private static Decoded<ApiRequest> apiRequest(long i, long keys) {
    long step = i / keys;
    long k = i % keys;
    ApiRequestEvent e =
        ApiRequestEvent.newBuilder()
            .setEventId(id("api", i))
            .setTenantId("bench")
            .setEventTime(Instant.ofEpochMilli(T0 + step * 5_000))
            .setService("service-" + (k % 20))
            .setEndpoint("/resource-" + k + "/{id}")
            .setMethod(HttpMethod.GET)
            .setStatusCode(step == 7 ? 503 : 200)
            .setLatencyUs(1_000 + ((k * 7 + step * 13) % 50) * 2_000)
            .setRegion("eu-west")
            .setTraceId(null)
            .build();
    return Decoded.ofEvent("live-api", 0, i, ApiRequest.of(e));
  }

  /** Event {@code step} of view {@code v}: start, first frame, then heartbeats, 10 s apart. */
  private static Decoded<PlaybackActivity> playerEvent(long i, long views) {
    long step = i / views;
    long v = i % views;
    PlaybackEventType type =
        step == 0
            ? PlaybackEventType.VIEW_START
            : step == 1 ? PlaybackEventType.FIRST_FRAME : PlaybackEventType.HEARTBEAT;
    PlaybackEvent e =
        PlaybackEvent.newBuilder()
            .setEventId(id("playback", i))
            .setTenantId("bench")
            .setEventTime(Instant.ofEpochMilli(T0 + step * 10_000))
            .setViewId(id("view", v))
            .setVideoId("video-" + (v % 500))
            .setCourseId("course-" + (v % 50))
            .setUserId("user-" + v)
            .setType(type)
            .setBitrateKbps(step == 1 ? 2_500 : null)
            .setPlayheadMs(Math.max(0, step - 1) * 10_000)
            .setErrorCode(null)
            .setFatal(false)
            .setCdn("cdn-" + (v % 3))
            .setRegion("eu-west")
            .setDevice("laptop")
            .setPlayer("web-player 4.2")
            .build();
    return Decoded.ofEvent("live-playback", 0, i, PlaybackActivity.of(e));
  }

  /**
   * Event {@code step} of participant {@code p} (0 the instructor) of session {@code s}: the start
   * or a join, focus, camera on, then a heartbeat (every fourth a chat message), 30 s apart.
   */
  private static Decoded<ClassroomActivity> classroomEvent(long i, long sessions) {
    int participants = 31;
    long step = i / (sessions * participants);
    long rest = i % (sessions * participants);
    long s = rest / participants;
    int p = (int) (rest % participants);
    ClassroomEventType type;
    if (step == 0) {
      type = p == 0 ? ClassroomEventType.SESSION_STARTED : ClassroomEventType.JOINED;
    } else if (p > 0 && step == 1) {
      type = ClassroomEventType.FOCUS;
    } else if (p > 0 && step == 2) {
      type = ClassroomEventType.CAMERA_ON;
    } else {
      type =
          p > 0 && step % 4 == 0 ? ClassroomEventType.CHAT_MESSAGE : ClassroomEventType.HEARTBEAT;
    }
    ClassroomEvent e =
        ClassroomEvent.newBuilder()
            .setEventId(id("classroom", i))
            .setTenantId("bench")
            .setEventTime(Instant.ofEpochMilli(T0 + step * 30_000 + p * 10L))
            .setCourseId("course-" + (s % 100))
            .setSessionId(id("session", s))
            .setUserId(p == 0 ? "instructor-" + s : "learner-" + s + "-" + p)
            .setRole(p == 0 ? ClassroomRole.INSTRUCTOR : ClassroomRole.LEARNER)
            .setType(type)
            .setDevice("laptop")
            .setRegion("eu-west")
            .setAppVersion("5.1.0")
            .build();
    return Decoded.ofEvent("live-classroom", 0, i, ClassroomActivity.of(e));
  }
}
