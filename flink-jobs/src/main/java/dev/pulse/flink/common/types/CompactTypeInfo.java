package dev.pulse.flink.common.types;

import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for a type with its own hand-written serializer (such as an {@link
 * ImmutableSerializer}): one opaque field to Flink (no field expressions), usable as a key when the
 * type defines value equality and a good hash code.
 *
 * @param <T> the record type
 */
public final class CompactTypeInfo<T> extends TypeInformation<T> {

  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private final TypeSerializer<T> serializer;
  private final boolean keyType;

  /**
   * @param type the record class
   * @param serializer its serializer (stateless)
   * @param keyType whether the type may be a {@code keyBy} key (value equals and hashCode)
   */
  public CompactTypeInfo(Class<T> type, TypeSerializer<T> serializer, boolean keyType) {
    this.type = Objects.requireNonNull(type, "type");
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    this.keyType = keyType;
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<T> getTypeClass() {
    return type;
  }

  @Override
  public boolean isKeyType() {
    return keyType;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return serializer;
  }

  @Override
  public String toString() {
    return "CompactTypeInfo<" + type.getName() + ">";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompactTypeInfo<?> other
        && other.canEqual(this)
        && type == other.type
        && keyType == other.keyType;
  }

  @Override
  public int hashCode() {
    return type.hashCode() * 31 + (keyType ? 1 : 0);
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof CompactTypeInfo;
  }
}
