package dev.pulse.oracle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The expected value of every API metric Pulse serves, recounted in plain Java from the Kafka
 * values themselves, sharing no code with the pipeline (codec, validator, job, sink or API): per
 * (tenant, service, endpoint, method, region) and UTC minute, hour and day, the request count, 5xx
 * and 4xx counts, and exact latencies.
 *
 * <p>Input rules, the ones the contract states and a correct pipeline follows: each value is read
 * by {@link ApiWire} (the oracle's own reading of the wire format) and judged by {@link
 * ApiContract} (the oracle's own statement of the validity rules) at the ingest time given; a value
 * that breaks a rule is not counted; a valid event whose tenant and canonical (lower-case) event_id
 * were counted before is a duplicate and counted once (the first delivery wins). Late events are
 * counted like any other: the oracle answers "all valid events"; a test that wants the on-time view
 * passes only the on-time records.
 *
 * <p>Hour and day figures are computed from the merged populations, so their percentiles are exact
 * too (not averages of minute percentiles).
 */
public final class ApiOracle {

  private final Map<Grain, SortedMap<ApiKey, ApiStats>> byGrain = new EnumMap<>(Grain.class);
  private final List<ApiEvent> counted;
  private final long duplicates;
  private final long invalid;

  private ApiOracle(
      SortedMap<ApiKey, ApiStats> minutes, List<ApiEvent> counted, long duplicates, long invalid) {
    this.counted = List.copyOf(counted);
    this.duplicates = duplicates;
    this.invalid = invalid;
    byGrain.put(Grain.MINUTE, Collections.unmodifiableSortedMap(minutes));
    byGrain.put(Grain.HOUR, Collections.unmodifiableSortedMap(rollUp(minutes, Grain.HOUR)));
    byGrain.put(Grain.DAY, Collections.unmodifiableSortedMap(rollUp(minutes, Grain.DAY)));
  }

  /**
   * The verdict on one Kafka value of {@code pulse.api.requests} ingested at {@code now}, under the
   * contract's standard rules.
   */
  public static Verdict judge(byte[] value, Instant now) {
    return ApiWire.read(value, now, ApiContract.standard());
  }

  /**
   * The oracle of Kafka values of {@code pulse.api.requests} in delivery order, duplicates
   * included, all ingested at {@code now} (only the future bounds depend on it).
   */
  public static ApiOracle ofRecords(Iterable<byte[]> values, Instant now) {
    List<Verdict> verdicts = new ArrayList<>();
    for (byte[] v : values) {
      verdicts.add(judge(v, now));
    }
    return of(verdicts);
  }

  /**
   * The oracle of events the test built itself (no wire format involved), judged by the contract's
   * standard rules at {@code now}.
   */
  public static ApiOracle ofEvents(Iterable<ApiEvent> events, Instant now) {
    ApiContract contract = ApiContract.standard();
    List<Verdict> verdicts = new ArrayList<>();
    for (ApiEvent e : events) {
      verdicts.add(new Verdict(e, contract.violations(e, now)));
    }
    return of(verdicts);
  }

  /** The oracle of verdicts in delivery order: valid events counted once each. */
  public static ApiOracle of(List<Verdict> verdicts) {
    Set<String> seen = new HashSet<>();
    Map<ApiKey, Accumulator> acc = new TreeMap<>();
    List<ApiEvent> counted = new ArrayList<>();
    long duplicates = 0;
    long invalid = 0;
    for (Verdict v : verdicts) {
      if (!v.valid()) {
        invalid++;
        continue;
      }
      ApiEvent e = v.event();
      if (!seen.add(e.dedupKey())) {
        duplicates++;
        continue;
      }
      counted.add(e);
      ApiKey key =
          new ApiKey(
              e.tenantId(),
              e.service(),
              e.endpoint(),
              e.method(),
              e.region(),
              Grain.MINUTE,
              Grain.MINUTE.truncate(Instant.ofEpochMilli(e.eventTimeMs())));
      acc.computeIfAbsent(key, k -> new Accumulator()).add(e.statusCode(), e.latencyUs());
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
    return counted.size();
  }

  /** The distinct valid requests counted, each as first delivered, in delivery order. */
  public List<ApiEvent> countedEvents() {
    return counted;
  }

  /** Valid events skipped because their tenant and canonical event_id had been counted already. */
  public long duplicatesIgnored() {
    return duplicates;
  }

  /** Records skipped because they break a rule of the contract. */
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
