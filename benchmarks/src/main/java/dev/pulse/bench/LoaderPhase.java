package dev.pulse.bench;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import dev.pulse.clickhouse.ClickHouseClients;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.ProbeResult;
import dev.pulse.events.codec.DecodeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.sink.GrowableBytes;
import dev.pulse.simulator.Domain;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The ceiling of a useful pipeline: the fastest hand-written loader of the same useful work,
 * without a framework. It consumes the preloaded records, decodes each with the event-schemas
 * {@link EventCodec}, encodes it as a RowBinary row of its raw table ({@code api_requests_raw},
 * {@code classroom_events_raw}, {@code playback_events_raw} or {@code probe_results_raw}), adds it
 * to per-minute aggregates ({@link MinuteAggregates}), and inserts both through client-v2 with
 * several INSERTs in flight. Threads: one consumer (Kafka's poll loop is single-threaded), {@code
 * decoders} decoding and encoding threads fed by it, and {@code inserts} concurrent INSERTs; on two
 * cores this keeps both busy. No deduplication, no event-time windows, no checkpoints: what Pulse
 * does on top of this is its overhead.
 */
final class LoaderPhase {

  /** The API raw table's columns, in the order each row is encoded. */
  static final List<String> COLUMNS =
      List.of(
          "event_id",
          "tenant_id",
          "event_time",
          "event_time_ms",
          "service",
          "endpoint",
          "method",
          "status_code",
          "latency_us",
          "region",
          "trace_id");

  /** The classroom raw table's columns, in the order each row is encoded. */
  static final List<String> CLASSROOM_COLUMNS =
      List.of(
          "event_id",
          "tenant_id",
          "event_time",
          "event_time_ms",
          "course_id",
          "session_id",
          "user_id",
          "role",
          "type",
          "device",
          "region",
          "app_version");

  /** The playback raw table's columns, in the order each row is encoded. */
  static final List<String> PLAYBACK_COLUMNS =
      List.of(
          "event_id",
          "tenant_id",
          "event_time",
          "event_time_ms",
          "view_id",
          "video_id",
          "course_id",
          "user_id",
          "type",
          "bitrate_kbps",
          "playhead_ms",
          "error_code",
          "fatal",
          "cdn",
          "region",
          "device",
          "player");

  /** The probe raw table's columns, in the order each row is encoded. */
  static final List<String> PROBE_COLUMNS =
      List.of(
          "event_id",
          "tenant_id",
          "event_time",
          "event_time_ms",
          "target",
          "region",
          "success",
          "latency_ms",
          "error");

  /** The loader's own table of per-minute aggregates, in its database. */
  static final String MINUTES_TABLE = "bench_loader_minutes";

  static final List<String> MINUTES_COLUMNS =
      List.of("domain", "tenant_id", "k1", "k2", "minute", "events", "errors", "value_sum");

  /** Summed at merge: each INSERT adds one batch's partial aggregates. */
  static String minutesDdl(String database) {
    return "CREATE TABLE IF NOT EXISTS "
        + database
        + "."
        + MINUTES_TABLE
        + " (domain String, tenant_id String, k1 String, k2 String, minute DateTime,"
        + " events UInt64, errors UInt64, value_sum Int64)"
        + " ENGINE = SummingMergeTree PARTITION BY toYYYYMM(minute)"
        + " ORDER BY (domain, tenant_id, k1, k2, minute)";
  }

  private LoaderPhase() {}

  /**
   * How the loader runs.
   *
   * @param batchRows raw rows per INSERT
   * @param decoders threads decoding and encoding records
   * @param inserts INSERTs in flight at most
   */
  record Settings(int batchRows, int decoders, int inserts) {}

  /** Appends one decoded event as a raw row and to the minute aggregates. */
  interface Encoder<T> {
    void encode(T event, RowBuffer raw, MinuteAggregates minutes);
  }

