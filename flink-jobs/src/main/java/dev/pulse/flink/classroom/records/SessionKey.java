package dev.pulse.flink.classroom.records;

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
 * A classroom session: what the classroom job keys its state by.
 *
 * @param tenantId the institution
 * @param courseId the course (another course with the same session id is another session)
 * @param sessionId the session
 */
@TypeInfo(SessionKey.TypeFactory.class)
public record SessionKey(String tenantId, String courseId, String sessionId) {

  /** The key type of the classroom job's state. */
  public static final TypeInformation<SessionKey> TYPE =
      new CompactTypeInfo<>(SessionKey.class, Serializer.INSTANCE, true);

  /** Flink type information for session keys: {@link Serializer}. */
  public static final class TypeFactory extends TypeInfoFactory<SessionKey> {
    @Override
    public TypeInformation<SessionKey> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /** The three strings as UTF-8 with a length: format {@value #FORMAT}. */
  public static final class Serializer extends ImmutableSerializer<SessionKey> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "tenantId,courseId,sessionId:str; str=i32 UTF-8 length (-1 null) + bytes";

    @Override
    public void serialize(SessionKey k, DataOutputView out) throws IOException {
      writeString(k.tenantId, out);
      writeString(k.courseId, out);
      writeString(k.sessionId, out);
    }

    @Override
    public SessionKey deserialize(DataInputView in) throws IOException {
      return new SessionKey(readString(in), readString(in), readString(in));
    }

    @Override
    public TypeSerializerSnapshot<SessionKey> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<SessionKey> {
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
