package dev.pulse.flink.api.records;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.common.DedupKey;
import dev.pulse.flink.common.types.CompactTypeInfo;
import dev.pulse.flink.common.types.FormatSnapshot;
import dev.pulse.flink.common.types.ImmutableSerializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One validated API request event, as the job carries it and as it lands in the raw api-requests
 * table: the fields of {@code ApiRequestEvent}, the event id canonical, the method as its enum
 * name.
 *
 * <p>Flink carries it with {@link Serializer} (field by field, no reflection; a copy is the record
 * itself, as it is immutable), through {@link TypeFactory}; between the split and the dedup with
 * {@link KeyedSerializer} ({@link #KEYED_TYPE}), which carries its {@link DedupKey} too.
 *
 * <p>The dedup key is made once, where the request is made from the decoded event ({@link #of}),
 * and carried to the dedup in the record: the keyBy's key selector (at the sender and again at the
 * receiver, to set the key context) and the dedup function all read it instead of parsing the event
 * id and hashing the tenant three times per event. It is derived from {@code tenantId} and {@code
 * eventId} and is no part of the value: {@link #equals}, {@link #hashCode} and {@link #toString}
 * are over the ten fields only.
 *
 * @param eventId UUID, the deduplication key (within the tenant); canonical (lower case) when made
 *     by {@link #of}
 * @param tenantId the institution
 * @param eventTime when the request completed (producer clock)
 * @param service serving service
 * @param endpoint route template
 * @param method HTTP method name (OTHER for unlisted methods)
 * @param statusCode HTTP status, 100..599
 * @param latencyUs latency in microseconds
 * @param region serving region, empty when not reported
 * @param traceId distributed trace id, or null
 * @param dedupKey {@code DedupKey.of(tenantId, eventId)} when already known, or null (then {@link
 *     #dedupKey()} computes it at each call)
 */
@TypeInfo(ApiRequest.TypeFactory.class)
public record ApiRequest(
    String eventId,
    String tenantId,
    Instant eventTime,
    String service,
    String endpoint,
    String method,
    int statusCode,
    long latencyUs,
    String region,
    String traceId,
    DedupKey dedupKey) {

  /** A request whose dedup key is computed when asked for ({@link #dedupKey()}). */
  public ApiRequest(
      String eventId,
      String tenantId,
      Instant eventTime,
      String service,
      String endpoint,
      String method,
      int statusCode,
      long latencyUs,
      String region,
      String traceId) {
    this(
        eventId,
        tenantId,
        eventTime,
        service,
        endpoint,
        method,
        statusCode,
        latencyUs,
        region,
        traceId,
        null);
  }

  /**
   * The job's form of a decoded, validated event, its id canonical ({@link
   * DedupKey#canonicalEventId}: lower case), as the raw and late tables store it.
   */
  public static ApiRequest of(ApiRequestEvent e) {
    String eventId = DedupKey.canonicalEventId(e.getEventId());
    return new ApiRequest(
        eventId,
        e.getTenantId(),
        e.getEventTime(),
        e.getService(),
        e.getEndpoint(),
        e.getMethod().name(),
        e.getStatusCode(),
        e.getLatencyUs(),
        e.getRegion(),
        e.getTraceId(),
        DedupKey.of(e.getTenantId(), eventId));
  }

  /** The minute-facts grouping key of this request. */
  public ApiKey key() {
    return new ApiKey(tenantId, service, endpoint, method, region);
  }

  /**
   * The deduplication key of this request: its canonical event id in its tenant; the one it carries
   * when it has one, otherwise computed.
   *
   * @throws IllegalArgumentException when it carries none and {@code eventId} is not a UUID
   */
  @Override
  public DedupKey dedupKey() {
    return dedupKey != null ? dedupKey : DedupKey.of(tenantId, eventId);
  }

  /** Equal when the ten fields are (the dedup key follows from them). */
  @Override
  public boolean equals(Object o) {
    return o instanceof ApiRequest r
        && statusCode == r.statusCode
        && latencyUs == r.latencyUs
        && Objects.equals(eventId, r.eventId)
        && Objects.equals(tenantId, r.tenantId)
        && Objects.equals(eventTime, r.eventTime)
        && Objects.equals(service, r.service)
        && Objects.equals(endpoint, r.endpoint)
        && Objects.equals(method, r.method)
        && Objects.equals(region, r.region)
        && Objects.equals(traceId, r.traceId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        eventId,
        tenantId,
        eventTime,
        service,
        endpoint,
        method,
        statusCode,
        latencyUs,
        region,
        traceId);
  }

  /** The ten fields, as the record of ten components wrote them. */
  @Override
  public String toString() {
    return "ApiRequest[eventId="
        + eventId
        + ", tenantId="
        + tenantId
        + ", eventTime="
        + eventTime
        + ", service="
        + service
        + ", endpoint="
        + endpoint
        + ", method="
        + method
        + ", statusCode="
        + statusCode
        + ", latencyUs="
        + latencyUs
        + ", region="
        + region
        + ", traceId="
        + traceId
        + "]";
  }

  /** The type information every stream of requests uses. */
  public static final TypeInformation<ApiRequest> TYPE =
      new CompactTypeInfo<>(ApiRequest.class, Serializer.INSTANCE, false);

  /**
   * The type information of the requests between the split and the dedup: {@link KeyedSerializer},
   * so the dedup key crosses that shuffle with the request. Only there: the window needs no dedup
   * key, so from the dedup on the requests are {@link #TYPE}.
   */
  public static final TypeInformation<ApiRequest> KEYED_TYPE =
      new CompactTypeInfo<>(ApiRequest.class, KeyedSerializer.INSTANCE, false);

  /** Flink type information for requests: {@link Serializer}. */
  public static final class TypeFactory extends TypeInfoFactory<ApiRequest> {
    @Override
    public TypeInformation<ApiRequest> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /**
   * Fields in declaration order; strings as UTF-8 with a length (null-safe, for the trace id), the
   * event time as epoch seconds and nanoseconds: format {@value #FORMAT}, {@link #LAYOUT}.
   *
   * <p>The format version is in the snapshot only, not in each record: requests cross two shuffles,
   * where sender and receiver run the same code, and the job keeps none in state; if one ever is,
   * Flink reads it back with the restored {@link Snapshot}'s serializer, which reads the format it
   * recorded or fails the restore.
   */
  public static final class Serializer extends ImmutableSerializer<ApiRequest> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "eventId,tenantId:str; eventTime:i64 epochSecond,i32 nano; service,endpoint,method:str;"
            + " statusCode:i32; latencyUs:i64 MICROSECONDS; region,traceId:str;"
            + " str=i32 UTF-8 length (-1 null) + bytes";

    @Override
    public void serialize(ApiRequest r, DataOutputView out) throws IOException {
      writeFields(r, out);
    }

    /** The ten fields, as format {@value #FORMAT} writes them. */
    static void writeFields(ApiRequest r, DataOutputView out) throws IOException {
      writeString(r.eventId, out);
      writeString(r.tenantId, out);
      out.writeLong(r.eventTime.getEpochSecond());
      out.writeInt(r.eventTime.getNano());
      writeString(r.service, out);
      writeString(r.endpoint, out);
      writeString(r.method, out);
      out.writeInt(r.statusCode);
      out.writeLong(r.latencyUs);
      writeString(r.region, out);
      writeString(r.traceId, out);
    }

    @Override
    public ApiRequest deserialize(DataInputView in) throws IOException {
      return readFields(in, null);
    }

    /** Reads the ten fields {@link #writeFields} wrote, into a request carrying {@code key}. */
    static ApiRequest readFields(DataInputView in, DedupKey key) throws IOException {
      String eventId = readString(in);
      String tenantId = readString(in);
      long seconds = in.readLong();
      Instant eventTime = Instant.ofEpochSecond(seconds, in.readInt());
      String service = readString(in);
      String endpoint = readString(in);
      String method = readString(in);
      int statusCode = in.readInt();
      long latencyUs = in.readLong();
      String region = readString(in);
      String traceId = readString(in);
      return new ApiRequest(
          eventId,
          tenantId,
          eventTime,
          service,
          endpoint,
          method,
          statusCode,
          latencyUs,
          region,
          traceId,
          key);
    }

    @Override
    public TypeSerializerSnapshot<ApiRequest> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<ApiRequest> {
      public Snapshot() {
        super(FORMAT, LAYOUT, () -> INSTANCE);
      }

      /** Format 1 is the current one: the bytes of 812caae. */
      @Override
      protected String unversionedLayout() {
        return LAYOUT;
      }
    }
  }

  /**
   * The request's dedup key (16 bytes: hi, lo), then its ten fields as {@link Serializer} format
   * {@value Serializer#FORMAT} writes them: format {@value #FORMAT}, {@link #LAYOUT}. The wire form
   * of the split-to-dedup shuffle ({@link #KEYED_TYPE}), so the receiver's key selector and the
   * dedup read the key instead of computing it again.
   *
   * <p>In no state: requests cross that shuffle only, where sender and receiver run the same code
   * (the dedup keeps {@link DedupKey}s, and emits {@link #TYPE}). A request that carries no key
   * (one not made by {@link ApiRequest#of}, e.g. a test's) gets it computed here, as the key
   * selector before did.
   */
  public static final class KeyedSerializer extends ImmutableSerializer<ApiRequest> {
    private static final long serialVersionUID = 1L;
    public static final KeyedSerializer INSTANCE = new KeyedSerializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "dedupKey:i64 hi,i64 lo (" + DedupKey.Serializer.LAYOUT + "); " + Serializer.LAYOUT;

    @Override
    public void serialize(ApiRequest r, DataOutputView out) throws IOException {
      DedupKey key = r.dedupKey();
      out.writeLong(key.hi());
      out.writeLong(key.lo());
      Serializer.writeFields(r, out);
    }

    @Override
    public ApiRequest deserialize(DataInputView in) throws IOException {
      DedupKey key = new DedupKey(in.readLong(), in.readLong());
      return Serializer.readFields(in, key);
    }

    @Override
    public TypeSerializerSnapshot<ApiRequest> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link KeyedSerializer} for them. */
    public static final class Snapshot extends FormatSnapshot<ApiRequest> {
      public Snapshot() {
        super(FORMAT, LAYOUT, () -> INSTANCE);
      }

      /** Introduced with FormatSnapshot: there are no unversioned snapshots of it. */
      @Override
      protected String unversionedLayout() {
        return LAYOUT;
      }
    }
  }
}
