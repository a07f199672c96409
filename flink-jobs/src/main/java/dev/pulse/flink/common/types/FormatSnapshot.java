package dev.pulse.flink.common.types;

import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a hand-written serializer whose bytes have a format version: it records that
 * version and the layout the format depends on (a short text such as {@code
 * "entryBytes=28;time=MILLISECONDS;buckets=16384"}), restores a serializer that reads exactly that
 * format, and resolves a restored snapshot as compatible as is only when both are the current ones.
 *
 * <p>Why: with Flink's {@code SimpleTypeSerializerSnapshot} a serializer whose bytes changed still
 * resolves "compatible as is" against an old savepoint, which is then read as garbage. Here a
 * different format or layout resolves "compatible after migration" when the subclass still has a
 * reader for it ({@link #serializerFor}; Flink reads the old state with it and writes the new
 * format), and "incompatible" otherwise, so the restore fails loudly.
 *
 * <p>Snapshot versions: 1-3 are {@code SimpleTypeSerializerSnapshot}'s, which every hand-written
 * serializer used up to commit 812caae (3 writes nothing); keeping the snapshot classes' names lets
 * such a savepoint restore: it stands for format 1 with {@link #unversionedLayout}. 4 writes the
 * format version (int) and the layout (modified UTF-8).
 *
 * <p>Changing a serializer's bytes: give it a new format number (and layout), keep a reader for the
 * old format in {@link #serializerFor} if its state must survive, and add golden files for the new
 * format beside the old ones ({@code SerializerGoldenTest}).
 *
 * @param <T> the serialized type
 */
public abstract class FormatSnapshot<T> implements TypeSerializerSnapshot<T> {

  /** The version of {@code SimpleTypeSerializerSnapshot} that the unversioned formats wrote. */
  public static final int UNVERSIONED = 3;

  /** This class's snapshot version: format version and layout. */
  public static final int VERSION = 4;

  private final int currentFormat;
  private final String currentLayout;
  private final Supplier<? extends TypeSerializer<T>> currentSerializer;
  private int format;
  private String layout;

  /**
   * A snapshot of the current format; {@link #readSnapshot} replaces format and layout by the
   * restored ones.
   *
   * @param currentFormat the format the current serializer writes
   * @param currentLayout the layout parameters of that format
   * @param currentSerializer the current serializer (a supplier, as snapshots are created while
   *     their serializer class initializes)
   */
  protected FormatSnapshot(
      int currentFormat,
      String currentLayout,
      Supplier<? extends TypeSerializer<T>> currentSerializer) {
    this.currentFormat = currentFormat;
    this.currentLayout = Objects.requireNonNull(currentLayout, "currentLayout");
    this.currentSerializer = Objects.requireNonNull(currentSerializer, "currentSerializer");
    this.format = currentFormat;
    this.layout = currentLayout;
  }

  /**
   * Makes this a snapshot of an older format, for a serializer that still writes it (a reader kept
   * for migration, which Flink may snapshot while its state has not been re-registered).
   */
  protected final void recordOlderFormat(int olderFormat, String olderLayout) {
    this.format = olderFormat;
    this.layout = Objects.requireNonNull(olderLayout, "olderLayout");
  }

  /**
   * The layout of format 1, which the snapshots written before formats were versioned stand for.
   * Never changes once released.
   */
  protected abstract String unversionedLayout();

  /**
   * A serializer that reads (and writes) {@code format} with {@code layout}, or null when this code
   * cannot read it. The default knows the current format only; override to keep old readers.
   */
  protected TypeSerializer<T> serializerFor(int format, String layout) {
    return format == currentFormat && layout.equals(currentLayout) ? currentSerializer.get() : null;
  }

  /**
   * Why this code cannot read {@code format} with {@code layout} (when {@link #serializerFor} has
   * no reader), appended to the restore error: what to do instead. The default says nothing more.
   */
  protected String whyUnreadable(int format, String layout) {
    return "";
  }

  /** The format version this snapshot records. */
  public final int format() {
    return format;
  }

  /** The layout parameters this snapshot records. */
  public final String layout() {
    return layout;
  }

  @Override
  public final int getCurrentVersion() {
    return VERSION;
  }

  @Override
  public final void writeSnapshot(DataOutputView out) throws IOException {
    out.writeInt(format);
    out.writeUTF(layout);
  }

  @Override
  public final void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
      throws IOException {
    switch (readVersion) {
      case UNVERSIONED -> {
        format = 1;
        layout = unversionedLayout();
      }
      case VERSION -> {
        format = in.readInt();
        layout = in.readUTF();
      }
      default ->
          throw new IOException(
              getClass().getName()
                  + ": snapshot version "
                  + readVersion
                  + " unknown (this code reads "
                  + UNVERSIONED
                  + " and "
                  + VERSION
                  + ")");
    }
  }

  /**
   * @throws IllegalStateException when this code has no reader for the recorded format
   */
  @Override
  public final TypeSerializer<T> restoreSerializer() {
    TypeSerializer<T> serializer = serializerFor(format, layout);
    if (serializer == null) {
      throw new IllegalStateException(
          "no serializer reads " + this + whyUnreadable(format, layout));
    }
    return serializer;
  }

  @Override
  public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
      TypeSerializerSnapshot<T> oldSerializerSnapshot) {
    if (oldSerializerSnapshot == null || oldSerializerSnapshot.getClass() != getClass()) {
      return TypeSerializerSchemaCompatibility.incompatible();
    }
    FormatSnapshot<T> old = (FormatSnapshot<T>) oldSerializerSnapshot;
    if (old.format == currentFormat && old.layout.equals(currentLayout)) {
      return TypeSerializerSchemaCompatibility.compatibleAsIs();
    }
    return serializerFor(old.format, old.layout) != null
        ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
        : TypeSerializerSchemaCompatibility.incompatible();
  }

  @Override
  public final boolean equals(Object o) {
    return o != null
        && o.getClass() == getClass()
        && ((FormatSnapshot<?>) o).format == format
        && ((FormatSnapshot<?>) o).layout.equals(layout);
  }

  @Override
  public final int hashCode() {
    return getClass().hashCode() * 31 + format * 17 + layout.hashCode();
  }

  /** Named in Flink's migration errors: which type, format and layout. */
  @Override
  public final String toString() {
    return getClass().getName() + "{format=" + format + ", layout=" + layout + "}";
  }
}
