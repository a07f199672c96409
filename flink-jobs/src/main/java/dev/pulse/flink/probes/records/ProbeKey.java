package dev.pulse.flink.probes.records;

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
 * The grain of {@code probe_minutes} besides the minute: one row per tenant, target and region. The
 * minute window is keyed by it with {@link Serializer}.
 */
@TypeInfo(ProbeKey.TypeFactory.class)
public record ProbeKey(String tenantId, String target, String region) {

  /** The type information the minute window's keyBy uses. */
  public static final TypeInformation<ProbeKey> TYPE =
      new CompactTypeInfo<>(ProbeKey.class, Serializer.INSTANCE, true);

  /** Flink type information for keys: {@link Serializer}, usable as a key. */
  public static final class TypeFactory extends TypeInfoFactory<ProbeKey> {
    @Override
    public TypeInformation<ProbeKey> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /** The three strings in order, as UTF-8 with a length: format {@value #FORMAT}. */
  public static final class Serializer extends ImmutableSerializer<ProbeKey> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "tenantId,target,region:str; str=i32 UTF-8 length (-1 null) + bytes";

    @Override
    public void serialize(ProbeKey k, DataOutputView out) throws IOException {
      writeString(k.tenantId, out);
      writeString(k.target, out);
      writeString(k.region, out);
    }

    @Override
    public ProbeKey deserialize(DataInputView in) throws IOException {
      return new ProbeKey(readString(in), readString(in), readString(in));
    }

    @Override
    public TypeSerializerSnapshot<ProbeKey> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<ProbeKey> {
      public Snapshot() {
        super(FORMAT, LAYOUT, () -> INSTANCE);
      }

      @Override
      protected String unversionedLayout() {
        return LAYOUT;
      }
    }
  }
}
