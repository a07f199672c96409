package dev.pulse.flink.common;

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
 * An event id (a validated UUID string in canonical 8-4-4-4-12 form, either case) in exact, compact
 * form: its 128 bits plus which of its 32 hex digits were upper-case letters.
 *
 * <p>Exact, not a hash: two keys are equal exactly when their strings are equal ({@link #toString}
 * gives the string back). Deduplication does not use the letter case: {@link DedupKey} takes the
 * 128 bits (the canonical id) and folds the tenant in. This class parses the string for it in a few
 * instructions.
 *
 * @param hi the first 16 hex digits as 64 bits
 * @param lo the last 16 hex digits as 64 bits
 * @param upperCase bit i set when hex digit i (0 = first) is an upper-case letter
 */
@TypeInfo(EventKey.TypeFactory.class)
public record EventKey(long hi, long lo, int upperCase) {

  private static final int[] DASHES = {8, 13, 18, 23};
  private static final int LENGTH = 36;

  /**
   * The key of a canonical UUID string (8-4-4-4-12 hex digits, either case).
   *
   * @throws IllegalArgumentException when {@code uuid} is not in that form (the validator lets no
   *     such event through, so this means a bug upstream)
   */
  public static EventKey of(String uuid) {
    if (uuid.length() != LENGTH) {
      throw notUuid(uuid);
    }
    long hi = 0;
    long lo = 0;
    int upper = 0;
    int digit = 0;
    for (int i = 0; i < LENGTH; i++) {
      char c = uuid.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          throw notUuid(uuid);
        }
        continue;
      }
      int v;
      if (c >= '0' && c <= '9') {
        v = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
        upper |= 1 << digit;
      } else {
        throw notUuid(uuid);
      }
      if (digit < 16) {
        hi = (hi << 4) | v;
      } else {
        lo = (lo << 4) | v;
      }
      digit++;
    }
    return new EventKey(hi, lo, upper);
  }

  /** The UUID string this key was made from, letter case included. */
  @Override
  public String toString() {
    char[] out = new char[LENGTH];
    int digit = 0;
    int dash = 0;
    for (int i = 0; i < LENGTH; i++) {
      if (dash < DASHES.length && i == DASHES[dash]) {
        out[i] = '-';
        dash++;
        continue;
      }
      long word = digit < 16 ? hi : lo;
      int v = (int) (word >>> (4 * (15 - (digit & 15)))) & 0xF;
      char base = (upperCase & (1 << digit)) != 0 ? 'A' : 'a';
      out[i] = v < 10 ? (char) ('0' + v) : (char) (base + v - 10);
      digit++;
    }
    return new String(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventKey k && k.hi == hi && k.lo == lo && k.upperCase == upperCase;
  }

  /** All 128 bits and the case bits mixed in (Flink murmur-hashes it again for key groups). */
  @Override
  public int hashCode() {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo;
    return (int) (h ^ (h >>> 32)) ^ upperCase;
  }

  private static IllegalArgumentException notUuid(String s) {
    return new IllegalArgumentException("not a canonical UUID: \"" + s + "\"");
  }

  /** Flink type information: {@link Serializer}, usable as a key. */
  public static final class TypeFactory extends TypeInfoFactory<EventKey> {
    @Override
    public TypeInformation<EventKey> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /** The type information {@code keyBy} and state use for event keys. */
  public static final TypeInformation<EventKey> TYPE =
      new CompactTypeInfo<>(EventKey.class, Serializer.INSTANCE, true);

  /**
   * Fixed 20 bytes: hi, lo, upper-case bits; format {@value #FORMAT}, {@link #LAYOUT}.
   *
   * <p>The format version is in the snapshot only: a byte per key would cost 5 % of every key, and
   * a key format cannot be migrated by Flink anyway, so a change must fail the restore ({@link
   * Snapshot}). (This serializer is in no state: the dedup keeps {@link DedupKey}s.)
   */
  public static final class Serializer extends ImmutableSerializer<EventKey> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT = "hi:i64, lo:i64, upperCase:i32 (20 bytes)";

    @Override
    public int getLength() {
      return 20;
    }

    @Override
    public void serialize(EventKey k, DataOutputView out) throws IOException {
      out.writeLong(k.hi);
      out.writeLong(k.lo);
      out.writeInt(k.upperCase);
    }

    @Override
    public EventKey deserialize(DataInputView in) throws IOException {
      return new EventKey(in.readLong(), in.readLong(), in.readInt());
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      target.write(source, 20);
    }

    @Override
    public TypeSerializerSnapshot<EventKey> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<EventKey> {
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
