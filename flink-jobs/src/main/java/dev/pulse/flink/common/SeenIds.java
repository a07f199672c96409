package dev.pulse.flink.common;

import dev.pulse.flink.common.types.CompactTypeInfo;
import dev.pulse.flink.common.types.FormatSnapshot;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The event ids of one dedup bucket with the processing time each was first seen: an
 * open-addressing hash table over one flat {@code long[]} (id bits, letter-case bits, time), about
 * 32-64 bytes per remembered id instead of the ~400 that one keyed-state entry with TTL per id cost
 * on the heap.
 *
 * <p>Exact: an id is found only by all of its {@link EventKey} (128 bits and letter case), and an
 * id counts as seen only while {@code now - firstSeen < ttl}, the same rule as Flink's state TTL
 * with {@code NeverReturnExpired}. Entries older than the TTL are dropped when the table grows, and
 * by a rebuild once the oldest entry is a quarter TTL past expiry, so a bucket holds at most about
 * 1.25 TTLs of ids and each id is visited a bounded number of times.
 */
public final class SeenIds {

  /** Longs per slot: hi, lo, meta (occupied bit | letter-case bits), first-seen time. */
  private static final int STRIDE = 4;

  private static final long OCCUPIED = 1L << 32;
  private static final int MIN_SLOTS = 8;

  /**
   * Buckets the ids are spread over (the dedup operator's keys); fixed: savepoints depend on it,
   * and the serializer's snapshot records it, so a restore under another count fails. A change of
   * {@link #bucketOf} itself moves ids between buckets just the same: it needs a new {@link
   * Serializer#FORMAT} (or layout) too.
   */
  public static final int BUCKETS = 1 << 14;

  /** Bytes per id in the checkpoint form: hi, lo, letter-case bits, first-seen time. */
  private static final int ENTRY_BYTES = 8 + 8 + 4 + 8;

  private long[] slots;
  private int size;
  private long oldest = Long.MAX_VALUE;

  public SeenIds() {
    this(MIN_SLOTS);
  }

  private SeenIds(int slotCount) {
    slots = new long[slotCount * STRIDE];
  }

  /** The bucket (dedup key) of an event key: the high bits of its mixed hash. */
  public static int bucketOf(EventKey k) {
    return (int) (mix(k) >>> 50) & (BUCKETS - 1);
  }

  private static long mix(EventKey k) {
    return mix(k.hi(), k.lo(), k.upperCase());
  }

  private static long mix(long hi, long lo, int upperCase) {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL ^ upperCase;
    return h ^ (h >>> 29);
  }

