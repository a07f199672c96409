package dev.pulse.events.json;

import static dev.pulse.events.testing.Events.api;
import static dev.pulse.events.testing.Events.playback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.ClassroomEvent;
import dev.pulse.events.ClassroomEventType;
import dev.pulse.events.ClassroomRole;
import dev.pulse.events.PlaybackEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventJsonTest {

  /** Written by hand: 2025-03-04T09:59:55Z is 1741046400 (day start) + 35995 s. */
  private static final String API_JSON =
      "{\"event_id\":\"6f1c2a9e-3b4d-4c5e-8f70-112233445566\",\"tenant_id\":\"uni-tartu\","
          + "\"event_time\":1741082395000,\"service\":\"courses-api\","
          + "\"endpoint\":\"/courses/{id}/sessions\",\"method\":\"GET\",\"status_code\":200,"
          + "\"latency_us\":12500,\"region\":\"eu-north\","
          + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}";

  @Test
  void writesFieldsInSchemaOrderWithEpochMillisAndEnumSymbols() {
    assertThat(EventJson.toJson(api().build())).isEqualTo(API_JSON);
  }

  @Test
  void writesAbsentOptionalsAsNull() {
    String json = EventJson.toJson(playback().setBitrateKbps(null).build());

    assertThat(json).contains("\"bitrate_kbps\":null,").contains("\"error_code\":null,");
  }

  @Test
  void readsWhatItWrites() {
    assertThat(EventJson.fromJson(API_JSON, ApiRequestEvent.class)).isEqualTo(api().build());
    PlaybackEvent p = playback().setBitrateKbps(null).setErrorCode("E_NET").setFatal(true).build();
    assertThat(EventJson.fromJson(EventJson.toJson(p), PlaybackEvent.class)).isEqualTo(p);
  }

  @Test
  void equalRecordsGiveIdenticalText() {
    assertThat(EventJson.toJson(api().build())).isEqualTo(EventJson.toJson(api().build()));
  }

  @Test
  void escapesQuotesAndControlCharactersAndKeepsUnicode() {
    String json = EventJson.toJson(api().setService("a\"b\nc-é").build());

    assertThat(json).contains("\"service\":\"a\\\"b\\nc-é\"");
    assertThat(EventJson.fromJson(json, ApiRequestEvent.class).getService()).isEqualTo("a\"b\nc-é");
  }

  @Test
  void aMissingFieldWithADefaultTakesIt() {
    String json =
        "{\"event_id\":\"0d3e4f5a-6b7c-4d8e-9fa0-b1c2d3e4f5a6\",\"tenant_id\":\"t\","
            + "\"event_time\":946684800000,\"course_id\":\"c\",\"session_id\":\"s\","
            + "\"user_id\":\"u\",\"type\":\"JOINED\"}";

    ClassroomEvent event = EventJson.fromJson(json, ClassroomEvent.class);

    assertThat(event.getRole()).isEqualTo(ClassroomRole.UNKNOWN);
    assertThat(event.getType()).isEqualTo(ClassroomEventType.JOINED);
    assertThat(event.getDevice()).isEmpty();
    assertThat(event.getEventTime()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
  }

  @Test
  void aMissingFieldWithoutADefaultIsAnError() {
    assertThatThrownBy(
            () ->
                EventJson.fromJson(
                    API_JSON.replace("\"status_code\":200,", ""), ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("missing field 'status_code' of ApiRequestEvent");
  }

  @Test
  void anUnknownFieldIsAnError() {
    assertThatThrownBy(
            () ->
                EventJson.fromJson(
                    API_JSON.replaceFirst("\\{", "{\"colour\":\"red\","), ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown field 'colour' for ApiRequestEvent");
  }

  @Test
  void wrongTypesAreErrorsNamingTheField() {
    assertThatThrownBy(
            () -> EventJson.fromJson(API_JSON.replace("200", "\"200\""), ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field 'status_code': expected int, got STRING \"200\"");
    assertThatThrownBy(
            () -> EventJson.fromJson(API_JSON.replace("200", "200.5"), ApiRequestEvent.class))
        .hasMessageContaining("field 'status_code': expected int");
    assertThatThrownBy(
            () -> EventJson.fromJson(API_JSON.replace("200", "3000000000"), ApiRequestEvent.class))
        .hasMessageContaining("field 'status_code': expected int");
    assertThatThrownBy(
            () ->
                EventJson.fromJson(
                    API_JSON.replace("1741082395000", "\"2025-03-04T09:59:55Z\""),
                    ApiRequestEvent.class))
        .hasMessageContaining("field 'event_time': expected long (timestamp-millis)");
    assertThatThrownBy(
            () ->
                EventJson.fromJson(API_JSON.replace("\"eu-north\"", "null"), ApiRequestEvent.class))
        .hasMessageContaining("field 'region': expected string, got NULL");
    assertThatThrownBy(
            () ->
                EventJson.fromJson(
                    API_JSON.replace("\"4bf92f3577b34da6a3ce929d0e0e4736\"", "7"),
                    ApiRequestEvent.class))
        .hasMessageContaining("field 'trace_id': expected null or string, got NUMBER");
  }

  @Test
  void anUnknownEnumSymbolIsAnError() {
    assertThatThrownBy(
            () ->
                EventJson.fromJson(API_JSON.replace("\"GET\"", "\"BREW\""), ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("field 'method': \"BREW\" is not one of [OTHER, GET");
  }

  @Test
  void duplicateFieldsTrailingTokensAndNonObjectsAreErrors() {
    assertThatThrownBy(
            () ->
                EventJson.fromJson(
                    API_JSON.replaceFirst("\\{", "{\"region\":\"x\","), ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Duplicate field 'region'");
    assertThatThrownBy(() -> EventJson.fromJson(API_JSON + " {}", ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not valid JSON");
    assertThatThrownBy(() -> EventJson.fromJson("[1]", ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected a JSON object for ApiRequestEvent, got ARRAY");
    assertThatThrownBy(() -> EventJson.fromJson("", ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventJson.fromJson("{\"event_id\":", ApiRequestEvent.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not valid JSON");
  }
}
