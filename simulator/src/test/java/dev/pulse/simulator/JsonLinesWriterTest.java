package dev.pulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.HttpMethod;
import dev.pulse.events.json.EventJson;
import dev.pulse.events.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** JSON lines are the simulator's human- and tool-readable output; their shape is a contract. */
class JsonLinesWriterTest {

  private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final ApiRequestEvent EVENT =
      ApiRequestEvent.newBuilder()
          .setEventId("6f1c2a54-0d7e-4c1b-9a55-0b3f2e8d9c10")
          .setTenantId("northfield-academy")
          .setEventTime(START.plusSeconds(90))
          .setService("courses-api")
          .setEndpoint("/courses/{courseId}")
          .setMethod(HttpMethod.GET)
          .setStatusCode(200)
          .setLatencyUs(12_345)
          .setRegion("eu-west")
          .setTraceId(null)
          .build();

  @Test
  void validRecordLineWrapsTheEventJsonWithTopicKeyAndKind() throws Exception {
    SimulatedRecord r =
        new SimulatedRecord(
            Topics.API_REQUESTS,
            EVENT.getEventId(),
            new byte[] {1},
            EVENT.getEventTime(),
            SimulatedRecord.Kind.DUPLICATE,
            null,
            EVENT);
    String line = JsonLinesWriter.toLine(r);
    assertThat(line)
        .startsWith(
            "{\"topic\":\"pulse.api.requests\",\"key\":\"6f1c2a54-0d7e-4c1b-9a55-0b3f2e8d9c10\","
                + "\"kind\":\"DUPLICATE\",\"event\":{");
    JsonNode node = JSON.readTree(line);
    assertThat(node.get("event").get("event_time").asLong())
        .isEqualTo(START.toEpochMilli() + 90_000);
    assertThat(EventJson.fromJson(node.get("event").toString(), ApiRequestEvent.class))
        .isEqualTo(EVENT);
  }

  @Test
  void malformedRecordLineCarriesTheExactBytesInBase64() throws Exception {
    byte[] bytes = {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF};
    SimulatedRecord r =
        new SimulatedRecord(
            Topics.API_REQUESTS,
            "k1",
            bytes,
            START,
            SimulatedRecord.Kind.MALFORMED,
            SimulatedRecord.MalformedKind.TRUNCATED,
            null);
    assertThat(JsonLinesWriter.toLine(r))
        .isEqualTo(
            "{\"topic\":\"pulse.api.requests\",\"key\":\"k1\",\"kind\":\"MALFORMED\","
                + "\"malformed_kind\":\"TRUNCATED\",\"value_base64\":\"wwEA/w==\"}");
    assertThat(Base64.getDecoder().decode("wwEA/w==")).isEqualTo(bytes);
  }

  @Test
  void writesOneNewlineTerminatedLinePerRecord() throws Exception {
    SimulationConfig config =
        SimulationConfig.defaults()
            .withMaxEvents(250)
            .withDuration(null)
            .withFaults(new FaultConfig(0.1, 0, 0, 0.1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Simulator.RecordStream records = new Simulator(config).records();
    try (JsonLinesWriter w = new JsonLinesWriter(out)) {
      assertThat(w.writeAll(records, Progress.silent())).isEqualTo(records.report().emitted());
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).endsWith("\n").doesNotContain("\r");
    assertThat(text.split("\n", -1)).hasSize((int) records.report().emitted() + 1);
  }
}