  /**
   * Records {@code k} as seen at {@code now} unless it was first seen less than {@code ttl} ago.
   *
   * @return true when this is the first copy within the horizon (the event passes)
   */
  public boolean firstSeen(EventKey k, long now, long ttl) {
    if (size > 0 && now - oldest >= ttl && now - oldest - ttl >= ttl / 4) {
      rebuild(slotCountFor(liveCount(now, ttl)), now, ttl);
    }
    long meta = OCCUPIED | (k.upperCase() & 0xFFFFFFFFL);
    int mask = slots.length / STRIDE - 1;
    int i = (int) mix(k) & mask;
    while (true) {
      int b = i * STRIDE;
      if (slots[b + 2] == 0) {
        if ((size + 1) * 4L > (mask + 1) * 3L) {
          rebuild(slotCountFor(liveCount(now, ttl) + 1), now, ttl);
          return firstSeen(k, now, ttl);
        }
        put(b, k.hi(), k.lo(), meta, now);
        size++;
        return true;
      }
      if (slots[b] == k.hi() && slots[b + 1] == k.lo() && slots[b + 2] == meta) {
        if (now - slots[b + 3] >= ttl) {
          slots[b + 3] = now; // expired: this copy is a new first copy, remembered from now
          oldest = Math.min(oldest, now);
          return true;
        }
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  /** Ids held, expired ones not yet dropped included. */
  public int size() {
    return size;
  }

  private void put(int b, long hi, long lo, long meta, long time) {
    slots[b] = hi;
    slots[b + 1] = lo;
    slots[b + 2] = meta;
    slots[b + 3] = time;
    oldest = Math.min(oldest, time);
  }

  private int liveCount(long now, long ttl) {
    int live = 0;
    for (int b = 0; b < slots.length; b += STRIDE) {
      if (slots[b + 2] != 0 && now - slots[b + 3] < ttl) {
        live++;
      }
    }
    return live;
  }

  /** Slots for {@code n} ids at a load of at most one half, so the table need not grow at once. */
  private static int slotCountFor(int n) {
    int slotsNeeded = Math.max(MIN_SLOTS, n * 2);
    return Integer.highestOneBit(slotsNeeded - 1) << 1;
  }

  /** Re-inserts the ids not yet expired into a table of {@code slotCount} slots. */
  private void rebuild(int slotCount, long now, long ttl) {
    long[] old = slots;
    slots = new long[slotCount * STRIDE];
    size = 0;
    oldest = Long.MAX_VALUE;
    for (int b = 0; b < old.length; b += STRIDE) {
      if (old[b + 2] != 0 && now - old[b + 3] < ttl) {
        insertFresh(old[b], old[b + 1], old[b + 2], old[b + 3]);
      }
    }
  }

  /** Inserts an id known to be absent (rebuild, restore). */
  private void insertFresh(long hi, long lo, long meta, long time) {
    int mask = slots.length / STRIDE - 1;
    int i = (int) mix(hi, lo, (int) meta) & mask;
    while (slots[i * STRIDE + 2] != 0) {
      i = (i + 1) & mask;
    }
    put(i * STRIDE, hi, lo, meta, time);
    size++;
  }

  /** The type information of the dedup state. */
  public static final TypeInformation<SeenIds> TYPE =
      new CompactTypeInfo<>(SeenIds.class, Serializer.INSTANCE, false);

  /**
   * Checkpoint form (format {@value #FORMAT}): the format as one byte, the number of ids, then per
   * id hi, lo, letter-case bits and first-seen time ({@link #LAYOUT}). Format 1 (up to 812caae) had
   * no leading byte; {@link #FORMAT_1} still reads it, so such state restores by migration. Mutable
   * state: {@link #copy} is deep, as the heap backend copies a value on write while a snapshot
   * still reads it.
   *
   * <p>The format byte is per state value, i.e. per bucket table of many ids (about 1 byte per
   * thousands of ids): every stored table says how it was written, and a table in another format
   * fails its read instead of being read as ids. The in-memory {@link #STRIDE} is not part of the
   * format: the form above does not depend on it.
   */
  public static final class Serializer extends TypeSerializer<SeenIds> {
    private static final long serialVersionUID = 1L;

    /** The format {@link #INSTANCE} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 2;

    /**
     * The layout parameters of formats 1 and 2, recorded in snapshots: the entry size, the unit of
     * the first-seen times (milliseconds: {@code BucketedDeduplicateFunction} passes processing
     * time and the TTL in milliseconds) and {@link #BUCKETS}. A compile-time constant, so this
     * class initializes without its outer class (whose {@code TYPE} needs {@link #INSTANCE}).
     */
    public static final String LAYOUT =
        "entryBytes=" + ENTRY_BYTES + ";time=MILLISECONDS;buckets=" + BUCKETS;

    public static final Serializer INSTANCE = new Serializer(FORMAT);

    /** Reads (and writes) format 1, for state written before formats were versioned. */
    public static final Serializer FORMAT_1 = new Serializer(1);

    private final int format;

    private Serializer(int format) {
      this.format = format;
    }

    @Override
    public boolean isImmutableType() {
      return false;
    }

    @Override
    public TypeSerializer<SeenIds> duplicate() {
      return this;
    }

    @Override
    public SeenIds createInstance() {
      return new SeenIds();
    }

    @Override
    public SeenIds copy(SeenIds from) {
      SeenIds copy = new SeenIds(MIN_SLOTS);
      copy.slots = Arrays.copyOf(from.slots, from.slots.length);
      copy.size = from.size;
      copy.oldest = from.oldest;
      return copy;
    }

    @Override
    public SeenIds copy(SeenIds from, SeenIds reuse) {
      return copy(from);
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    public void serialize(SeenIds ids, DataOutputView out) throws IOException {
      if (format > 1) {
        out.writeByte(format);
      }
      out.writeInt(ids.size);
      long[] s = ids.slots;
      for (int b = 0; b < s.length; b += STRIDE) {
        if (s[b + 2] != 0) {
          out.writeLong(s[b]);
          out.writeLong(s[b + 1]);
          out.writeInt((int) s[b + 2]);
          out.writeLong(s[b + 3]);
        }
      }
    }

    @Override
    public SeenIds deserialize(DataInputView in) throws IOException {
      readFormat(in);
      int n = in.readInt();
      SeenIds ids = new SeenIds(slotCountFor(n));
      for (int j = 0; j < n; j++) {
        long hi = in.readLong();
        long lo = in.readLong();
        long meta = OCCUPIED | (in.readInt() & 0xFFFFFFFFL);
        ids.insertFresh(hi, lo, meta, in.readLong());
      }
      return ids;
    }

    @Override
    public SeenIds deserialize(SeenIds reuse, DataInputView in) throws IOException {
      return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      readFormat(source);
      if (format > 1) {
        target.writeByte(format);
      }
      int n = source.readInt();
      target.writeInt(n);
      target.write(source, n * ENTRY_BYTES);
    }

    private void readFormat(DataInputView in) throws IOException {
      if (format > 1) {
        int written = in.readUnsignedByte();
        if (written != format) {
          throw new IOException(
              "SeenIds table written in format " + written + ", read as format " + format);
        }
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Serializer other && other.format == format;
    }

    @Override
    public int hashCode() {
      return Serializer.class.hashCode() * 31 + format;
    }

    @Override
    public TypeSerializerSnapshot<SeenIds> snapshotConfiguration() {
      return Snapshot.of(format);
    }

    /**
     * Records the format and {@link #LAYOUT}: a format-1 snapshot restores with {@link #FORMAT_1}
     * (compatible after migration), another layout (entry size, time unit, bucket count) or an
     * unknown format is incompatible.
     */
    public static final class Snapshot extends FormatSnapshot<SeenIds> {
      public Snapshot() {
        super(FORMAT, LAYOUT, () -> INSTANCE);
      }

      /** The snapshot of a serializer of {@code format}: the format-1 reader writes format 1. */
      private static Snapshot of(int format) {
        Snapshot snapshot = new Snapshot();
        if (format == 1) {
          snapshot.recordOlderFormat(1, snapshot.unversionedLayout());
        }
        return snapshot;
      }

      /** The layout of 812caae, whose snapshots had no format. */
      @Override
      protected String unversionedLayout() {
        return "entryBytes=28;time=MILLISECONDS;buckets=16384";
      }

      @Override
      protected TypeSerializer<SeenIds> serializerFor(int format, String layout) {
        if (format == 1 && layout.equals(unversionedLayout())) {
          return FORMAT_1;
        }
        return super.serializerFor(format, layout);
      }
    }
  }
}
