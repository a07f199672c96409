package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committing writer's batching, without ClickHouse: it only prepares committables. */
class CheckpointedWriterTest {

  record Fact(String key, long minute) {}

  private static final long MAR_31_2359 = Instant.parse("2024-03-31T23:59:00Z").getEpochSecond();
  private static final long APR_01_0000 = Instant.parse("2024-04-01T00:00:00Z").getEpochSecond();

  private static CheckpointedWriter<Fact> writer(int batchSize) {
    ClickHouseSink<Fact> sink =
        ClickHouseSink.<Fact>builder()
            .endpoint("http://127.0.0.1:1")
            .database("d")
            .table("t")
            .encoder((f, out) -> out.string("k", f.key()).dateTime("minute", f.minute()))
            .exactlyOnce("minute", Fact::minute)
            .lookupColumns("k", "minute")
            .batchSize(batchSize)
            .build();
    return new CheckpointedWriter<>(sink.config(), sink.encoder, Fact::minute);
  }

  @Test
  void afterCheckpointRowsOfTwoMonthsBecomeOneCommittableWithoutBatchIdOrLookup() throws Exception {
    ClickHouseSink<Fact> sink =
        ClickHouseSink.<Fact>builder()
            .endpoint("http://127.0.0.1:1")
            .database("d")
            .table("t")
            .encoder((f, out) -> out.string("k", f.key()).dateTime("minute", f.minute()))
            .afterCheckpoint()
            .build();
    CheckpointedWriter<Fact> w = new CheckpointedWriter<>(sink.config(), sink.encoder, null);
    w.write(new Fact("a", MAR_31_2359), null);
    w.write(new Fact("b", APR_01_0000), null);
    List<ClickHouseCommittable> out = new ArrayList<>(w.prepareCommit());
    assertThat(out).hasSize(1);
    assertThat(out.get(0).rows()).isEqualTo(2);
    assertThat(out.get(0).columns()).containsExactly("k", "minute");
    assertThat(out.get(0).lookup()).isEmpty();
    assertThat(w.prepareCommit()).as("nothing held after the checkpoint").isEmpty();
  }

  @Test
  void aCommittableOfFormat3FromABuildBeforeIsReadWithAnUnknownCheckpoint() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      out.writeUTF("batch-1");
      out.writeInt(1);
      out.writeUTF("k");
      out.writeInt(1); // rows
      out.writeLong(60);
      out.writeLong(120);
      out.writeUTF("k = 'a'");
      out.writeInt(2);
      out.write(new byte[] {1, 'a'});
    }
    ClickHouseCommittable c =
        new ClickHouseCommittable.Serializer().deserialize(3, bytes.toByteArray());
    assertThat(c.batchId()).isEqualTo("batch-1");
    assertThat(c.lookup()).isEqualTo("k = 'a'");
    assertThat(c.afterCheckpoint()).isEqualTo(ClickHouseCommittable.UNKNOWN_CHECKPOINT);
    assertThat(c.body()).containsExactly(1, 'a');
  }

  @Test
  void batchesOpenedAfterASnapshotComeAfterThatCheckpoint() throws Exception {
    CheckpointedWriter<Fact> w = writer(100);
    w.write(new Fact("a", MAR_31_2359), null);
    assertThat(w.prepareCommit())
        .singleElement()
        .extracting(ClickHouseCommittable::afterCheckpoint)
        .isEqualTo(0L);
    w.snapshotState(7);
    w.write(new Fact("b", MAR_31_2359), null);
    assertThat(w.prepareCommit())
        .singleElement()
        .extracting(ClickHouseCommittable::afterCheckpoint)
        .isEqualTo(7L);
  }

  @Test
  void rowsOfTwoMonthsBecomeTwoCommittablesEachWithinItsMonth() throws Exception {
    CheckpointedWriter<Fact> w = writer(100);
    w.write(new Fact("a", MAR_31_2359), null);
    w.write(new Fact("b", APR_01_0000), null);
    w.write(new Fact("c", MAR_31_2359 - 60), null);
    List<ClickHouseCommittable> out = new ArrayList<>(w.prepareCommit());
    assertThat(out).hasSize(2);
    ClickHouseCommittable march = out.get(0);
    ClickHouseCommittable april = out.get(1);
    assertThat(march.rows()).isEqualTo(2);
    assertThat(march.minTime()).isEqualTo(MAR_31_2359 - 60);
    assertThat(march.maxTime()).isEqualTo(MAR_31_2359);
    assertThat(april.rows()).isEqualTo(1);
    assertThat(april.minTime()).isEqualTo(APR_01_0000);
    assertThat(march.batchId()).isNotEqualTo(april.batchId());
    // Every row carries its batch's id, in RowBinary: String = varint length + UTF-8 bytes,
    // DateTime = UInt32 little-endian.
    assertThat(march.columns()).containsExactly("batch_id", "k", "minute");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (Fact f : List.of(new Fact("a", MAR_31_2359), new Fact("c", MAR_31_2359 - 60))) {
      byte[] id = march.batchId().getBytes(StandardCharsets.US_ASCII);
      expected.write(id.length); // 36 < 128: a one-byte varint
      expected.write(id, 0, id.length);
      expected.write(1);
      expected.write(f.key().charAt(0));
      for (int shift = 0; shift < 32; shift += 8) {
        expected.write((int) (f.minute() >>> shift) & 0xFF);
      }
    }
    assertThat(march.body()).isEqualTo(expected.toByteArray());
    assertThat(w.prepareCommit()).as("handed over once").isEmpty();
  }

  @Test
  void aFullBatchIsSealedAndTheNextRowsGetANewBatchId() throws Exception {
    CheckpointedWriter<Fact> w = writer(2);
    for (int i = 0; i < 5; i++) {
      w.write(new Fact("k" + i, MAR_31_2359), null);
    }
    List<ClickHouseCommittable> out = new ArrayList<>(w.prepareCommit());
    assertThat(out).extracting(ClickHouseCommittable::rows).containsExactly(2, 2, 1);
    assertThat(out).extracting(ClickHouseCommittable::batchId).doesNotHaveDuplicates();
  }

  @Test
  void aCommittableReadsBackFromItsCheckpointFormUnchanged() throws Exception {
    CheckpointedWriter<Fact> w = writer(10);
    w.write(new Fact("x", APR_01_0000), null);
    ClickHouseCommittable c = w.prepareCommit().iterator().next();
    ClickHouseCommittable.Serializer serializer = new ClickHouseCommittable.Serializer();
    ClickHouseCommittable back =
        serializer.deserialize(serializer.getVersion(), serializer.serialize(c));
    assertThat(back.batchId()).isEqualTo(c.batchId());
    assertThat(back.body()).isEqualTo(c.body());
    assertThat(back).usingRecursiveComparison().isEqualTo(c);
  }
}
