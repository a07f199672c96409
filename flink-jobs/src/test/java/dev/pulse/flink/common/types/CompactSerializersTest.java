package dev.pulse.flink.common.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.api.records.ApiKey;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.EventKey;
import java.time.Instant;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CompactSerializersTest {

  private static final ApiRequest REQUEST =
      new ApiRequest(
          "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
          "tenant-é",
          Instant.parse("2026-03-02T10:00:01.234Z"),
          "courses",
          "/courses/{id}",
          "GET",
          503,
          123_456L,
          "",
          null);

  @Test
  void flinkFindsTheHandWrittenTypesThroughTheAnnotations() {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false); // a Kryo fallback would throw here
    assertThat(TypeInformation.of(ApiRequest.class).createSerializer(config))
        .isSameAs(ApiRequest.Serializer.INSTANCE);
    assertThat(TypeInformation.of(ApiKey.class).createSerializer(config))
        .isSameAs(ApiKey.Serializer.INSTANCE);
    assertThat(TypeInformation.of(EventKey.class).createSerializer(config))
        .isSameAs(EventKey.Serializer.INSTANCE);
    assertThat(TypeInformation.of(EventKey.class).isKeyType()).isTrue();
    assertThat(TypeInformation.of(ApiKey.class).isKeyType()).isTrue();
  }

  @Test
  void requestSurvivesTheWireWithNullTraceEmptyRegionAndNonAsciiText() throws Exception {
    assertThat(roundTrip(ApiRequest.Serializer.INSTANCE, REQUEST)).isEqualTo(REQUEST);
    ApiRequest traced =
        new ApiRequest(
            REQUEST.eventId(),
            REQUEST.tenantId(),
            Instant.ofEpochSecond(-5, 999_999_999),
            REQUEST.service(),
            REQUEST.endpoint(),
            "OTHER",
            100,
            0L,
            "eu-west",
            "4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(roundTrip(ApiRequest.Serializer.INSTANCE, traced)).isEqualTo(traced);
  }

  @Test
  void keySurvivesTheWire() throws Exception {
    assertThat(roundTrip(ApiKey.Serializer.INSTANCE, REQUEST.key())).isEqualTo(REQUEST.key());
  }

  @Test
  void aCopyOfAnImmutableRecordIsTheRecordItself() {
    assertThat(ApiRequest.Serializer.INSTANCE.isImmutableType()).isTrue();
    assertThat(ApiRequest.Serializer.INSTANCE.copy(REQUEST)).isSameAs(REQUEST);
  }

  @Test
  void copyingSerializedBytesGivesTheSameRecord() throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    ApiRequest.Serializer.INSTANCE.serialize(REQUEST, out);
    DataOutputSerializer copy = new DataOutputSerializer(64);
    ApiRequest.Serializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copy);
    assertThat(copy.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
  }

  private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    T back = serializer.deserialize(in);
    assertThat(in.available()).isZero();
    return back;
  }
}
