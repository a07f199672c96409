package dev.pulse.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.HttpMethod;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * The oracle's own reading of the wire format, on values written by Avro's generic writer from the
 * released {@code .avsc} (not by the pipeline's codec), and its cross-check with the codec.
 */
class ApiWireTest {

  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  private static final Schema V1 = schema();
  private static final String ID = "5ca1ab1e-0000-4000-8000-00000000002a";

  private static Schema schema() {
    try (InputStream in =
        ApiWireTest.class.getClassLoader().getResourceAsStream(ApiWire.RELEASED + "1.avsc")) {
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static GenericRecord record(String id, String traceId) {
    GenericRecord r = new GenericData.Record(V1);
    r.put("event_id", id);
    r.put("tenant_id", "t1");
    r.put("event_time", NOW.minusSeconds(60).toEpochMilli());
    r.put("service", "courses-api");
    r.put("endpoint", "/courses/{id}");
    r.put("method", new GenericData.EnumSymbol(V1.getField("method").schema(), "POST"));
    r.put("status_code", 503);
    r.put("latency_us", 1234L);
    r.put("region", "eu-west");
    r.put("trace_id", traceId);
    return r;
  }

  /** Single-object encoding, written here from the Avro specification. */
  static byte[] wire(GenericRecord r, long fingerprint) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    for (int i = 0; i < 8; i++) {
      out.write((int) (fingerprint >>> (8 * i)) & 0xff);
    }
    try {
      BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, e);
      e.flush();
    } catch (IOException ex) {
      throw new AssertionError(ex);
    }
    return out.toByteArray();
  }

  private static byte[] valid() {
    return wire(record(ID, "trace-1"), SchemaNormalization.parsingFingerprint64(V1));
  }

  private static Verdict read(byte[] value) {
    return ApiWire.read(value, NOW, ApiContract.standard());
  }

  @Test
  void aRecordOfTheReleasedSchemaReadsToEveryFieldByName() {
    Verdict v = read(valid());
    assertThat(v.valid()).as(v.violations().toString()).isTrue();
    assertThat(v.event())
        .isEqualTo(
            new ApiEvent(
                ID,
                "t1",
                NOW.minusSeconds(60).toEpochMilli(),
                "courses-api",
                "/courses/{id}",
                "POST",
                503,
                1234L,
                "eu-west",
                "trace-1"));
    assertThat(read(wire(record(ID, null), SchemaNormalization.parsingFingerprint64(V1))).event())
        .extracting(ApiEvent::traceId)
        .isNull();
  }

  @Test
  void thePipelinesCodecWritesTheSameBytesAsAvrosGenericWriter() {
    // A field-mapping or unit bug shared by the codec's encoder and decoder shows here.
    ApiRequestEvent e =
        ApiRequestEvent.newBuilder()
            .setEventId(ID)
            .setTenantId("t1")
            .setEventTime(NOW.minusSeconds(60))
            .setService("courses-api")
            .setEndpoint("/courses/{id}")
            .setMethod(HttpMethod.POST)
            .setStatusCode(503)
            .setLatencyUs(1234L)
            .setRegion("eu-west")
            .setTraceId("trace-1")
            .build();
    assertThat(EventCodec.forTopic(Topics.API_REQUESTS).encode(e)).isEqualTo(valid());
  }

  @Test
  void headerProblemsAreNamedAsTheContractNamesThem() {
    byte[] ok = valid();
    assertThat(read(null).violations()).containsExactly(Violation.EMPTY);
    assertThat(read(new byte[0]).violations()).containsExactly(Violation.EMPTY);
    assertThat(read(new byte[64 * 1024 + 1]).violations()).containsExactly(Violation.OVERSIZED);
    assertThat(read("{\"event_id\":1}".getBytes()).violations())
        .containsExactly(Violation.NOT_SINGLE_OBJECT);
    assertThat(read(new byte[] {(byte) 0xC3}).violations()).containsExactly(Violation.TRUNCATED);
    assertThat(read(Arrays.copyOf(ok, 9)).violations()).containsExactly(Violation.TRUNCATED);
    byte[] otherFingerprint = ok.clone();
    otherFingerprint[5] ^= 1;
    assertThat(read(otherFingerprint).violations()).containsExactly(Violation.UNKNOWN_FINGERPRINT);
  }

  @Test
  void everyCutOfTheBodyIsTruncatedAndATrailingByteIsMalformed() {
    byte[] ok = valid();
    for (int n = 10; n < ok.length; n++) {
      assertThat(read(Arrays.copyOf(ok, n)).violations())
          .as("first %d of %d bytes", n, ok.length)
          .containsExactly(Violation.TRUNCATED);
    }
    assertThat(read(Arrays.copyOf(ok, ok.length + 1)).violations())
        .containsExactly(Violation.MALFORMED);
  }

  @Test
  void invalidUtf8AnEnumIndexOutOfRangeAndAHugeDeclaredLengthAreRefused() {
    byte[] ok = valid();
    // event_id starts at byte 11, after its length byte (zig-zag 72 = 36 chars).
    assertThat(ok[10]).isEqualTo((byte) 72);
    byte[] lone = ok.clone();
    lone[11] = (byte) 0xED; // ED A0 80: a UTF-16 surrogate written as UTF-8 (CESU), not UTF-8
    lone[12] = (byte) 0xA0;
    lone[13] = (byte) 0x80;
    assertThat(read(lone).violations()).containsExactly(Violation.MALFORMED);

    byte[] huge = Arrays.copyOf(ok, 16);
    huge[10] = (byte) 0xFE; // zig-zag varint of 2^30 - 1 bytes: nothing may be allocated for it
    huge[11] = (byte) 0xFF;
    huge[12] = (byte) 0xFF;
    huge[13] = (byte) 0xFF;
    huge[14] = (byte) 0x07;
    long t0 = System.nanoTime();
    assertThat(read(huge).violations()).containsExactly(Violation.TRUNCATED);
    assertThat(System.nanoTime() - t0).isLessThan(1_000_000_000L);

    GenericRecord r = record(ID, null);
    byte[] b = wire(r, SchemaNormalization.parsingFingerprint64(V1));
    // method is the first byte after the four strings and the time: find it by re-encoding with
    // another symbol and comparing.
    r.put("method", new GenericData.EnumSymbol(V1.getField("method").schema(), "PUT"));
    byte[] c = wire(r, SchemaNormalization.parsingFingerprint64(V1));
    int at = 0;
    while (b[at] == c[at]) {
      at++;
    }
    b[at] = 16; // zig-zag 8: one past the last of the 8 symbols
    assertThat(read(b).violations()).containsExactly(Violation.MALFORMED);
  }
}
