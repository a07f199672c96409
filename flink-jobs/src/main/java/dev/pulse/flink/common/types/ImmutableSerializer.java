package dev.pulse.flink.common.types;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A hand-written Flink serializer for an immutable record type: copies are the record itself (so
 * chained operators and state never clone it), and the wire form is written field by field without
 * reflection. Subclasses say how the fields are written and read.
 *
 * <p>Why not Flink's POJO serializer for Java records: it reads each field through reflection and
 * rebuilds the record through a reflective constructor call per element, which the benchmark showed
 * among the largest costs of the keyBy shuffles (benchmarks/README.md).
 *
 * @param <T> an immutable type (records whose fields are immutable)
 */
public abstract class ImmutableSerializer<T> extends TypeSerializerSingleton<T> {

  private static final long serialVersionUID = 1L;

  @Override
  public final boolean isImmutableType() {
    return true;
  }

  @Override
  public final T copy(T from) {
    return from;
  }

  @Override
  public final T copy(T from, T reuse) {
    return from;
  }

  @Override
  public T createInstance() {
    return null;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public final T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  /**
   * Writes a string, or null, as its UTF-8 length (-1 for null) and bytes. Part of every subclass's
   * format ({@link FormatSnapshot}): a change here is a new format for all of them. Not Flink's
   * {@code StringValue}: that one reads through a thread-local buffer, which the benchmark's
   * profile showed as a hot spot (thread-local map misses in a JVM with many threads).
   */
  public static void writeString(String s, DataOutputView out) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  /** Reads what {@link #writeString} wrote. */
  public static String readString(DataInputView in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
