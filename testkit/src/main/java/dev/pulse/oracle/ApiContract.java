package dev.pulse.oracle;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * The validity rules of an API request event, written here from the documented contract
 * (event-schemas/README.md "Validation rules", the {@code .avsc} docs and flink-jobs/README.md
 * {@code max-future}), not taken from the pipeline's validator or its constants: if a production
 * constant changes, the oracle keeps the contract's value and the tests comparing the two fail.
 *
 * <ul>
 *   <li>{@code event_id}, {@code tenant_id}, {@code service}, {@code endpoint} (the string fields
 *       without a schema default) must not be empty: {@link Violation#MISSING_FIELD}.
 *   <li>Every string at most 128 chars, {@code endpoint} at most 512; a char is a UTF-16 code unit,
 *       as Java and Avro's String count it (an emoji is 2): {@link Violation#OVERSIZED}.
 *   <li>{@code event_id} is a UUID in its 8-4-4-4-12 hexadecimal form, either case: {@link
 *       Violation#INVALID_VALUE}.
 *   <li>{@code status_code} in 100..599; {@code latency_us} in 0..3,599,999,999 (under one hour):
 *       {@link Violation#INVALID_VALUE}.
 *   <li>{@code event_time} not before 2000-01-01T00:00:00Z and not more than one day after the
 *       ingest clock: {@link Violation#ABSURD_TIMESTAMP}; not more than {@code max-future} (10 s by
 *       default) ahead of the ingest clock: {@link Violation#FUTURE_EVENT_TIME}.
 *   <li>Any {@code method} symbol of the schema is valid ({@code OTHER} included); {@code region}
 *       may be empty; {@code trace_id} may be null.
 * </ul>
 *
 * <p>The byte-level rules (empty, over 64 KiB, marker, fingerprint, body) are in {@link ApiWire}.
 */
public final class ApiContract {

  /** Events before this are clock errors (an unset clock reads 1970). */
  public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  /** Further than this after the ingest clock, an event time is absurd. */
  public static final Duration ABSURD_AHEAD = Duration.ofDays(1);

  /** The Flink jobs' documented default {@code max-future}: the consumer's bound. */
  public static final Duration MAX_FUTURE = Duration.ofSeconds(10);

  /** Limit of every string field but {@code endpoint}, in UTF-16 code units. */
  public static final int MAX_CHARS = 128;

  /** Limit of {@code endpoint} (a route template), in UTF-16 code units. */
  public static final int MAX_ENDPOINT_CHARS = 512;

  /** Limit of a whole Kafka value, header included. */
  public static final int MAX_RECORD_BYTES = 64 * 1024;

  /** HTTP status codes. */
  public static final int MIN_STATUS = 100;

  public static final int MAX_STATUS = 599;

  /** A request that took an hour or more is a broken measurement. */
  public static final long MAX_LATENCY_US_EXCLUSIVE = 3_600_000_000L;

  private final Duration maxFuture;

  private ApiContract(Duration maxFuture) {
    if (maxFuture.isNegative()) {
      throw new IllegalArgumentException("maxFuture must not be negative, got " + maxFuture);
    }
    this.maxFuture = maxFuture;
  }

  /** The rules with the documented default {@code max-future} of 10 s. */
  public static ApiContract standard() {
    return new ApiContract(MAX_FUTURE);
  }

  /** The rules for a consumer configured with another {@code max-future}. */
  public static ApiContract withMaxFuture(Duration maxFuture) {
    return new ApiContract(maxFuture);
  }

  /** Every rule {@code e} breaks when it is ingested at {@code now}; empty when it is valid. */
  public Set<Violation> violations(ApiEvent e, Instant now) {
    Set<Violation> broken = EnumSet.noneOf(Violation.class);
    required(e.eventId(), broken);
    required(e.tenantId(), broken);
    required(e.service(), broken);
    required(e.endpoint(), broken);
    limit(e.eventId(), MAX_CHARS, broken);
    limit(e.tenantId(), MAX_CHARS, broken);
    limit(e.service(), MAX_CHARS, broken);
    limit(e.endpoint(), MAX_ENDPOINT_CHARS, broken);
    limit(e.region(), MAX_CHARS, broken);
    if (e.traceId() != null) {
      limit(e.traceId(), MAX_CHARS, broken);
    }
    if (!e.eventId().isEmpty() && !isUuid(e.eventId())) {
      broken.add(Violation.INVALID_VALUE);
    }
    if (e.statusCode() < MIN_STATUS || e.statusCode() > MAX_STATUS) {
      broken.add(Violation.INVALID_VALUE);
    }
    if (e.latencyUs() < 0 || e.latencyUs() >= MAX_LATENCY_US_EXCLUSIVE) {
      broken.add(Violation.INVALID_VALUE);
    }
    long t = e.eventTimeMs();
    long nowMs = now.toEpochMilli();
    // Compared as epoch milliseconds: any long is a possible event time on the wire, and "now"
    // plus a bound of days cannot overflow.
    if (t < EARLIEST.toEpochMilli() || t > nowMs + ABSURD_AHEAD.toMillis()) {
      broken.add(Violation.ABSURD_TIMESTAMP);
    }
    if (t > nowMs + maxFuture.toMillis()) {
      broken.add(Violation.FUTURE_EVENT_TIME);
    }
    return broken;
  }

  private static void required(String s, Set<Violation> broken) {
    if (s.isEmpty()) {
      broken.add(Violation.MISSING_FIELD);
    }
  }

  private static void limit(String s, int maxUtf16Units, Set<Violation> broken) {
    if (s.length() > maxUtf16Units) {
      broken.add(Violation.OVERSIZED);
    }
  }

  /** 8-4-4-4-12 hexadecimal digits, upper or lower case, hyphens at 8, 13, 18 and 23. */
  static boolean isUuid(String s) {
    return s.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  }
}
