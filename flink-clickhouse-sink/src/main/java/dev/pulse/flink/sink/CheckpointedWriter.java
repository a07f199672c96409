package dev.pulse.flink.sink;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;

/**
 * The writer of the committing delivery modes ({@link DeliveryMode#EXACTLY_ONCE}, {@link
 * DeliveryMode#AFTER_CHECKPOINT}): encodes rows into open batches and hands all of them to the
 * committer at the checkpoint ({@link #prepareCommit}). It never inserts: the committer does, after
 * the checkpoint has completed, so no row of a checkpoint that a restore discards is ever stored.
 *
 * <p>Exactly-once batches are one per partition month, each with a fresh batch id written into its
 * rows and the sort key of its first row (the committer's lookup). After-checkpoint batches need
 * neither: their table absorbs a repeated row by its identity.
 *
 * <p>A batch that reaches the row or byte limit is sealed and a new one (new batch id) opened, so
 * no INSERT exceeds the limit (and one INSERT stays one block, one atomic part). Memory is bounded
 * by what arrives between two checkpoints: meant for pre-aggregated facts and rare rows (late
 * events, dead letters), not raw events.
 */
final class CheckpointedWriter<T>
    implements CommittingSinkWriter<T, ClickHouseCommittable>, StatefulSinkWriter<T, Long> {

  private final ClickHouseSinkConfig config;
  private final RowEncoder<T> encoder;
  private final PartitionTime<T> partitionTime;
  private final BatchTrigger trigger;
  private final Map<Integer, Open> open = new TreeMap<>();
  private final List<ClickHouseCommittable> sealed = new ArrayList<>();

  /** The last checkpoint this writer passed (or restored from): every open batch comes after it. */
  private long lastCheckpoint;

  private record Open(String batchId, String lookup, long afterCheckpoint, EncodedBatch batch) {}

  /**
   * Longest lookup condition kept (chars): checkpoints store it with writeUTF (64 KiB at most);
   * sort keys are far shorter, and a longer one falls back to the partition scan.
   */
  private static final int MAX_LOOKUP_CHARS = 8 * 1024;

  /**
   * @param partitionTime each element's partition time (exactly-once), or null: one batch for all
   *     months (after-checkpoint)
   */
  CheckpointedWriter(
      ClickHouseSinkConfig config, RowEncoder<T> encoder, PartitionTime<T> partitionTime) {
    this(config, encoder, partitionTime, ClickHouseSink.NO_CHECKPOINT_YET);
  }

  /**
   * @param restoredCheckpoint the checkpoint the job restored from, or {@link
   *     ClickHouseSink#NO_CHECKPOINT_YET}: the first batches come after it
   */
  CheckpointedWriter(
      ClickHouseSinkConfig config,
      RowEncoder<T> encoder,
      PartitionTime<T> partitionTime,
      long restoredCheckpoint) {
    this.lastCheckpoint = restoredCheckpoint;
    this.config = config;
    this.encoder = encoder;
    this.partitionTime = partitionTime;
    this.trigger =
        new BatchTrigger(config.batchSizeRows(), config.maxBatchBytes(), config.maxBatchDelay());
  }

  @Override
  public void write(T element, Context context) {
    long seconds = partitionTime == null ? 0 : partitionTime.epochSeconds(element);
    int month = partitionTime == null ? 0 : yearMonthUtc(seconds);
    Open batch =
        open.computeIfAbsent(
            month,
            m ->
                // Random, not derived from job id/subtask/checkpoint: those change when a restored
                // job gets a new job id, while this id is stored in the checkpoint inside the
                // committable (see DESIGN.md).
                new Open(
                    UUID.randomUUID().toString(),
                    lookup(element),
                    lastCheckpoint,
                    new EncodedBatch(16 * 1024)));
    batch.batch().append(element, encoder, config.batchIdColumn(), batch.batchId());
    batch.batch().notePartitionTime(seconds);
    if (trigger.isFull(batch.batch().rows(), batch.batch().bytes())) {
      sealed.add(committable(open.remove(month)));
    }
  }

  /**
   * Nothing to send early: rows reach ClickHouse only through committables of completed
   * checkpoints.
   */
  @Override
  public void flush(boolean endOfInput) {}

  @Override
  public Collection<ClickHouseCommittable> prepareCommit() {
    for (Open batch : open.values()) {
      sealed.add(committable(batch));
    }
    open.clear();
    List<ClickHouseCommittable> out = List.copyOf(sealed);
    sealed.clear();
    return out;
  }

  /**
   * Called right after {@link #prepareCommit} for checkpoint {@code checkpointId}: batches opened
   * from now on hold rows that came after it (a rollback to it deletes them, see DESIGN.md).
   * Nothing to store: a restored writer gets the checkpoint id from Flink.
   */
  @Override
  public List<Long> snapshotState(long checkpointId) {
    lastCheckpoint = checkpointId;
    return List.of();
  }

  private String lookup(T first) {
    if (config.lookupColumns().isEmpty()) {
      return "";
    }
    String lookup = LookupKey.of(first, encoder, config.lookupColumns());
    return lookup.length() <= MAX_LOOKUP_CHARS ? lookup : "";
  }

  private static ClickHouseCommittable committable(Open o) {
    EncodedBatch b = o.batch();
    return new ClickHouseCommittable(
        o.batchId(),
        b.columns(),
        b.rows(),
        b.minTime(),
        b.maxTime(),
        o.lookup(),
        o.afterCheckpoint(),
        b.buffer().toByteArray());
  }

  /**
   * toYYYYMM of the partition time in UTC, the month partition the row lands in on a UTC server.
   */
  static int yearMonthUtc(long epochSeconds) {
    ZonedDateTime t = Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC);
    return t.getYear() * 100 + t.getMonthValue();
  }

  @Override
  public void close() {
    open.clear();
    sealed.clear();
  }
}
