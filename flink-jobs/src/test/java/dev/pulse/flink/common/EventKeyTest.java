package dev.pulse.flink.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class EventKeyTest {

  @Test
  void bitsAreTheHexDigitsInOrder() {
    EventKey k = EventKey.of("01234567-89ab-cdef-0123-456789abcdef");
    // Worked out by hand: the first 16 digits, then the last 16, dashes skipped.
    assertThat(k.hi()).isEqualTo(0x0123456789abcdefL);
    assertThat(k.lo()).isEqualTo(0x0123456789abcdefL);
    assertThat(k.upperCase()).isZero();
  }

  @Test
  void idsDifferingOnlyInLetterCaseAreDifferentKeys() {
    EventKey lower = EventKey.of("0000000a-0000-0000-0000-00000000000b");
    EventKey upper = EventKey.of("0000000A-0000-0000-0000-00000000000b");
    assertThat(lower.hi()).isEqualTo(upper.hi());
    assertThat(lower.lo()).isEqualTo(upper.lo());
    assertThat(upper.upperCase()).isEqualTo(1 << 7); // the 8th hex digit
    assertThat(lower).isNotEqualTo(upper);
  }

  @Test
  void toStringGivesBackTheExactString() {
    for (String id :
        new String[] {
          "ffffffff-ffff-ffff-ffff-ffffffffffff",
          "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
          "00000000-0000-0000-0000-000000000000",
          "3F2504e0-4f89-11D3-9a0C-0305e82C3301"
        }) {
      assertThat(EventKey.of(id).toString()).isEqualTo(id);
      assertThat(EventKey.of(id)).isEqualTo(EventKey.of(new String(id)));
      assertThat(EventKey.of(id).hashCode()).isEqualTo(EventKey.of(new String(id)).hashCode());
    }
  }

  @Test
  void keysThatDifferInTheLastBitDiffer() {
    assertThat(EventKey.of("00000000-0000-0000-0000-000000000000"))
        .isNotEqualTo(EventKey.of("00000000-0000-0000-0000-000000000001"));
    assertThat(EventKey.of("00000000-0000-0000-0000-000000000000"))
        .isNotEqualTo(EventKey.of("10000000-0000-0000-0000-000000000000"));
  }

  @Test
  void anythingButACanonicalUuidIsRefused() {
    for (String bad :
        new String[] {
          "",
          "0123456789abcdef0123456789abcdef",
          "01234567-89ab-cdef-0123-456789abcdeg",
          "01234567-89ab-cdef-0123_456789abcdef",
          "01234567-89ab-cdef-0123-456789abcdef0"
        }) {
      assertThatThrownBy(() -> EventKey.of(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a canonical UUID");
    }
  }

  @Test
  void serializerWritesTwentyBytesAndReadsTheSameKey() throws Exception {
    EventKey k = EventKey.of("3F2504e0-4f89-11D3-9a0C-0305e82C3301");
    DataOutputSerializer out = new DataOutputSerializer(32);
    EventKey.Serializer.INSTANCE.serialize(k, out);
    assertThat(out.length()).isEqualTo(20);
    EventKey back =
        EventKey.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back).isEqualTo(k);
    assertThat(back.toString()).isEqualTo("3F2504e0-4f89-11D3-9a0C-0305e82C3301");
  }
}
