package dev.pulse.flink.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * One exactly-once batch between checkpoint and commit: its batch id (also written in every row's
 * batch id column), the INSERT body, and the partition-time range of its rows (all in one month).
 * It is stored in the checkpoint, so a commit replayed after a restore carries the same batch id as
 * the first one.
 *
 * @param batchId the batch's identity, unique per batch (a random UUID drawn when the batch opened)
 * @param columns the body's column order (RowBinary values are positional)
 * @param rows number of rows in the body
 * @param minTime smallest partition time in the batch, epoch seconds
 * @param maxTime largest partition time in the batch, epoch seconds (same month as minTime)
 * @param lookup the sort-key condition of one of its rows ({@link LookupKey}), or empty when
 *     unknown (a committable of format version 2): the committer then scans the partition's batch
 *     ids
 * @param afterCheckpoint the last checkpoint before the batch's rows (they came after it), or
 *     {@link #UNKNOWN_CHECKPOINT} (format 3 and older)
 * @param body the rows, encoded
 */
public record ClickHouseCommittable(
    String batchId,
    List<String> columns,
    int rows,
    long minTime,
    long maxTime,
    String lookup,
    long afterCheckpoint,
    byte[] body) {

  /** The checkpoint of a committable written before format 4. */
  public static final long UNKNOWN_CHECKPOINT = -1;

  public ClickHouseCommittable {
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(lookup, "lookup");
    columns = List.copyOf(columns);
    Objects.requireNonNull(body, "body");
    if (minTime > maxTime) {
      throw new IllegalArgumentException("minTime " + minTime + " > maxTime " + maxTime);
    }
  }

  InputStream bodyStream() {
    return new ByteArrayInputStream(body);
  }

  @Override
  public String toString() {
    return "ClickHouseCommittable["
        + batchId
        + ", "
        + rows
        + " rows, "
        + minTime
        + ".."
        + maxTime
        + ", "
        + body.length
        + " B]";
  }

  /** The query id every INSERT attempt of this batch runs under: one per batch, never reused. */
  String queryId() {
    return "pulse-batch-" + batchId;
  }

  /**
   * Versioned binary form in checkpoints; version 3 is the layout below, read back field by field.
   * Version 2 is the same without the lookup (read with an empty one, so checkpoints and savepoints
   * of the build before still restore). Version 1 also recorded the body's format (JSONEachRow or
   * RowBinary); no build that wrote it was released, so its checkpoints are refused rather than
   * read.
   */
  public static final class Serializer implements SimpleVersionedSerializer<ClickHouseCommittable> {
    private static final int VERSION = 4;
    private static final int WITHOUT_CHECKPOINT = 3;
    private static final int WITHOUT_LOOKUP = 2;

    @Override
    public int getVersion() {
      return VERSION;
    }

    @Override
    public byte[] serialize(ClickHouseCommittable c) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(c.body.length + 128);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeUTF(c.batchId);
        out.writeInt(c.columns.size());
        for (String column : c.columns) {
          out.writeUTF(column);
        }
        out.writeInt(c.rows);
        out.writeLong(c.minTime);
        out.writeLong(c.maxTime);
        out.writeUTF(c.lookup);
        out.writeLong(c.afterCheckpoint);
        out.writeInt(c.body.length);
        out.write(c.body);
      }
      return bytes.toByteArray();
    }

    @Override
    public ClickHouseCommittable deserialize(int version, byte[] serialized) throws IOException {
      if (version != VERSION && version != WITHOUT_CHECKPOINT && version != WITHOUT_LOOKUP) {
        throw new IOException(
            "unknown ClickHouseCommittable serialization version "
                + version
                + " (this build reads "
                + VERSION
                + ")");
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        String batchId = in.readUTF();
        int columnCount = in.readInt();
        List<String> columns = new ArrayList<>(columnCount);
        for (int i = 0; i < columnCount; i++) {
          columns.add(in.readUTF());
        }
        int rows = in.readInt();
        long minTime = in.readLong();
        long maxTime = in.readLong();
        String lookup = version >= WITHOUT_CHECKPOINT ? in.readUTF() : "";
        long afterCheckpoint = version == VERSION ? in.readLong() : UNKNOWN_CHECKPOINT;
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        if (in.read() != -1) {
          throw new IOException("trailing bytes after a ClickHouseCommittable");
        }
        return new ClickHouseCommittable(
            batchId, columns, rows, minTime, maxTime, lookup, afterCheckpoint, body);
      }
    }
  }
}