  /**
   * What the loader stores of one domain: its topic's codec, its raw table's columns, and each
   * event's RowBinary row and aggregate.
   */
  record RawRows<T extends SpecificRecord>(
      EventCodec<T> codec, String table, List<String> columns, Encoder<T> encoder) {

    /** A fresh codec per call: each decoding thread has its own. */
    static RawRows<?> of(Domain domain) {
      String table = Traffic.rawTable(domain);
      return switch (domain) {
        case API ->
            new RawRows<ApiRequestEvent>(
                EventCodec.forTopic(Topics.API_REQUESTS),
                table,
                COLUMNS,
                (e, raw, minutes) -> {
                  encode(e, raw);
                  minutes.add(
                      "api",
                      e.getTenantId(),
                      e.getService(),
                      e.getEndpoint(),
                      e.getEventTime().toEpochMilli(),
                      e.getStatusCode() >= 500,
                      e.getLatencyUs());
                });
        case CLASSROOM ->
            new RawRows<ClassroomEvent>(
                EventCodec.forTopic(Topics.CLASSROOM),
                table,
                CLASSROOM_COLUMNS,
                (e, raw, minutes) -> {
                  encodeClassroom(e, raw);
                  minutes.add(
                      "classroom",
                      e.getTenantId(),
                      e.getSessionId(),
                      e.getType().name(),
                      e.getEventTime().toEpochMilli(),
                      false,
                      0);
                });
        case PLAYBACK ->
            new RawRows<PlaybackEvent>(
                EventCodec.forTopic(Topics.PLAYBACK),
                table,
                PLAYBACK_COLUMNS,
                (e, raw, minutes) -> {
                  encodePlayback(e, raw);
                  minutes.add(
                      "playback",
                      e.getTenantId(),
                      e.getVideoId(),
                      e.getCdn(),
                      e.getEventTime().toEpochMilli(),
                      e.getFatal(),
                      e.getBitrateKbps() == null ? 0 : e.getBitrateKbps());
                });
        case PROBES ->
            new RawRows<ProbeResult>(
                EventCodec.forTopic(Topics.PROBES),
                table,
                PROBE_COLUMNS,
                (e, raw, minutes) -> {
                  encodeProbe(e, raw);
                  minutes.add(
                      "probes",
                      e.getTenantId(),
                      e.getTarget(),
                      e.getRegion(),
                      e.getEventTime().toEpochMilli(),
                      !e.getSuccess(),
                      e.getLatencyMs());
                });
      };
    }

    /** Decodes {@code value} and appends its row and aggregate; false when it does not decode. */
    boolean append(byte[] value, RowBuffer out, MinuteAggregates minutes) {
      if (codec.decode(value) instanceof DecodeResult.Ok<T> ok) {
        encoder.encode(ok.value(), out, minutes);
        return true;
      }
      return false;
    }
  }

  /**
   * Per-minute aggregates of one batch: per (domain, tenant, two key columns, minute) the events,
   * the errors and the sum of one value (API: latency; playback: bitrate; probes: latency).
   */
  static final class MinuteAggregates {
    private record Key(String domain, String tenant, String k1, String k2, long minute) {}

    private final HashMap<Key, long[]> sums = new HashMap<>();
    private long events;

    void add(
        String domain, String tenant, String k1, String k2, long ms, boolean error, long value) {
      long[] s =
          sums.computeIfAbsent(
              new Key(domain, tenant, k1, k2, Math.floorDiv(ms, 60_000L)), k -> new long[3]);
      s[0]++;
      if (error) {
        s[1]++;
      }
      s[2] += value;
      events++;
    }

    long events() {
      return events;
    }

    /** The aggregates as RowBinary rows of {@link #MINUTES_TABLE}. */
    RowBuffer toRows() {
      RowBuffer out = new RowBuffer(sums.size() * 80);
      sums.forEach(
          (k, s) -> {
            out.string(k.domain());
            out.string(k.tenant());
            out.string(k.k1());
            out.string(k.k2());
            out.littleEndian(k.minute() * 60, 4); // DateTime: UInt32 seconds
            out.littleEndian(s[0], 8);
            out.littleEndian(s[1], 8);
            out.littleEndian(s[2], 8);
            out.rows++;
          });
      return out;
    }
  }

  /** Where the loader writes. */
  record Target(String url, String user, String password, String database) {}

