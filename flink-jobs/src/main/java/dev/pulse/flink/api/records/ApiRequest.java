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
 * itself, as it is immutable), through {@link TypeFactory}.
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
    String traceId) {

  /**
   * The job's form of a decoded, validated event, its id canonical ({@link
   * DedupKey#canonicalEventId}: lower case), as the raw and late tables store it.
   */
  public static ApiRequest of(ApiRequestEvent e) {
    return new ApiRequest(
        DedupKey.canonicalEventId(e.getEventId()),
        e.getTenantId(),
        e.getEventTime(),
        e.getService(),
        e.getEndpoint(),
        e.getMethod().name(),
        e.getStatusCode(),
        e.getLatencyUs(),
        e.getRegion(),
        e.getTraceId());
  }

  /** The minute-facts grouping key of this request. */
  public ApiKey key() {
    return new ApiKey(tenantId, service, endpoint, method, region);
  }

  /** The deduplication key of this request: its canonical event id in its tenant. */
  public DedupKey dedupKey() {
    return DedupKey.of(tenantId, eventId);
  }

  /** The type information every stream of requests uses. */
  public static final TypeInformation<ApiRequest> TYPE =
      new CompactTypeInfo<>(ApiRequest.class, Serializer.INSTANCE, false);

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
          traceId);
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
}
