package dev.pulse.flink.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DeadLetterSerializationSchemaTest {

  @Test
  void deadLetterGoesToTheTopicsDeadLetterTopicWithOriginalBytesAndOriginHeaders() {
    byte[] original = {(byte) 0xc3, 0x01, 0x02};
    DeadLetter letter =
        new DeadLetter(
            "pulse.api.requests",
            3,
            1234L,
            "TRUNCATED",
            "ends inside the header",
            original,
            Instant.parse("2026-03-02T10:00:00Z"));

    ProducerRecord<byte[], byte[]> r =
        new DeadLetterSerializationSchema().serialize(letter, null, 99L);

    assertThat(r.topic()).isEqualTo("pulse.api.requests.dlq");
    assertThat(r.value()).isEqualTo(original);
    assertThat(r.timestamp()).isEqualTo(99L);
    assertThat(header(r, "pulse.reason")).isEqualTo("TRUNCATED");
    assertThat(header(r, "pulse.message")).isEqualTo("ends inside the header");
    assertThat(header(r, "pulse.origin.topic")).isEqualTo("pulse.api.requests");
    assertThat(header(r, "pulse.origin.partition")).isEqualTo("3");
    assertThat(header(r, "pulse.origin.offset")).isEqualTo("1234");
  }

  @Test
  void aConfiguredDeadLetterTopicReceivesEveryDeadLetterWhateverItsOrigin() {
    DeadLetter letter =
        new DeadLetter(
            "api-requests-test-1",
            0,
            7L,
            "MALFORMED",
            "bad",
            new byte[] {1},
            Instant.parse("2026-03-02T10:00:00Z"));

    ProducerRecord<byte[], byte[]> r =
        new DeadLetterSerializationSchema("rejects").serialize(letter, null, null);

    assertThat(r.topic()).isEqualTo("rejects");
    assertThat(header(r, "pulse.origin.topic")).isEqualTo("api-requests-test-1");
  }

  @Test
  void aValueOverTheLimitIsCutToItAndFlaggedWithItsLengthAndOneAtTheLimitIsNot() {
    byte[] huge = new byte[1_048_400];
    for (int i = 0; i < huge.length; i++) {
      huge[i] = (byte) i;
    }
    ProducerRecord<byte[], byte[]> cut =
        new DeadLetterSerializationSchema("dlq").serialize(letterWith(huge), null, 1L);
    assertThat(cut.value()).hasSize(512 * 1024);
    assertThat(cut.value()).isEqualTo(java.util.Arrays.copyOf(huge, 512 * 1024));
    assertThat(header(cut, "pulse.truncated")).isEqualTo("1048400");

    byte[] atLimit = new byte[512 * 1024];
    ProducerRecord<byte[], byte[]> whole =
        new DeadLetterSerializationSchema("dlq").serialize(letterWith(atLimit), null, 1L);
    assertThat(whole.value()).isSameAs(atLimit);
    assertThat(whole.headers().lastHeader("pulse.truncated")).isNull();
  }

  private static DeadLetter letterWith(byte[] value) {
    return new DeadLetter(
        "pulse.api.requests",
        0,
        7L,
        "OVERSIZED",
        "record is too large",
        value,
        Instant.parse("2026-03-02T10:00:00Z"));
  }

  @Test
  void topicWithoutAContractFollowsTheSameNamingRule() {
    assertThat(DeadLetterSerializationSchema.deadLetterTopicOf("other.topic"))
        .isEqualTo("other.topic.dlq");
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
