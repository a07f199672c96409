package dev.pulse.flink.sink;

import dev.pulse.clickhouse.SqlLiteral;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A Flink Sink V2 that writes elements as rows of one ClickHouse table through client-v2, in
 * batches by size and time, with bounded retries, back-pressure, and a delivery mode chosen per
 * table: at-least-once for tables that deduplicate by row identity, exactly-once (batch-id commits
 * after each checkpoint) for additive tables, after-checkpoint for deduplicating tables whose rows
 * must not outlive a discarded checkpoint. The protocol and its guarantees: {@code DESIGN.md}
 * beside this class.
 *
 * <pre>{@code
 * ClickHouseSink<Fact> sink = ClickHouseSink.<Fact>builder()
 *         .endpoint("http://127.0.0.1:8123").credentials("default", "").database("pulse").table("api_request_minutes")
 *         .encoder((f, out) -> out.string("tenant_id", f.tenantId()).dateTime("minute", f.minuteEpochSeconds()) ...)
 *         .exactlyOnce("minute", Fact::minuteEpochSeconds)
 *         .build();
 * stream.sinkTo(sink).name("api_request_minutes").uid("sink-api-request-minutes");
 * }</pre>
 *
 * @param <T> the element type
 */
public abstract sealed class ClickHouseSink<T> implements Sink<T>
    permits ClickHouseSink.AtLeastOnce, ClickHouseSink.Committing {

  /**
   * Largest batch: ClickHouse's default max_insert_block_size, so one INSERT is one block and one
   * atomic part.
   */
  public static final int MAX_BATCH_ROWS = 1_048_576;

  final ClickHouseSinkConfig config;
  final RowEncoder<T> encoder;

  private ClickHouseSink(ClickHouseSinkConfig config, RowEncoder<T> encoder) {
    this.config = config;
    this.encoder = encoder;
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  public ClickHouseSinkConfig config() {
    return config;
  }

  static String writerName(ClickHouseSinkConfig config, WriterInitContext context) {
    return "clickhouse-" + config.table() + "-" + context.getTaskInfo().getIndexOfThisSubtask();
  }

  /** The checkpoint a writer of a job started without state comes after: none. */
  static final long NO_CHECKPOINT_YET = 0;

  /**
   * A checkpoint id as 8 bytes: the committing writer's state type, never written (Flink needs a
   * serializer for a writer that hears checkpoints).
   */
  static final class CheckpointIdSerializer implements SimpleVersionedSerializer<Long> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Long id) {
      return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    @Override
    public Long deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1 || serialized.length != Long.BYTES) {
        throw new IOException("not a checkpoint id: version " + version);
      }
      return ByteBuffer.wrap(serialized).getLong();
    }
  }

  /** The at-least-once sink: a writer only, no committer. */
  public static final class AtLeastOnce<T> extends ClickHouseSink<T> {
    private AtLeastOnce(ClickHouseSinkConfig config, RowEncoder<T> encoder) {
      super(config, encoder);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      return new AtLeastOnceWriter<>(
          config,
          encoder,
          context.getProcessingTimeService(),
          SinkCounters.registeredIn(context.metricGroup()),
          writerName(config, context));
    }
  }

  /**
   * The exactly-once and after-checkpoint sinks: a writer that prepares committables at checkpoints
   * and a committer that inserts them after the checkpoint completed (exactly-once: at most once).
   */
  public static final class Committing<T> extends ClickHouseSink<T>
      implements SupportsCommitter<ClickHouseCommittable>, SupportsWriterState<T, Long> {
    private final PartitionTime<T> partitionTime;

    private Committing(
        ClickHouseSinkConfig config, RowEncoder<T> encoder, PartitionTime<T> partitionTime) {
      super(config, encoder);
      this.partitionTime = partitionTime;
    }

    @Override
    public CheckpointedWriter<T> createWriter(WriterInitContext context) {
      return new CheckpointedWriter<>(
          config,
          encoder,
          partitionTime,
          context.getRestoredCheckpointId().orElse(NO_CHECKPOINT_YET));
    }

    /**
     * The writer's state is the last checkpoint it passed; the restored checkpoint id says the same
     * and is what the writer uses.
     */
    @Override
    public StatefulSinkWriter<T, Long> restoreWriter(
        WriterInitContext context, Collection<Long> recoveredState) {
      return createWriter(context);
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
      return new CheckpointIdSerializer();
    }

    @Override
    public Committer<ClickHouseCommittable> createCommitter(CommitterInitContext context) {
      return new ClickHouseCommitter(config, SinkCounters.registeredIn(context.metricGroup()));
    }

    @Override
    public SimpleVersionedSerializer<ClickHouseCommittable> getCommittableSerializer() {
      return new ClickHouseCommittable.Serializer();
    }
  }

  /**
   * Builds a {@link ClickHouseSink}; endpoint, database, table and encoder are required, the rest
   * has defaults.
   */
  public static final class Builder<T> {
    private String endpoint;
    private String user = "default";
    private String password = "";
    private String database;
    private String table;
    private RowEncoder<T> encoder;
    private DeliveryMode deliveryMode = DeliveryMode.AT_LEAST_ONCE;
    private String partitionTimeColumn;
    private PartitionTime<T> partitionTime;
    private String batchIdColumn;
    private List<String> lookupColumns = List.of();
    private int batchSizeRows = 50_000;
    private int maxBatchBytes = 32 * 1024 * 1024;
    private Duration maxBatchDelay = Duration.ofSeconds(1);
    private int maxInFlightBatches = 2;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration socketTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /** HTTP address of the server, e.g. {@code http://127.0.0.1:8123}. */
    public Builder<T> endpoint(String endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** User and password (default: {@code default} with an empty password). */
    public Builder<T> credentials(String user, String password) {
      this.user = user;
      this.password = password;
      return this;
    }

    public Builder<T> database(String database) {
      this.database = database;
      return this;
    }

    public Builder<T> table(String table) {
      this.table = table;
      return this;
    }

    /** How an element becomes a row. */
    public Builder<T> encoder(RowEncoder<T> encoder) {
      this.encoder = encoder;
      return this;
    }

    /** At-least-once delivery (the default): for tables that deduplicate by row identity. */
    public Builder<T> atLeastOnce() {
      this.deliveryMode = DeliveryMode.AT_LEAST_ONCE;
      return this;
    }

    /**
     * Exactly-once delivery for an additive table partitioned by {@code
     * toYYYYMM(partitionTimeColumn)}: {@code partitionTime} gives each element's value of that
     * column in epoch seconds.
     */
    public Builder<T> exactlyOnce(String partitionTimeColumn, PartitionTime<T> partitionTime) {
      this.deliveryMode = DeliveryMode.EXACTLY_ONCE;
      this.partitionTimeColumn = partitionTimeColumn;
      this.partitionTime = partitionTime;
      return this;
    }

    /**
     * After-checkpoint delivery, for tables that deduplicate by row identity and hold rows whose
     * existence depends on the run (late events, dead letters): rows are inserted only after the
     * checkpoint that covers them completed (see {@link DeliveryMode#AFTER_CHECKPOINT}).
     */
    public Builder<T> afterCheckpoint() {
      this.deliveryMode = DeliveryMode.AFTER_CHECKPOINT;
      return this;
    }

    /**
     * Exactly-once: the table's sort-key columns (its ORDER BY, or a prefix of it ending with the
     * partition time column), required. The committer asks "is this batch stored?" for one of the
     * batch's rows by these values and its batch id: a primary-index lookup whose cost does not
     * grow with the partition (without it, every commit would read the batch ids of a whole month).
     */
    public Builder<T> lookupColumns(String... columns) {
      this.lookupColumns = List.of(columns);
      return this;
    }

    /**
     * The String column that holds each row's batch id: exactly-once (default {@code batch_id});
     * after-checkpoint, optional (no column unless set), for a rollback to find the rows.
     */
    public Builder<T> batchIdColumn(String column) {
      this.batchIdColumn = column;
      return this;
    }

    /** Rows per INSERT at most (default 50,000; at most {@link #MAX_BATCH_ROWS}). */
    public Builder<T> batchSize(int rows) {
      this.batchSizeRows = rows;
      return this;
    }

    /** Encoded bytes per INSERT at most (default 32 MiB). */
    public Builder<T> maxBatchBytes(int bytes) {
      this.maxBatchBytes = bytes;
      return this;
    }

    /**
     * Longest a row waits in an open batch, at-least-once (default 1 s). Rows of the committing
     * modes wait for the checkpoint.
     */
    public Builder<T> maxBatchDelay(Duration delay) {
      this.maxBatchDelay = delay;
      return this;
    }

    /** INSERTs in flight per writer before {@code write} blocks (default 2). */
    public Builder<T> maxInFlightBatches(int batches) {
      this.maxInFlightBatches = batches;
      return this;
    }

    public Builder<T> retryPolicy(RetryPolicy policy) {
      this.retryPolicy = policy;
      return this;
    }

    /** TCP connect timeout (default 5 s) and longest wait for one answer (default 60 s). */
    public Builder<T> timeouts(Duration connect, Duration socket) {
      this.connectTimeout = connect;
      this.socketTimeout = socket;
      return this;
    }

    /**
     * Validates and builds: {@link AtLeastOnce} or {@link Committing} by the chosen delivery mode.
     *
     * @throws IllegalArgumentException naming the first setting that is missing or out of range
     */
    public ClickHouseSink<T> build() {
      require(
          endpoint != null && (endpoint.startsWith("http://") || endpoint.startsWith("https://")),
          "endpoint must be an http(s):// URL, got " + endpoint);
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      require(database != null, "database is required");
      require(table != null, "table is required");
      SqlLiteral.identifier(database);
      SqlLiteral.identifier(table);
      require(encoder != null, "encoder is required");
      require(
          batchSizeRows >= 1 && batchSizeRows <= MAX_BATCH_ROWS,
          "batchSize must be 1.." + MAX_BATCH_ROWS + " rows, got " + batchSizeRows);
      require(maxBatchBytes >= 1024, "maxBatchBytes must be at least 1024, got " + maxBatchBytes);
      require(
          maxBatchDelay != null && !maxBatchDelay.isNegative() && !maxBatchDelay.isZero(),
          "maxBatchDelay must be positive, got " + maxBatchDelay);
      require(
          maxInFlightBatches >= 1 && maxInFlightBatches <= 16,
          "maxInFlightBatches must be 1..16, got " + maxInFlightBatches);
      Objects.requireNonNull(retryPolicy, "retryPolicy");
      require(
          connectTimeout != null
              && connectTimeout.toMillis() > 0
              && socketTimeout != null
              && socketTimeout.toMillis() > 0,
          "timeouts must be positive");
      if (deliveryMode == DeliveryMode.EXACTLY_ONCE) {
        require(
            partitionTime != null && partitionTimeColumn != null,
            "exactlyOnce needs the partition time column and function");
        SqlLiteral.identifier(partitionTimeColumn);
        if (batchIdColumn == null) {
          batchIdColumn = "batch_id";
        }
        require(
            !lookupColumns.isEmpty(),
            "exactlyOnce needs lookupColumns: the table's sort-key columns");
        lookupColumns.forEach(SqlLiteral::identifier);
      }
      if (batchIdColumn != null) {
        SqlLiteral.identifier(batchIdColumn);
      }
      ClickHouseSinkConfig config =
          new ClickHouseSinkConfig(
              endpoint.replaceAll("/+$", ""),
              user,
              password,
              database,
              table,
              deliveryMode,
              batchSizeRows,
              maxBatchBytes,
              maxBatchDelay,
              maxInFlightBatches,
              retryPolicy,
              deliveryMode == DeliveryMode.AT_LEAST_ONCE ? null : batchIdColumn,
              deliveryMode == DeliveryMode.EXACTLY_ONCE ? partitionTimeColumn : null,
              deliveryMode == DeliveryMode.EXACTLY_ONCE ? lookupColumns : List.of(),
              connectTimeout,
              socketTimeout);
      return switch (deliveryMode) {
        case AT_LEAST_ONCE -> new AtLeastOnce<>(config, encoder);
        case EXACTLY_ONCE -> new Committing<>(config, encoder, partitionTime);
        case AFTER_CHECKPOINT -> new Committing<>(config, encoder, null);
      };
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException("ClickHouseSink: " + message);
      }
    }
  }
}