  static PhaseResult run(
      String bootstrap,
      String groupId,
      Preload.Loaded input,
      long events,
      Target target,
      Settings settings,
      OptionalLong clickhousePid,
      Duration progressEvery,
      PrintWriter progress) {
    ProgressWatch watch =
        new ProgressWatch(
            "loader",
            events,
            ProgressWatch.timeoutFor(events),
            Duration.ofSeconds(60),
            progressEvery,
            progress);
    ResourceMeter meter = ResourceMeter.start(clickhousePid);
    Client client = client(target, settings.inserts());
    createMinutesTable(client, target);
    Inserts inserts = new Inserts(client, target, settings.inserts());
    BlockingQueue<List<ConsumerRecord<byte[], byte[]>>> chunks =
        new ArrayBlockingQueue<>(2 * settings.decoders());
    List<Decoder> decoders = new ArrayList<>();
    for (int i = 0; i < settings.decoders(); i++) {
      Decoder d = new Decoder(input.topics(), settings.batchRows(), chunks, inserts);
      decoders.add(d);
      Thread t = new Thread(d, "pulse-bench-loader-decode-" + i);
      t.setDaemon(true);
      t.start();
    }
    long consumed = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        ConsumerPhase.subscribe(bootstrap, groupId, input)) {
      while (consumed < events) {
        inserts.checkFailure();
        watch.update(inserts.stored());
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          watch.firstSeen();
        }
        for (TopicPartition tp : records.partitions()) {
          long end = input.endOffsets().get(tp);
          List<ConsumerRecord<byte[], byte[]>> chunk = new ArrayList<>();
          for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
            if (r.offset() < end) { // after the preload: not the benchmark's
              chunk.add(r);
            }
          }
          consumed += chunk.size();
          handOver(chunks, chunk, inserts, watch);
        }
      }
      for (int i = 0; i < decoders.size(); i++) {
        handOver(chunks, Decoder.END, inserts, watch);
      }
      // Done when every event is in both: its raw row and its minute's aggregate.
      while (!watch.update(inserts.stored())) {
        inserts.checkFailure();
        long failures = decoders.stream().mapToLong(d -> d.decodeFailures).sum();
        if (failures > 0) {
          throw new BenchException(
              String.format(
                  Locale.ROOT,
                  "loader: %,d of %,d preloaded records did not decode: the preload should hold valid events only",
                  failures,
                  consumed));
        }
        sleep(20);
      }
    } finally {
      inserts.close();
      client.close();
    }
    ResourceMeter.Usage usage = meter.stop();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("rawInserts", inserts.rawInserts.get());
    details.put("minuteInserts", inserts.minuteInserts.get());
    details.put("batchRows", settings.batchRows());
    details.put("decoders", settings.decoders());
    details.put("insertsInFlight", settings.inserts());
    details.put("database", target.database());
    return watch.result(inserts.stored(), usage, details);
  }

  /** Passes a chunk on, keeping the progress line and the stall check alive while it waits. */
  private static <T> void handOver(
      BlockingQueue<T> queue, T chunk, Inserts inserts, ProgressWatch watch) {
    try {
      while (!queue.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
        inserts.checkFailure();
        watch.update(inserts.stored());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("loader interrupted", e);
    }
  }

  /**
   * One decoding thread: decodes the chunks it takes, appends raw rows per table and the minute
   * aggregates, and sends a table's rows (with the aggregates so far) once it holds a batch.
   */
  private static final class Decoder implements Runnable {
    static final List<ConsumerRecord<byte[], byte[]>> END = List.of();

    private final Map<String, RawRows<?>> byTopic = new HashMap<>();
    private final Map<String, RowBuffer> buffers = new HashMap<>();
    private final int batchRows;
    private final BlockingQueue<List<ConsumerRecord<byte[], byte[]>>> chunks;
    private final Inserts inserts;
    private MinuteAggregates minutes = new MinuteAggregates();
    volatile long decodeFailures;

    Decoder(
        Map<Domain, String> topics,
        int batchRows,
        BlockingQueue<List<ConsumerRecord<byte[], byte[]>>> chunks,
        Inserts inserts) {
      topics.forEach((domain, topic) -> byTopic.put(topic, RawRows.of(domain)));
      this.batchRows = batchRows;
      this.chunks = chunks;
      this.inserts = inserts;
    }

    @Override
    public void run() {
      try {
        while (true) {
          List<ConsumerRecord<byte[], byte[]>> chunk = chunks.take();
          if (chunk == END) {
            for (RawRows<?> rows : byTopic.values()) {
              send(rows);
            }
            return;
          }
          for (ConsumerRecord<byte[], byte[]> r : chunk) {
            RawRows<?> rows = byTopic.get(r.topic());
            RowBuffer buffer = buffers.computeIfAbsent(rows.table(), t -> newBuffer());
            if (!rows.append(r.value(), buffer, minutes)) {
              decodeFailures++;
            }
            if (buffer.rows >= batchRows) {
              send(rows);
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Throwable t) {
        inserts.fail(t);
      }
    }

    private RowBuffer newBuffer() {
      return new RowBuffer(Math.min(batchRows, 1 << 20) * 160);
    }

    private void send(RawRows<?> rows) throws InterruptedException {
      RowBuffer buffer = buffers.remove(rows.table());
      if (buffer != null && buffer.rows > 0) {
        inserts.raw(rows, buffer);
      }
      if (minutes.events() > 0) {
        inserts.minutes(minutes);
        minutes = new MinuteAggregates();
      }
    }
  }

  /** INSERTs in flight, at most {@code limit} at once; the counts of what they stored. */
  private static final class Inserts implements AutoCloseable {
    private final Client client;
    private final String database;
    private final Semaphore slots;
    private final ExecutorService pool;
    private final InsertSettings settings;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicLong rawRows = new AtomicLong();
    final AtomicLong minuteEvents = new AtomicLong();
    final AtomicLong rawInserts = new AtomicLong();
    final AtomicLong minuteInserts = new AtomicLong();

    Inserts(Client client, Target target, int limit) {
      this.client = client;
      this.database = target.database();
      this.slots = new Semaphore(limit);
      this.pool =
          Executors.newFixedThreadPool(
              limit,
              r -> {
                Thread t = new Thread(r, "pulse-bench-loader-insert");
                t.setDaemon(true);
                return t;
              });
      this.settings = new InsertSettings().serverSetting("database", database);
    }

    void raw(RawRows<?> rows, RowBuffer batch) throws InterruptedException {
      submit(
          database + "." + rows.table(),
          rows.columns(),
          batch,
          () -> {
            rawRows.addAndGet(batch.rows);
            rawInserts.incrementAndGet();
          });
    }

    void minutes(MinuteAggregates aggregates) throws InterruptedException {
      long n = aggregates.events();
      submit(
          database + "." + MINUTES_TABLE,
          MINUTES_COLUMNS,
          aggregates.toRows(),
          () -> {
            minuteEvents.addAndGet(n);
            minuteInserts.incrementAndGet();
          });
    }

    private void submit(String table, List<String> columns, RowBuffer batch, Runnable done)
        throws InterruptedException {
      slots.acquire();
      pool.execute(
          () -> {
            try {
              client
                  .insert(table, columns, batch.inputStream(), ClickHouseFormat.RowBinary, settings)
                  .get(10, TimeUnit.MINUTES)
                  .close();
              done.run();
            } catch (Throwable t) {
              fail(t);
            } finally {
              slots.release();
            }
          });
    }

    /** Events stored both as raw rows and in the minute aggregates. */
    long stored() {
      return Math.min(rawRows.get(), minuteEvents.get());
    }

    void fail(Throwable t) {
      failure.compareAndSet(null, t);
    }

    void checkFailure() {
      Throwable t = failure.get();
      if (t != null) {
        throw new BenchException("loader: " + t, t);
      }
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  private static void createMinutesTable(Client client, Target target) {
    try {
      client.execute(minutesDdl(target.database())).get(60, TimeUnit.SECONDS).close();
    } catch (Exception e) {
      throw new BenchException("loader: could not create " + MINUTES_TABLE + ": " + e, e);
    }
  }

  /**
   * A client-v2 client from the shared factory (the 18.16 rules: docs/clickhouse-18.16.md), with a
   * connection for each INSERT in flight.
   */
  static Client client(Target target, int inserts) {
    return ClickHouseClients.builder(
            target.url(),
            target.user(),
            target.password(),
            target.database(),
            Duration.ofSeconds(5),
            Duration.ofMinutes(10),
            "pulse-bench-loader")
        .setMaxConnections(Math.max(10, inserts + 2))
        .build();
  }

  /** One event as a RowBinary row of api_requests_raw, columns in {@link #COLUMNS} order. */
  static void encode(ApiRequestEvent e, RowBuffer out) {
    long ms = e.getEventTime().toEpochMilli();
    out.string(e.getEventId());
    out.string(e.getTenantId());
    out.littleEndian(Math.floorDiv(ms, 1000L), 4); // DateTime: UInt32 seconds
    out.littleEndian(ms, 8); // UInt64
    out.string(e.getService());
    out.string(e.getEndpoint());
    out.string(e.getMethod().name());
    out.littleEndian(e.getStatusCode(), 4); // Int32
    out.littleEndian(e.getLatencyUs(), 8); // Int64
    out.string(e.getRegion());
    String trace = e.getTraceId();
    if (trace == null) {
      out.write(1); // Nullable: 1 = NULL, no value follows
    } else {
      out.write(0);
      out.string(trace);
    }
    out.rows++;
  }

  /**
   * One event as a RowBinary row of classroom_events_raw, columns in {@link #CLASSROOM_COLUMNS}
   * order.
   */
  static void encodeClassroom(ClassroomEvent e, RowBuffer out) {
    long ms = e.getEventTime().toEpochMilli();
    out.string(e.getEventId());
    out.string(e.getTenantId());
    out.littleEndian(Math.floorDiv(ms, 1000L), 4); // DateTime: UInt32 seconds
    out.littleEndian(ms, 8); // UInt64
    out.string(e.getCourseId());
    out.string(e.getSessionId());
    out.string(e.getUserId());
    out.string(e.getRole().name());
    out.string(e.getType().name());
    out.string(e.getDevice());
    out.string(e.getRegion());
    out.string(e.getAppVersion());
    out.rows++;
  }

  /**
   * One event as a RowBinary row of playback_events_raw, columns in {@link #PLAYBACK_COLUMNS}
   * order.
   */
  static void encodePlayback(PlaybackEvent e, RowBuffer out) {
    long ms = e.getEventTime().toEpochMilli();
    out.string(e.getEventId());
    out.string(e.getTenantId());
    out.littleEndian(Math.floorDiv(ms, 1000L), 4); // DateTime: UInt32 seconds
    out.littleEndian(ms, 8); // UInt64
    out.string(e.getViewId());
    out.string(e.getVideoId());
    out.string(e.getCourseId());
    out.string(e.getUserId());
    out.string(e.getType().name());
    if (e.getBitrateKbps() == null) {
      out.write(1); // Nullable: 1 = NULL, no value follows
    } else {
      out.write(0);
      out.littleEndian(e.getBitrateKbps(), 4);
    }
    out.littleEndian(e.getPlayheadMs(), 8);
    if (e.getErrorCode() == null) {
      out.write(1);
    } else {
      out.write(0);
      out.string(e.getErrorCode());
    }
    out.write(e.getFatal() ? 1 : 0);
    out.string(e.getCdn());
    out.string(e.getRegion());
    out.string(e.getDevice());
    out.string(e.getPlayer());
    out.rows++;
  }

  /**
   * One probe result as a RowBinary row of probe_results_raw, columns in {@link #PROBE_COLUMNS}.
   */
  static void encodeProbe(ProbeResult e, RowBuffer out) {
    long ms = e.getEventTime().toEpochMilli();
    out.string(e.getEventId());
    out.string(e.getTenantId());
    out.littleEndian(Math.floorDiv(ms, 1000L), 4); // DateTime: UInt32 seconds
    out.littleEndian(ms, 8); // UInt64
    out.string(e.getTarget());
    out.string(e.getRegion());
    out.write(e.getSuccess() ? 1 : 0);
    out.littleEndian(e.getLatencyMs(), 8);
    if (e.getError() == null) {
      out.write(1); // Nullable: 1 = NULL, no value follows
    } else {
      out.write(0);
      out.string(e.getError());
    }
    out.rows++;
  }

  /** RowBinary rows in the sink's growable buffer, with their count; read back once. */
  static final class RowBuffer {
    private final GrowableBytes bytes;
    int rows;

    RowBuffer(int capacity) {
      bytes = new GrowableBytes(capacity);
    }

    void write(int b) {
      bytes.write(b);
    }

    void littleEndian(long v, int n) {
      bytes.writeLittleEndian(v, n);
    }

    /** A String: varint length, then UTF-8 bytes. */
    void string(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      bytes.writeVarUInt(utf8.length);
      bytes.write(utf8, 0, utf8.length);
    }

    InputStream inputStream() {
      return bytes.inputStream();
    }

    byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("loader interrupted", e);
    }
  }
}
