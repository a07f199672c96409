package dev.pulse.bench;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import dev.pulse.clickhouse.ClickHouseClients;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.codec.DecodeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.sink.GrowableBytes;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The ceiling of a useful pipeline: a minimal hand-written loader that consumes the preloaded
 * records, decodes each with the event-schemas {@link EventCodec}, encodes it as a RowBinary row of
 * its raw table ({@code api_requests_raw} or {@code classroom_events_raw}), and inserts large
 * batches through client-v2. Two threads in a pipeline: this one consumes, decodes and encodes; an
 * inserter sends the previous batch meanwhile. No Flink, no deduplication, no facts, no
 * checkpoints: what Pulse does on top of this is its overhead.
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

  private LoaderPhase() {}

  /**
   * What the loader stores of one traffic: its topic's codec, its raw table's columns, and each
   * event's RowBinary row.
   */
  record RawRows<T extends SpecificRecord>(
      EventCodec<T> codec, String table, List<String> columns, BiConsumer<T, RowBuffer> encoder) {

    static RawRows<?> of(Traffic traffic) {
      return switch (traffic) {
        case api ->
            new RawRows<>(
                EventCodec.forTopic(Topics.API_REQUESTS),
                traffic.rawTable(),
                COLUMNS,
                LoaderPhase::encode);
        case classroom ->
            new RawRows<>(
                EventCodec.forTopic(Topics.CLASSROOM),
                traffic.rawTable(),
                CLASSROOM_COLUMNS,
                LoaderPhase::encodeClassroom);
        case playback ->
            new RawRows<>(
                EventCodec.forTopic(Topics.PLAYBACK),
                traffic.rawTable(),
                PLAYBACK_COLUMNS,
                LoaderPhase::encodePlayback);
      };
    }

    /** Decodes {@code value} and appends its row; false when it does not decode. */
    boolean append(byte[] value, RowBuffer out) {
      if (codec.decode(value) instanceof DecodeResult.Ok<T> ok) {
        encoder.accept(ok.value(), out);
        return true;
      }
      return false;
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
      Traffic traffic,
      int batchRows,
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
    RawRows<?> rows = RawRows.of(traffic);
    // One batch waiting while another is inserted: the consumer thread runs at most one batch
    // ahead.
    BlockingQueue<RowBuffer> full = new ArrayBlockingQueue<>(1);
    AtomicLong inserted = new AtomicLong();
    AtomicLong batches = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Client client = client(target);
    Thread inserter =
        new Thread(
            () -> insertLoop(client, target, rows, full, inserted, batches, failure),
            "pulse-bench-loader-insert");
    inserter.setDaemon(true);
    inserter.start();
    long consumed = 0;
    long decodeFailures = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        ConsumerPhase.subscribe(bootstrap, groupId, input)) {
      RowBuffer batch = new RowBuffer(batchRows * 160);
      while (consumed < events) {
        checkFailure(failure);
        watch.update(inserted.get());
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          watch.firstSeen();
        }
        for (TopicPartition tp : records.partitions()) {
          long end = input.endOffsets().get(tp);
          for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
            if (r.offset() >= end) {
              continue; // after the preload: not the benchmark's
            }
            consumed++;
            if (!rows.append(r.value(), batch)) {
              decodeFailures++;
            }
            if (batch.rows >= batchRows) {
              handOver(full, batch, failure, watch, inserted);
              batch = new RowBuffer(batchRows * 160);
            }
          }
        }
      }
      if (batch.rows > 0) {
        handOver(full, batch, failure, watch, inserted);
      }
      handOver(full, RowBuffer.END, failure, watch, inserted);
      long expected = consumed - decodeFailures;
      if (decodeFailures > 0) {
        throw new BenchException(
            String.format(
                Locale.ROOT,
                "loader: %,d of %,d preloaded records did not decode: the preload should hold valid events only",
                decodeFailures,
                consumed));
      }
      while (!watch.update(inserted.get())) {
        checkFailure(failure);
        if (!inserter.isAlive() && inserted.get() < expected) {
          throw new BenchException("loader: inserter stopped at " + inserted.get() + " rows");
        }
        sleep(20);
      }
    } finally {
      inserter.interrupt();
      client.close();
    }
    ResourceMeter.Usage usage = meter.stop();
    Map<String, Object> details = new HashMap<>();
    details.put("batches", batches.get());
    details.put("batchRows", batchRows);
    details.put("database", target.database());
    return watch.result(inserted.get(), usage, details);
  }

  /**
   * Passes a batch to the inserter, keeping the progress line and the stall check alive while it
   * waits.
   */
  private static void handOver(
      BlockingQueue<RowBuffer> full,
      RowBuffer batch,
      AtomicReference<Throwable> failure,
      ProgressWatch watch,
      AtomicLong inserted) {
    try {
      while (!full.offer(batch, 200, TimeUnit.MILLISECONDS)) {
        checkFailure(failure);
        watch.update(inserted.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("loader interrupted", e);
    }
  }

  private static void insertLoop(
      Client client,
      Target target,
      RawRows<?> rows,
      BlockingQueue<RowBuffer> full,
      AtomicLong inserted,
      AtomicLong batches,
      AtomicReference<Throwable> failure) {
    InsertSettings settings = new InsertSettings().serverSetting("database", target.database());
    String table = target.database() + "." + rows.table();
    try {
      while (true) {
        RowBuffer batch = full.take();
        if (batch == RowBuffer.END) {
          return;
        }
        client
            .insert(
                table, rows.columns(), batch.inputStream(), ClickHouseFormat.RowBinary, settings)
            .get(10, TimeUnit.MINUTES)
            .close();
        inserted.addAndGet(batch.rows);
        batches.incrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    }
  }

  private static void checkFailure(AtomicReference<Throwable> failure) {
    Throwable t = failure.get();
    if (t != null) {
      throw new BenchException("loader: insert into ClickHouse failed: " + t, t);
    }
  }

  /** A client-v2 client from the shared factory (the 18.16 rules: docs/clickhouse-18.16.md). */
  static Client client(Target target) {
    return ClickHouseClients.builder(
            target.url(),
            target.user(),
            target.password(),
            target.database(),
            Duration.ofSeconds(5),
            Duration.ofMinutes(10),
            "pulse-bench-loader")
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

  /** RowBinary rows in the sink's growable buffer, with their count; read back once. */
  static final class RowBuffer {
    static final RowBuffer END = new RowBuffer(0);

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
