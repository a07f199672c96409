package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.CODEC;
import static dev.pulse.flink.testing.ApiEvents.START;
import static dev.pulse.flink.testing.ApiEvents.event;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.ApiMetricsJob;
import dev.pulse.flink.api.records.ApiRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decoding inside the Kafka source: each record becomes one event or one dead letter with its
 * origin.
 */
class DecodingDeserializationSchemaTest {

  /** The job's default bound of event times ahead of the ingest clock. */
  private static final Duration MAX_FUTURE = Duration.ofSeconds(10);

  private DecodingDeserializationSchema<ApiRequestEvent, ApiRequest> schema;
  private final List<Decoded<ApiRequest>> out = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    // Validation judges "the future" by the clock: pin it one minute after the test data.
    schema = ApiMetricsJob.deserializer(Clock.fixed(t(60), ZoneOffset.UTC), MAX_FUTURE);
    schema.open(
        new DeserializationSchema.InitializationContext() {
          @Override
          public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
          }

          @Override
          public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
          }
        });
  }

  @Test
  void validRecordBecomesAnApiRequestAndNoDeadLetter() throws Exception {
    deserialize(7, CODEC.encode(event(1, t(5), 503, 120_000)));

    assertThat(out)
        .containsExactly(
            Decoded.ofEvent(
                "pulse.api.requests",
                1,
                7,
                new ApiRequest(
                    dev.pulse.flink.testing.ApiEvents.id(1),
                    "t1",
                    t(5),
                    "courses-api",
                    "/courses/{id}",
                    "GET",
                    503,
                    120_000,
                    "eu-west",
                    null)));
    assertThat(deadLetters()).isEmpty();
  }

  /** Review m4: an id in upper case is the same UUID; the job carries (and stores) one form. */
  @Test
  void anUpperCaseEventIdIsCarriedInLowerCase() throws Exception {
    ApiRequestEvent upper = event(1, t(5), 200, 1_000);
    upper.setEventId("5CA1AB1E-0000-4000-8000-00000000000A");

    deserialize(7, CODEC.encode(upper));

    assertThat(events())
        .extracting(ApiRequest::eventId)
        .containsExactly("5ca1ab1e-0000-4000-8000-00000000000a");
  }

  @Test
  void truncatedRecordIsDeadLetteredWithItsOriginAndBytes() throws Exception {
    byte[] good = CODEC.encode(event(1, t(5), 200, 1_000));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);

    deserialize(42, truncated);

    assertThat(events()).isEmpty();
    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("TRUNCATED");
    assertThat(letter.originTopic()).isEqualTo("pulse.api.requests");
    assertThat(letter.partition()).isEqualTo(1);
    assertThat(letter.offset()).isEqualTo(42);
    assertThat(letter.value()).isEqualTo(truncated);
    assertThat(letter.detectedAt()).isEqualTo(t(60));
  }

  @Test
  void randomBytesAreDeadLetteredAsNotSingleObject() throws Exception {
    byte[] random = new byte[40];
    new Random(7).nextBytes(random);
    random[0] = 0x11; // not the 0xC3 marker, whatever the seed gives

    deserialize(3, random);

    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("NOT_SINGLE_OBJECT");
    assertThat(letter.offset()).isEqualTo(3);
    assertThat(events()).isEmpty();
  }

  @Test
  void unknownSchemaFingerprintIsDeadLettered() throws Exception {
    byte[] bytes = CODEC.encode(event(1, t(5), 200, 1_000));
    bytes[2] ^= 0x5a; // first fingerprint byte: no released schema has this fingerprint

    deserialize(9, bytes);

    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("UNKNOWN_FINGERPRINT");
    assertThat(letter.message()).contains("unknown schema fingerprint");
  }

  @Test
  void invalidStatusCodeIsDeadLetteredAsInvalidValue() throws Exception {
    deserialize(11, CODEC.encode(event(1, t(5), 700, 1_000)));

    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("INVALID_VALUE");
    assertThat(letter.message()).contains("status_code 700");
    assertThat(events()).isEmpty();
  }

  @Test
  void eventFurtherAheadOfTheIngestClockThanTheBoundIsAFutureDeadLetterAndOneWithinItPasses()
      throws Exception {
    // The clock reads t(60); the bound is 10 s: t(70) is the last accepted instant.
    deserialize(21, CODEC.encode(event(1, t(70), 200, 1_000)));
    deserialize(22, CODEC.encode(event(2, t(71), 200, 1_000)));
    deserialize(23, CODEC.encode(event(3, t(60).plus(Duration.ofMinutes(10)), 200, 1_000)));
    deserialize(24, CODEC.encode(event(4, t(60).plus(Duration.ofHours(23)), 200, 1_000)));

    assertThat(events()).hasSize(1);
    assertThat(deadLetters())
        .extracting(DeadLetter::offset, DeadLetter::reason)
        .containsExactly(
            tuple(22L, "FUTURE_EVENT_TIME"),
            tuple(23L, "FUTURE_EVENT_TIME"),
            tuple(24L, "FUTURE_EVENT_TIME"));
    assertThat(deadLetters().get(0).message()).contains("ahead of the ingest clock");
  }

  @Test
  void eventMoreThanADayAheadOfTheClockIsAbsurd() throws Exception {
    byte[] future = CODEC.encode(event(1, START.plus(Duration.ofDays(2)), 200, 1_000));

    deserialize(12, future);

    assertThat(single(deadLetters()).reason()).isEqualTo("ABSURD_TIMESTAMP");
  }

  @Test
  void nullValueIsDeadLetteredAsEmpty() throws Exception {
    deserialize(13, null);

    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("EMPTY");
    assertThat(letter.value()).isNull();
  }

  @Test
  void goodAndBadRecordsInterleavedLoseNothing() throws Exception {
    deserialize(1, CODEC.encode(event(1, t(1), 200, 1_000)));
    deserialize(2, new byte[] {1, 2, 3});
    deserialize(3, CODEC.encode(event(3, t(3), 200, 1_000)));

    assertThat(events()).extracting(ApiRequest::eventTime).containsExactly(t(1), t(3));
    assertThat(single(deadLetters()).offset()).isEqualTo(2);
    assertThat(out)
        .extracting(Decoded::offset)
        .containsExactly(1L, 2L, 3L); // one element per record
  }

  @Test
  void eventBefore2000IsAbsurdSoItNeverReachesTheWatermarks() throws Exception {
    deserialize(14, CODEC.encode(event(1, Instant.parse("1999-12-31T23:59:59Z"), 200, 1_000)));

    assertThat(single(deadLetters()).reason()).isEqualTo("ABSURD_TIMESTAMP");
    assertThat(events()).isEmpty();
  }

  @Test
  void decodedRecordsAreAFlinkPojoSoNoKryoIsNeeded() throws Exception {
    assertThat(ApiMetricsJob.DECODED_TYPE).isInstanceOf(PojoTypeInfo.class);
    SerializerConfigImpl noGenerics = new SerializerConfigImpl();
    noGenerics.setGenericTypes(false); // a Kryo fallback anywhere inside would throw here
    TypeSerializer<Decoded<ApiRequest>> serializer =
        ApiMetricsJob.DECODED_TYPE.createSerializer(noGenerics);

    deserialize(1, CODEC.encode(event(1, t(1), 200, 1_000)));
    deserialize(2, new byte[] {1, 2, 3});
    for (Decoded<ApiRequest> d : out) {
      DataOutputSerializer bytes = new DataOutputSerializer(256);
      serializer.serialize(d, bytes);
      Decoded<ApiRequest> back =
          serializer.deserialize(new DataInputDeserializer(bytes.getCopyOfBuffer()));
      assertThat(back.event()).isEqualTo(d.event());
      assertThat(back.offset()).isEqualTo(d.offset());
      if (!d.isEvent()) {
        assertThat(back.deadLetter().value()).isEqualTo(d.deadLetter().value());
        assertThat(back.deadLetter().reason()).isEqualTo(d.deadLetter().reason());
      }
    }
  }

  @Test
  void theSchemaSurvivesJavaSerializationAsFlinkShipsIt() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
      o.writeObject(ApiMetricsJob.deserializer(Clock.systemUTC(), MAX_FUTURE));
    }
    try (ObjectInputStream i =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(i.readObject()).isInstanceOf(DecodingDeserializationSchema.class);
    }
  }

  private void deserialize(long offset, byte[] value) {
    schema.deserialize(
        new ConsumerRecord<>(Topics.API_REQUESTS.name(), 1, offset, null, value),
        new Collector<>() {
          @Override
          public void collect(Decoded<ApiRequest> record) {
            out.add(record);
          }

          @Override
          public void close() {}
        });
  }

  private List<ApiRequest> events() {
    return out.stream().filter(Decoded::isEvent).map(Decoded::event).toList();
  }

  private List<DeadLetter> deadLetters() {
    return out.stream().filter(d -> !d.isEvent()).map(Decoded::deadLetter).toList();
  }

  private static DeadLetter single(List<DeadLetter> letters) {
    assertThat(letters).hasSize(1);
    return letters.get(0);
  }
}
