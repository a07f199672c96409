package dev.pulse.flink.common;

import static dev.pulse.flink.testing.ApiEvents.CODEC;
import static dev.pulse.flink.testing.ApiEvents.START;
import static dev.pulse.flink.testing.ApiEvents.event;
import static dev.pulse.flink.testing.ApiEvents.raw;
import static dev.pulse.flink.testing.ApiEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.records.ApiRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeFunctionTest {

  private OneInputStreamOperatorTestHarness<RawRecord, ApiRequest> harness;

  @BeforeEach
  void open() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new DecodeFunction<>(Topics.API_REQUESTS, ApiRequest.class, ApiRequest::of));
    // Validation judges "the future" by processing time: pin it one minute after the test data.
    harness.setProcessingTime(t(60).toEpochMilli());
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void validRecordBecomesAnApiRequestAndNoDeadLetter() throws Exception {
    harness.processElement(raw(7, CODEC.encode(event(1, t(5), 503, 120_000))), 0);

    assertThat(harness.extractOutputValues())
        .containsExactly(
            new ApiRequest(
                dev.pulse.flink.testing.ApiEvents.id(1), "t1", t(5), "courses-api",
                "/courses/{id}", "GET", 503, 120_000, "eu-west", null));
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void truncatedRecordIsDeadLetteredWithItsOriginAndBytes() throws Exception {
    byte[] good = CODEC.encode(event(1, t(5), 200, 1_000));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);

    harness.processElement(raw(42, truncated), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
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

    harness.processElement(raw(3, random), 0);

    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("NOT_SINGLE_OBJECT");
    assertThat(letter.offset()).isEqualTo(3);
    assertThat(harness.extractOutputValues()).isEmpty();
  }

  @Test
  void unknownSchemaFingerprintIsDeadLettered() throws Exception {
    byte[] bytes = CODEC.encode(event(1, t(5), 200, 1_000));
    bytes[2] ^= 0x5a; // first fingerprint byte: no released schema has this fingerprint

    harness.processElement(raw(9, bytes), 0);

    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("UNKNOWN_FINGERPRINT");
    assertThat(letter.message()).contains("unknown schema fingerprint");
  }

  @Test
  void invalidStatusCodeIsDeadLetteredAsInvalidValue() throws Exception {
    harness.processElement(raw(11, CODEC.encode(event(1, t(5), 700, 1_000))), 0);

    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("INVALID_VALUE");
    assertThat(letter.message()).contains("status_code 700");
    assertThat(harness.extractOutputValues()).isEmpty();
  }

  @Test
  void eventMoreThanADayAheadOfProcessingTimeIsAbsurd() throws Exception {
    byte[] future = CODEC.encode(event(1, START.plus(Duration.ofDays(2)), 200, 1_000));

    harness.processElement(raw(12, future), 0);

    assertThat(single(deadLetters()).reason()).isEqualTo("ABSURD_TIMESTAMP");
  }

  @Test
  void nullValueIsDeadLetteredAsEmpty() throws Exception {
    harness.processElement(raw(13, null), 0);

    DeadLetter letter = single(deadLetters());
    assertThat(letter.reason()).isEqualTo("EMPTY");
    assertThat(letter.value()).isNull();
  }

  @Test
  void goodAndBadRecordsInterleavedLoseNothing() throws Exception {
    harness.processElement(raw(1, CODEC.encode(event(1, t(1), 200, 1_000))), 0);
    harness.processElement(raw(2, new byte[] {1, 2, 3}), 0);
    harness.processElement(raw(3, CODEC.encode(event(3, t(3), 200, 1_000))), 0);

    assertThat(harness.extractOutputValues()).extracting(ApiRequest::eventTime).containsExactly(t(1), t(3));
    assertThat(single(deadLetters()).offset()).isEqualTo(2);
  }

  private List<DeadLetter> deadLetters() {
    var queue = harness.getSideOutput(DecodeFunction.DEAD_LETTERS);
    return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
  }

  private static DeadLetter single(List<DeadLetter> letters) {
    assertThat(letters).hasSize(1);
    return letters.get(0);
  }
}
