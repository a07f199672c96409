package dev.pulse.flink.testing;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.HttpMethod;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.records.ApiRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Hand-built API request events at fixed times relative to {@link #START}, for tests. */
public final class ApiEvents {

  /** A fixed minute boundary; tests never read the wall clock. */
  public static final Instant START = Instant.parse("2026-03-02T10:00:00Z");

  public static final EventCodec<ApiRequestEvent> CODEC = EventCodec.forTopic(Topics.API_REQUESTS);

  private ApiEvents() {}

  /** {@link #START} plus {@code seconds}. */
  public static Instant t(double seconds) {
    return START.plusMillis(Math.round(seconds * 1000));
  }

  /** Epoch millis of {@link #t}. */
  public static long ms(double seconds) {
    return t(seconds).toEpochMilli();
  }

  /** A deterministic event id for {@code n}. */
  public static String id(long n) {
    return new UUID(0x5ca1ab1e_0000_4000L, 0x8000_0000_0000_0000L | n).toString();
  }

  /** An event of tenant t1, courses-api GET /courses/{id} in eu-west. */
  public static ApiRequestEvent event(long n, Instant time, int status, long latencyUs) {
    return event(n, time, "/courses/{id}", status, latencyUs);
  }

  public static ApiRequestEvent event(
      long n, Instant time, String endpoint, int status, long latencyUs) {
    return ApiRequestEvent.newBuilder()
        .setEventId(id(n))
        .setTenantId("t1")
        .setEventTime(time)
        .setService("courses-api")
        .setEndpoint(endpoint)
        .setMethod(HttpMethod.GET)
        .setStatusCode(status)
        .setLatencyUs(latencyUs)
        .setRegion("eu-west")
        .setTraceId(null)
        .build();
  }

  /** The job's record of {@link #event}. */
  public static ApiRequest request(long n, Instant time, int status, long latencyUs) {
    return ApiRequest.of(event(n, time, status, latencyUs));
  }

  public static ApiRequest request(
      long n, Instant time, String endpoint, int status, long latencyUs) {
    return ApiRequest.of(event(n, time, endpoint, status, latencyUs));
  }

  /**
   * {@code event} as a Kafka record of {@code topic}, keyed as the contract says, single-object.
   */
  public static ProducerRecord<byte[], byte[]> record(String topic, ApiRequestEvent event) {
    return new ProducerRecord<>(
        topic,
        Topics.API_REQUESTS.keyOf(event).getBytes(StandardCharsets.UTF_8),
        CODEC.encode(event));
  }
}
