package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EncodedBatchTest {

  record Row(String name, long count, long at) {}

  private static final RowEncoder<Row> ENCODER =
      (r, out) ->
          out.string("name", r.name())
              .uint64("count", r.count())
              .dateTime("at", r.at())
              .int32Array("b", new int[] {-1, 2})
              .uint64Array("c", new long[] {-1L});

  @Test
  void rowBinaryWritesLittleEndianValuesWithVarintLengths() {
    EncodedBatch batch = new EncodedBatch(16);
    batch.append(new Row("hé", 258, 1), ENCODER, null, null);
    assertThat(batch.buffer().toByteArray())
        .containsExactly(
            3,
            'h',
            (byte) 0xC3,
            (byte) 0xA9, // String: varint length 3, UTF-8 bytes
            2,
            1,
            0,
            0,
            0,
            0,
            0,
            0, // UInt64 258
            1,
            0,
            0,
            0, // DateTime = UInt32 1
            2,
            -1,
            -1,
            -1,
            -1,
            2,
            0,
            0,
            0, // Array(Int32) [-1, 2]
            1,
            -1,
            -1,
            -1,
            -1,
            -1,
            -1,
            -1,
            -1); // Array(UInt64) [2^64-1]
  }

  @Test
  void aRowWithOtherColumnsIsRefusedAndLeavesTheBatchAsItWas() {
    EncodedBatch batch = new EncodedBatch(16);
    batch.append(new Row("x", 1, 1), ENCODER, null, null);
    int bytes = batch.bytes();
    RowEncoder<Row> swapped = (r, out) -> out.uint64("count", r.count()).string("name", r.name());
    assertThatThrownBy(() -> batch.append(new Row("y", 2, 2), swapped, null, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("same columns in the same order");
    assertThat(batch.rows()).isEqualTo(1);
    assertThat(batch.bytes()).isEqualTo(bytes);
  }

  @Test
  void valuesAClickHouseColumnCannotHoldAreRefused() {
    EncodedBatch batch = new EncodedBatch(16);
    assertThatThrownBy(
            () -> batch.append(1.0, (d, out) -> out.float64("f", Double.NaN), null, null))
        .hasMessageContaining("finite");
    assertThatThrownBy(() -> batch.append(1L, (t, out) -> out.dateTime("t", -1), null, null))
        .hasMessageContaining("DateTime out of range");
    assertThatThrownBy(() -> batch.append("\uD800", (s, out) -> out.string("s", s), null, null))
        .hasMessageContaining("surrogate");
    assertThatThrownBy(() -> batch.append("a\uDE00b", (s, out) -> out.string("s", s), null, null))
        .hasMessageContaining("surrogate");
    assertThat(batch.rows()).isZero();
    assertThat(batch.bytes()).isZero();
  }
}
