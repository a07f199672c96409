package dev.pulse.events.codec;

import static dev.pulse.events.testing.Events.api;
import static dev.pulse.events.testing.Events.classroom;
import static dev.pulse.events.testing.Events.playback;
import static dev.pulse.events.testing.Events.probe;
import static dev.pulse.events.testing.Events.validator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.ProbeResult;
import dev.pulse.events.codec.DecodeError.Reason;
import dev.pulse.events.schemas.ReleasedSchema;
import dev.pulse.events.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class EventCodecTest {

  private final EventCodec<ApiRequestEvent> apiCodec =
      EventCodec.forTopic(Topics.API_REQUESTS, validator());

  private static DecodeError.Reason reasonOf(DecodeResult<?> result) {
    assertThat(result.isOk()).as("expected a failure, got %s", result).isFalse();
    return result.errorOrNull().reason();
  }

  @Test
  void encodingIsByteIdenticalToAvrosOwnSingleObjectEncoder() throws Exception {
    ApiRequestEvent event = api().build();
    ByteBuffer avro = ApiRequestEvent.getEncoder().encode(event);
    byte[] expected = new byte[avro.remaining()];
    avro.get(expected);

    assertThat(apiCodec.encode(event)).isEqualTo(expected);
  }

  @Test
  void headerIsMarkerThenLittleEndianFingerprintOfTheCurrentSchema() {
    byte[] bytes = apiCodec.encode(api().build());
    long fingerprint = SchemaNormalization.parsingFingerprint64(ApiRequestEvent.getClassSchema());

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong())
        .isEqualTo(fingerprint);
  }

  @Test
  void everyTopicRoundTripsItsEvent() {
    assertThat(
            EventCodec.forTopic(Topics.API_REQUESTS, validator())
                .decode(EventCodec.forTopic(Topics.API_REQUESTS).encode(api().build()))
                .orElseThrow())
        .isEqualTo(api().build());
    ClassroomEvent c = classroom().build();
    EventCodec<ClassroomEvent> cc = EventCodec.forTopic(Topics.CLASSROOM, validator());
    assertThat(cc.decode(cc.encode(c)).orElseThrow()).isEqualTo(c);
    PlaybackEvent p = playback().setBitrateKbps(null).setErrorCode("E_NET").setFatal(true).build();
    EventCodec<PlaybackEvent> pc = EventCodec.forTopic(Topics.PLAYBACK, validator());
    assertThat(pc.decode(pc.encode(p)).orElseThrow()).isEqualTo(p);
    ProbeResult r = probe().setSuccess(false).setError("timeout after 5000 ms").build();
    EventCodec<ProbeResult> rc = EventCodec.forTopic(Topics.PROBES, validator());
    assertThat(rc.decode(rc.encode(r)).orElseThrow()).isEqualTo(r);
  }

  @Test
  void decodesWhatAvrosOwnEncoderWrote() throws Exception {
    ApiRequestEvent event = api().setTraceId(null).build();
    byte[] bytes = event.toByteBuffer().array();

    assertThat(apiCodec.decode(bytes).orElseThrow()).isEqualTo(event);
  }

  @Test
  void decodesAGivenRangeOfALargerArrayAndRefusesARangeOutsideIt() {
    byte[] encoded = apiCodec.encode(api().build());
    byte[] padded = new byte[encoded.length + 7];
    System.arraycopy(encoded, 0, padded, 3, encoded.length);

    assertThat(apiCodec.decode(padded, 3, encoded.length).orElseThrow()).isEqualTo(api().build());
    // A range reaching past the array's end is refused, not read.
    assertThat(reasonOf(apiCodec.decode(padded, 8, encoded.length))).isEqualTo(Reason.MALFORMED);
  }

  /** An older producer's record (before region and trace_id existed) still reads, with defaults. */
  @Test
  void anOlderReleasedWriterVersionResolvesToTheCurrentSchemaWithDefaults() throws Exception {
    Schema v0 =
        new Schema.Parser()
            .parse(
                """
                {"type": "record", "name": "ApiRequestEvent", "namespace": "dev.pulse.events",
                 "fields": [
                  {"name": "event_id", "type": "string"},
                  {"name": "tenant_id", "type": "string"},
                  {"name": "event_time", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                  {"name": "service", "type": "string"},
                  {"name": "endpoint", "type": "string"},
                  {"name": "method", "type": {"type": "enum", "name": "HttpMethod",
                     "symbols": ["OTHER", "GET", "POST"], "default": "OTHER"}},
                  {"name": "status_code", "type": "int"},
                  {"name": "latency_us", "type": "long"}]}
                """);
    EventCodec<ApiRequestEvent> codec =
        EventCodec.withReleased(
            Topics.API_REQUESTS,
            validator(),
            List.of(
                ReleasedSchema.of(1, v0), ReleasedSchema.of(2, ApiRequestEvent.getClassSchema())));
    ApiRequestEvent expected = api().setRegion("").setTraceId(null).build();
    GenericRecord old = new GenericData.Record(v0);
    old.put("event_id", expected.getEventId());
    old.put("tenant_id", expected.getTenantId());
    old.put("event_time", expected.getEventTime().toEpochMilli());
    old.put("service", expected.getService());
    old.put("endpoint", expected.getEndpoint());
    old.put("method", new GenericData.EnumSymbol(v0.getField("method").schema(), "GET"));
    old.put("status_code", expected.getStatusCode());
    old.put("latency_us", expected.getLatencyUs());

    assertThat(codec.decode(singleObject(v0, old)).orElseThrow()).isEqualTo(expected);
  }

  @Test
  void nullAndEmptyBytesAreEmpty() {
    assertThat(reasonOf(apiCodec.decode(null))).isEqualTo(Reason.EMPTY);
    assertThat(reasonOf(apiCodec.decode(new byte[0]))).isEqualTo(Reason.EMPTY);
  }

  @Test
  void everyProperPrefixOfAValidEncodingIsTruncated() {
    // Every field takes at least one byte, so any cut leaves some field incomplete.
    for (byte[] valid :
        List.of(
            apiCodec.encode(api().build()),
            apiCodec.encode(api().setRegion("").setTraceId(null).build()))) {
      for (int length = 1; length < valid.length; length++) {
        DecodeResult<ApiRequestEvent> result = apiCodec.decode(Arrays.copyOf(valid, length));
        assertThat(reasonOf(result)).as("prefix of %d bytes", length).isEqualTo(Reason.TRUNCATED);
        assertThat(result.errorOrNull().message()).isNotBlank();
      }
    }
  }

  @Test
  void randomBytesNeverThrowAndDecodeToTypedFailures() {
    Random random = new Random(20250304L);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(300)];
      random.nextBytes(bytes);
      DecodeResult<ApiRequestEvent> result = apiCodec.decode(bytes);
      assertThat(result.isOk()).as("random array %d", i).isFalse();
      assertThat(result.errorOrNull().message()).isNotBlank();
    }
  }

  /** Random bodies behind a valid header reach the body scan and Avro, the riskier code. */
  @Test
  void randomBodiesBehindAValidHeaderNeverThrow() {
    byte[] header = Arrays.copyOf(apiCodec.encode(api().build()), EventCodec.HEADER_BYTES);
    Random random = new Random(42L);
    int failures = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = Arrays.copyOf(header, EventCodec.HEADER_BYTES + random.nextInt(200));
      for (int j = EventCodec.HEADER_BYTES; j < bytes.length; j++) {
        bytes[j] = (byte) random.nextInt(256);
      }
      DecodeResult<ApiRequestEvent> result = apiCodec.decode(bytes);
      if (!result.isOk()) {
        failures++;
        assertThat(result.errorOrNull().message()).isNotBlank();
      }
    }
    // A random body passing a UUID check is practically impossible; this guards the loop itself.
    assertThat(failures).isEqualTo(20_000);
  }

  @Test
  void aFingerprintOfNoReleasedSchemaIsUnknownAndNamedInHex() {
    byte[] bytes = apiCodec.encode(api().build());
    long fingerprint = 0x1a2b3c4d5e6f7081L;
    ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint);

    DecodeResult<ApiRequestEvent> result = apiCodec.decode(bytes);

    assertThat(reasonOf(result)).isEqualTo(Reason.UNKNOWN_FINGERPRINT);
    assertThat(result.errorOrNull().message())
        .contains("0x1a2b3c4d5e6f7081")
        .contains("not a released version of dev.pulse.events.ApiRequestEvent");
  }

  @Test
  void anotherTopicsRecordIsAnUnknownFingerprintNamingWhatItIs() {
    byte[] playbackBytes = EventCodec.forTopic(Topics.PLAYBACK).encode(playback().build());

    DecodeResult<ApiRequestEvent> result = apiCodec.decode(playbackBytes);

    assertThat(reasonOf(result)).isEqualTo(Reason.UNKNOWN_FINGERPRINT);
    assertThat(result.errorOrNull().message()).contains("dev.pulse.events.PlaybackEvent v1");
  }

  @Test
  void trailingBytesAfterTheRecordAreMalformed() {
    byte[] valid = apiCodec.encode(api().build());
    byte[] withGarbage = Arrays.copyOf(valid, valid.length + 1);
    withGarbage[valid.length] = 0x42;

    DecodeResult<ApiRequestEvent> result = apiCodec.decode(withGarbage);

    assertThat(reasonOf(result)).isEqualTo(Reason.MALFORMED);
    assertThat(result.errorOrNull().message()).contains("1 trailing byte");
  }

  @Test
  void jsonInsteadOfAvroIsNotSingleObject() {
    byte[] json = "{\"event_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);

    DecodeResult<ApiRequestEvent> result = apiCodec.decode(json);

    assertThat(reasonOf(result)).isEqualTo(Reason.NOT_SINGLE_OBJECT);
    assertThat(result.errorOrNull().message()).contains("0x7b 0x22").contains("looks like JSON");
  }

  @Test
  void aWrongSecondMarkerByteIsNotSingleObject() {
    assertThat(reasonOf(apiCodec.decode(new byte[] {(byte) 0xC3, 0x02, 0, 0})))
        .isEqualTo(Reason.NOT_SINGLE_OBJECT);
  }

  @Test
  void aRecordOverTheByteLimitIsOversizedBeforeAnyParsing() {
    byte[] huge = apiCodec.encode(api().setEndpoint("/" + "x".repeat(70_000)).build());

    DecodeResult<ApiRequestEvent> result = apiCodec.decode(huge);

    assertThat(reasonOf(result)).isEqualTo(Reason.OVERSIZED);
    assertThat(result.errorOrNull().message()).contains("65536");
  }

  @Test
  void aStringOverItsFieldLimitIsOversizedNamingTheField() {
    DecodeResult<ApiRequestEvent> result =
        apiCodec.decode(apiCodec.encode(api().setService("s".repeat(129)).build()));

    assertThat(reasonOf(result)).isEqualTo(Reason.OVERSIZED);
    assertThat(result.errorOrNull().message()).startsWith("service has 129 chars");
  }

  @Test
  void aStringDeclaringAGigabyteIsTruncatedWithoutAllocatingIt() {
    byte[] header = Arrays.copyOf(apiCodec.encode(api().build()), EventCodec.HEADER_BYTES);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    // Zig-zag of 2^30 is 2^31: varint bytes 0x80 0x80 0x80 0x80 0x08.
    out.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'a'});

    DecodeResult<ApiRequestEvent> result = apiCodec.decode(out.toByteArray());

    assertThat(reasonOf(result)).isEqualTo(Reason.TRUNCATED);
    assertThat(result.errorOrNull().message()).contains("1073741824 bytes but only 1 remain");
  }

  @Test
  void aNegativeStringLengthIsMalformed() {
    byte[] header = Arrays.copyOf(apiCodec.encode(api().build()), EventCodec.HEADER_BYTES);
    byte[] bytes = Arrays.copyOf(header, header.length + 1);
    bytes[header.length] = 0x01; // zig-zag 1 = -1

    assertThat(reasonOf(apiCodec.decode(bytes))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void invalidUtf8InAStringIsMalformed() {
    byte[] bytes = apiCodec.encode(api().build());
    int at = indexOf(bytes, "uni-tartu".getBytes(StandardCharsets.US_ASCII));
    bytes[at] = (byte) 0xFF;

    DecodeResult<ApiRequestEvent> result = apiCodec.decode(bytes);

    assertThat(reasonOf(result)).isEqualTo(Reason.MALFORMED);
    assertThat(result.errorOrNull().message()).contains("tenant_id").contains("UTF-8");
  }

  @Test
  void aBooleanByteOtherThanZeroOrOneIsMalformed() {
    EventCodec<ProbeResult> codec = EventCodec.forTopic(Topics.PROBES, validator());
    byte[] bytes = codec.encode(probe().build());
    // Tail, worked by hand: success=true (0x01), latency 87 -> zig-zag 174 -> 0xAE 0x01,
    // error=null -> union branch 0 (0x00).
    assertThat(Arrays.copyOfRange(bytes, bytes.length - 4, bytes.length))
        .containsExactly(0x01, 0xAE, 0x01, 0x00);
    bytes[bytes.length - 4] = 0x02;

    DecodeResult<ProbeResult> result = codec.decode(bytes);

    assertThat(reasonOf(result)).isEqualTo(Reason.MALFORMED);
    assertThat(result.errorOrNull().message()).contains("success").contains("boolean");
  }

  @Test
  void aUnionBranchIndexOutOfRangeIsMalformed() {
    EventCodec<ProbeResult> codec = EventCodec.forTopic(Topics.PROBES, validator());
    byte[] bytes = codec.encode(probe().build());
    bytes[bytes.length - 1] = 10; // zig-zag 5: branch 5 of a two-branch union

    DecodeResult<ProbeResult> result = codec.decode(bytes);

    assertThat(reasonOf(result)).isEqualTo(Reason.MALFORMED);
    assertThat(result.errorOrNull().message()).contains("error").contains("union branch index 5");
  }

  @Test
  void anEnumIndexOutOfRangeIsMalformed() {
    byte[] bytes = apiCodec.encode(api().setRegion("").setTraceId(null).build());
    // Tail, worked by hand: method GET (index 1 -> 0x02), status 200 (zig-zag 400: 2 bytes),
    // latency 12500 (zig-zag 25000: 3 bytes), region "" (0x00), trace_id null (0x00).
    int method = bytes.length - 8;
    assertThat(bytes[method]).isEqualTo((byte) 0x02);
    bytes[method] = 16; // index 8; HttpMethod has 8 symbols, 0..7

    DecodeResult<ApiRequestEvent> result = apiCodec.decode(bytes);

    assertThat(reasonOf(result)).isEqualTo(Reason.MALFORMED);
    assertThat(result.errorOrNull().message()).contains("method").contains("enum symbol index 8");
  }

  @Test
  void aWellFormedButInvalidEventFailsValidation() {
    DecodeResult<ApiRequestEvent> result =
        apiCodec.decode(apiCodec.encode(api().setStatusCode(700).build()));

    assertThat(reasonOf(result)).isEqualTo(Reason.INVALID_VALUE);
    assertThat(result.errorOrNull().message()).contains("status_code 700");
  }

  @Test
  void encodingARecordWithANullRequiredFieldIsAClearError() {
    ApiRequestEvent broken = api().build();
    broken.setService(null);

    assertThatThrownBy(() -> apiCodec.encode(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot encode dev.pulse.events.ApiRequestEvent");
    // The failed write must not leave bytes behind for the next record on this thread.
    assertThat(apiCodec.decode(apiCodec.encode(api().build())).orElseThrow())
        .isEqualTo(api().build());
  }

  @Test
  void oneCodecServesManyThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        int id = thread;
        futures.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  for (int i = 0; i < 2_000; i++) {
                    ApiRequestEvent e = api().setLatencyUs(id * 10_000L + i).build();
                    if (apiCodec.decode(apiCodec.encode(e)).orElseThrow().equals(e)) {
                      ok++;
                    }
                  }
                  return ok;
                }));
      }
      for (Future<Integer> f : futures) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(2_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCurrentSchemaThatIsNotReleasedIsRefused() {
    Schema other =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"ApiRequestEvent\",\"namespace\":\"dev.pulse.events\","
                    + "\"fields\":[{\"name\":\"event_id\",\"type\":\"string\"}]}");

    assertThatThrownBy(
            () ->
                EventCodec.withReleased(
                    Topics.API_REQUESTS, validator(), List.of(ReleasedSchema.of(1, other))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not released")
        .hasMessageContaining("schemas/released/ApiRequestEvent/v2.avsc");
  }

  private static byte[] singleObject(Schema schema, GenericRecord record) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    out.writeBytes(
        ByteBuffer.allocate(8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(SchemaNormalization.parsingFingerprint64(schema))
            .array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
