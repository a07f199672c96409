package dev.pulse.flink.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.ProbeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.common.Decoded;
import dev.pulse.flink.probes.records.ProbeCheck;
import dev.pulse.flink.probes.records.ProbeKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decoding in the source: a usable probe result becomes an event, one the contract refuses or one
 * the job's own rule refuses (a latency of an hour or more, a blank target) a dead letter with its
 * origin and original bytes; and the records' serializers read back what they wrote.
 */
class ProbeDecodingTest {

  private static final Instant NOW = Instant.parse("2026-11-30T23:00:00Z");
  private static final EventCodec<ProbeResult> CODEC = EventCodec.forTopic(Topics.PROBES);

  private ProbeDecoding decoding;

  @BeforeEach
  void open() throws Exception {
    decoding = new ProbeDecoding(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(10));
    decoding.open(null);
  }

  @Test
  void aUsableResultIsAnEventWithItsIdInLowerCase() {
    ProbeResult r = result("grades-api/health", "eu-west", 10_000);
    r.setEventId("0E9B1F5C-2D3A-4B6C-8D7E-9F0A1B2C3D4E");
    r.setSuccess(false);
    r.setError("timeout after 10000 ms");
    Decoded<ProbeCheck> d = decoding.decode("probes", 1, 7, CODEC.encode(r));
    assertThat(d.isEvent()).isTrue();
    assertThat(d.event())
        .isEqualTo(
            new ProbeCheck(
                "0e9b1f5c-2d3a-4b6c-8d7e-9f0a1b2c3d4e",
                "platform",
                "grades-api/health",
                "eu-west",
                NOW.minusSeconds(5).toEpochMilli(),
                false,
                10_000,
                "timeout after 10000 ms"));
    assertThat(d.event().key()).isEqualTo(new ProbeKey("platform", "grades-api/health", "eu-west"));
  }

  @Test
  void aLatencyOfAnHourOrMoreIsADeadLetterWithItsOriginAndBytes() {
    byte[] bytes = CODEC.encode(result("grades-api/health", "eu-west", 3_600_000));
    DeadLetter letter = deadLetter(decoding.decode("probes", 1, 8, bytes));
    assertThat(letter.originTopic()).isEqualTo("probes");
    assertThat(letter.partition()).isEqualTo(1);
    assertThat(letter.offset()).isEqualTo(8);
    assertThat(letter.reason()).isEqualTo("INVALID_VALUE");
    assertThat(letter.message()).isEqualTo("latency_ms 3600000 is outside 0..3599999");
    assertThat(letter.value()).isEqualTo(bytes);
    assertThat(letter.detectedAt()).isEqualTo(NOW);
    // Just under an hour is a (very slow) measurement.
    assertThat(decoding.decode("probes", 1, 9, CODEC.encode(result("a", "b", 3_599_999))).isEvent())
        .isTrue();
  }

  @Test
  void anEmptyOrBlankTargetOrRegionAndANegativeLatencyAreDeadLetters() {
    DeadLetter empty =
        deadLetter(decoding.decode("probes", 0, 1, CODEC.encode(result("", "eu-west", 20))));
    assertThat(empty.reason()).isEqualTo("MISSING_FIELD"); // the contract's rule
    assertThat(empty.message()).isEqualTo("target is empty");
    DeadLetter blank =
        deadLetter(decoding.decode("probes", 0, 2, CODEC.encode(result(" \t", "eu-west", 20))));
    assertThat(blank.reason()).isEqualTo("INVALID_VALUE"); // the job's
    assertThat(blank.message()).isEqualTo("target is blank");
    DeadLetter region =
        deadLetter(decoding.decode("probes", 0, 3, CODEC.encode(result("a/health", " ", 20))));
    assertThat(region.message()).isEqualTo("region is blank");
    DeadLetter negative =
        deadLetter(decoding.decode("probes", 0, 4, CODEC.encode(result("a/health", "x", -1))));
    assertThat(negative.reason()).isEqualTo("INVALID_VALUE");
    assertThat(negative.message()).isEqualTo("latency_ms -1 is negative");
  }

  @Test
  void theSerializersReadBackWhatTheyWrote() throws Exception {
    ProbeCheck withError =
        new ProbeCheck("id", "t", "grades-api/health", "eu-west", 123, false, 10_000, "HTTP 503");
    ProbeCheck withoutError = new ProbeCheck("id2", "t", "x", "y", -5, true, 0, null);
    assertThat(roundTrip(ProbeCheck.Serializer.INSTANCE, withError)).isEqualTo(withError);
    assertThat(roundTrip(ProbeCheck.Serializer.INSTANCE, withoutError)).isEqualTo(withoutError);
    ProbeKey key = withError.key();
    assertThat(roundTrip(ProbeKey.Serializer.INSTANCE, key)).isEqualTo(key);
  }

  private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  private static DeadLetter deadLetter(Decoded<ProbeCheck> d) {
    assertThat(d.isEvent()).isFalse();
    return d.deadLetter();
  }

  private static ProbeResult result(String target, String region, long latencyMs) {
    return ProbeResult.newBuilder()
        .setEventId("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
        .setTenantId("platform")
        .setEventTime(NOW.minusSeconds(5))
        .setTarget(target)
        .setRegion(region)
        .setSuccess(true)
        .setLatencyMs(latencyMs)
        .setError(null)
        .build();
  }
}
