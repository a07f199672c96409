package dev.pulse.flink.api.records;

import dev.pulse.flink.common.types.CompactTypeInfo;
import dev.pulse.flink.common.types.FormatSnapshot;
import dev.pulse.flink.common.types.ImmutableSerializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The grain of the API minute facts besides the minute itself: one row per tenant, service,
 * endpoint, method and region. Flink keys the minute window by it with {@link Serializer} (no
 * reflection).
 */
@TypeInfo(ApiKey.TypeFactory.class)
public record ApiKey(
    String tenantId, String service, String endpoint, String method, String region) {

  /** The type information the minute window's keyBy uses. */
  public static final TypeInformation<ApiKey> TYPE =
      new CompactTypeInfo<>(ApiKey.class, Serializer.INSTANCE, true);

  /** Flink type information for keys: {@link Serializer}, usable as a key. */
  public static final class TypeFactory extends TypeInfoFactory<ApiKey> {
    @Override
    public TypeInformation<ApiKey> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /**
   * The five strings in order, as UTF-8 with a length: format {@value #FORMAT}, {@link #LAYOUT}.
   *
   * <p>The format version is in the snapshot only, not in each key: keys cross a shuffle per
   * request, and Flink can neither migrate a key serializer nor restore window state under a key
   * format other than the recorded one, so a format change must fail the restore ({@link
   * Snapshot}), not be read per key.
   */
  public static final class Serializer extends ImmutableSerializer<ApiKey> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "tenantId,service,endpoint,method,region:str; str=i32 UTF-8 length (-1 null) + bytes";

    @Override
    public void serialize(ApiKey k, DataOutputView out) throws IOException {
      writeString(k.tenantId, out);
      writeString(k.service, out);
      writeString(k.endpoint, out);
      writeString(k.method, out);
      writeString(k.region, out);
    }

    @Override
    public ApiKey deserialize(DataInputView in) throws IOException {
      String tenantId = readString(in);
      String service = readString(in);
      String endpoint = readString(in);
      String method = readString(in);
      return new ApiKey(tenantId, service, endpoint, method, readString(in));
    }

    @Override
    public TypeSerializerSnapshot<ApiKey> snapshotConfiguration() {
      return new Snapshot();
    }

    /**
     * Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. The window
     * state and its timers are keyed by this type, so their restore checks it.
     */
    public static final class Snapshot extends FormatSnapshot<ApiKey> {
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
