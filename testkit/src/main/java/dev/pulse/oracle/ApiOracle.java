package dev.pulse.oracle;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.codec.EventValidator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The expected value of every API metric Pulse serves, recounted in plain Java from the events
 * themselves, sharing no code with the Flink job, the sink or the API (only the event contract's
 * validator, below): per (tenant, service, endpoint, method, region) and UTC minute, hour and day,
 * the request count, 5xx and 4xx counts, and exact latencies.
 *
 * <p>Input rules, the ones a correct pipeline follows: events that are not {@link ApiRequestEvent}
 * (other domains, nulls for malformed records) are skipped; events the contract's {@link
 * EventValidator} rejects (the one piece shared with the pipeline: a validator bug is invisible
 * here and is guarded by EventValidatorTest and the example payloads) (bad UUID, status outside
 * 100..599, event time before 2000 ...) are not counted; an event_id seen before is a duplicate and
 * counted once (the first delivery wins). Late events are counted like any other: the oracle
 * answers "all valid events"; a test that wants the on-time view passes only the on-time events.
 *
 * <p>Hour and day figures are computed from the merged populations, so their percentiles are exact
 * too (not averages of minute percentiles).
 */
public final class ApiOracle {

  /** "Now" for the validator's future bound: far enough ahead for any simulated day. */
  public static final Instant VALIDATION_NOW = Instant.parse("2100-01-01T00:00:00Z");

  private final Map<Grain, SortedMap<ApiKey, ApiStats>> byGrain = new EnumMap<>(Grain.class);
  private final long counted;
  private final long duplicates;
  private final long invalid;

  private ApiOracle(
      SortedMap<ApiKey, ApiStats> minutes, long counted, long duplicates, long invalid) {
    this.counted = counted;
    this.duplicates = duplicates;
    this.invalid = invalid;
    byGrain.put(Grain.MINUTE, Collections.unmodifiableSortedMap(minutes));
    byGrain.put(Grain.HOUR, Collections.unmodifiableSortedMap(rollUp(minutes, Grain.HOUR)));
    byGrain.put(Grain.DAY, Collections.unmodifiableSortedMap(rollUp(minutes, Grain.DAY)));
  }

  /** The oracle of {@code events} (any mix of event types and nulls). */
  public static ApiOracle of(Iterable<?> events) {
    EventValidator validator =
        EventValidator.withClock(Clock.fixed(VALIDATION_NOW, ZoneOffset.UTC));
    Set<String> seen = new HashSet<>();
    Map<ApiKey, Accumulator> acc = new TreeMap<>();
    long counted = 0;
    long duplicates = 0;
    long invalid = 0;
    for (Object o : events) {
      if (!(o instanceof ApiRequestEvent e)) {
        continue;
      }
      if (validator.validate(e).isPresent()) {
        invalid++;
        continue;
      }
      if (!seen.add(e.getEventId())) {
        duplicates++;
        continue;
      }
      counted++;
      ApiKey key =
          new ApiKey(
              e.getTenantId(),
              e.getService(),
              e.getEndpoint(),
              e.getMethod(),
              e.getRegion(),
              Grain.MINUTE,
              Grain.MINUTE.truncate(e.getEventTime()));
      acc.computeIfAbsent(key, k -> new Accumulator()).add(e.getStatusCode(), e.getLatencyUs());
    }
    SortedMap<ApiKey, ApiStats> minutes = new TreeMap<>();
    acc.forEach((k, a) -> minutes.put(k, a.stats()));
    return new ApiOracle(minutes, counted, duplicates, invalid);
  }

  /** Every key of {@code grain} with its stats, in key order. */
  public SortedMap<ApiKey, ApiStats> stats(Grain grain) {
    return byGrain.get(grain);
  }

  /** The stats of {@code key}, or null when no request fell into it. */
  public ApiStats get(ApiKey key) {
    return byGrain.get(key.grain()).get(key);
  }

  /** Distinct valid requests counted. */
  public long counted() {
    return counted;
  }

  /** Valid events skipped because their event_id had been counted already. */
  public long duplicatesIgnored() {
    return duplicates;
  }

  /** API events skipped because the contract's validator rejects them. */
  public long invalidIgnored() {
    return invalid;
  }

  private static SortedMap<ApiKey, ApiStats> rollUp(
      SortedMap<ApiKey, ApiStats> minutes, Grain grain) {
    SortedMap<ApiKey, ApiStats> out = new TreeMap<>();
    minutes.forEach((k, s) -> out.merge(k.rollUp(grain), s, ApiStats::merge));
    return out;
  }

  private static final class Accumulator {
    private long requests;
    private long s5xx;
    private long s4xx;
    private long[] latencies = new long[8];

    void add(int status, long latencyUs) {
      if (status >= 500 && status <= 599) {
        s5xx++;
      } else if (status >= 400 && status <= 499) {
        s4xx++;
      }
      if (requests == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencies.length * 2);
      }
      latencies[(int) requests++] = latencyUs;
    }

    ApiStats stats() {
      return new ApiStats(requests, s5xx, s4xx, Arrays.copyOf(latencies, (int) requests));
    }
  }
}
