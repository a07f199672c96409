package dev.pulse.flink.playback.records;

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
 * A view: what the playback job keys its state by.
 *
 * @param tenantId the institution
 * @param viewId the view
 */
@TypeInfo(ViewKey.TypeFactory.class)
public record ViewKey(String tenantId, String viewId) {

  /** The key type of the playback job's state. */
  public static final TypeInformation<ViewKey> TYPE =
      new CompactTypeInfo<>(ViewKey.class, Serializer.INSTANCE, true);

  /** Flink type information for view keys: {@link Serializer}. */
  public static final class TypeFactory extends TypeInfoFactory<ViewKey> {
    @Override
    public TypeInformation<ViewKey> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /** The two strings as UTF-8 with a length: format {@value #FORMAT}. */
  public static final class Serializer extends ImmutableSerializer<ViewKey> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "tenantId,viewId:str; str=i32 UTF-8 length (-1 null) + bytes";

    @Override
    public void serialize(ViewKey k, DataOutputView out) throws IOException {
      writeString(k.tenantId, out);
      writeString(k.viewId, out);
    }

    @Override
    public ViewKey deserialize(DataInputView in) throws IOException {
      return new ViewKey(readString(in), readString(in));
    }

    @Override
    public TypeSerializerSnapshot<ViewKey> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<ViewKey> {
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
