package dev.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.HttpMethod;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The minimal loader's RowBinary rows, byte by byte, worked out by hand from ClickHouse's RowBinary
 * format.
 */
class LoaderRowBinaryTest {

  private static ApiRequestEvent event(String traceId) {
    return ApiRequestEvent.newBuilder()
        .setEventId("e")
        .setTenantId("t")
        .setEventTime(Instant.ofEpochMilli(1_000_500)) // 1000 s and 500 ms
        .setService("s")
        .setEndpoint("/x")
        .setMethod(HttpMethod.GET)
        .setStatusCode(503)
        .setLatencyUs(300)
        .setRegion("")
        .setTraceId(traceId)
        .build();
  }

  @Test
  void encodesEachColumnInTableOrderWithLittleEndianNumbersAndLengthPrefixedStrings() {
    LoaderPhase.RowBuffer out = new LoaderPhase.RowBuffer(16);
    LoaderPhase.encode(event("ab"), out);
    byte[] expected = {
      1,
      'e', // event_id: length 1, "e"
      1,
      't', // tenant_id
      (byte) 0xE8,
      0x03,
      0,
      0, // event_time DateTime: 1000 s as UInt32
      0x34,
      0x44,
      0x0F,
      0,
      0,
      0,
      0,
      0, // event_time_ms UInt64: 1,000,500 = 15 * 65,536 + 17,460 = 0x0F4434
      1,
      's', // service
      2,
      '/',
      'x', // endpoint
      3,
      'G',
      'E',
      'T', // method
      (byte) 0xF7,
      0x01,
      0,
      0, // status_code Int32: 503 = 0x01F7
      0x2C,
      0x01,
      0,
      0,
      0,
      0,
      0,
      0, // latency_us Int64: 300 = 0x012C
      0, // region: empty string
      0,
      2,
      'a',
      'b' // trace_id Nullable(String): not null, "ab"
    };
    assertThat(out.toByteArray()).containsExactly(expected);
    assertThat(out.rows).isEqualTo(1);
  }

  @Test
  void aMissingTraceIdIsTheNullMarkerAlone() {
    LoaderPhase.RowBuffer withTrace = new LoaderPhase.RowBuffer(16);
    LoaderPhase.encode(event("ab"), withTrace);
    LoaderPhase.RowBuffer withoutTrace = new LoaderPhase.RowBuffer(16);
    LoaderPhase.encode(event(null), withoutTrace);
    byte[] a = withTrace.toByteArray();
    byte[] b = withoutTrace.toByteArray();
    // Same up to the trace column; there, NULL is the single byte 1 instead of 0 + "ab".
    assertThat(b.length).isEqualTo(a.length - 3);
    assertThat(b[b.length - 1]).isEqualTo((byte) 1);
  }

  @Test
  void stringsLongerThan127BytesGetAMultiByteVarIntLength() {
    LoaderPhase.RowBuffer out = new LoaderPhase.RowBuffer(1);
    out.string("é".repeat(100)); // 200 UTF-8 bytes: varint 200 = 0xC8 0x01
    byte[] bytes = out.toByteArray();
    assertThat(bytes.length).isEqualTo(202);
    assertThat(bytes[0]).isEqualTo((byte) 0xC8);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
  }
}
