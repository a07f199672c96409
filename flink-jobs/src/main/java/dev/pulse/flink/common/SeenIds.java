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
 * The event ids of one dedup bucket with the event time of each one's first copy: an
 * open-addressing hash table over one flat {@code long[]} (the {@link DedupKey}'s 128 bits, event
 * time), 24 bytes per slot, 32-64 bytes per remembered id at its load of 3/8 to 3/4, instead of the
 * ~400 that one keyed-state entry with TTL per id cost on the heap.
 *
 * <p>Remembered by event time: an id is remembered until the watermark passes its first copy's
 * event time plus the horizon ({@code eventTime > watermark - horizon}, {@link #cutoff}); then it
 * is forgotten, and a copy within the horizon afterwards is a first copy again. The watermark is
 * part of the stream and restarts at {@code Long.MIN_VALUE} after a restore, so no amount of
 * downtime (processing time) expires an id. Forgotten ids are dropped when the table grows, and by
 * a rebuild once the oldest id is a quarter horizon past its expiry, so a bucket holds at most
 * about 1.25 horizons of event time and each id is visited a bounded number of times.
 *
 * <p>Exact on {@link DedupKey}: an id is found only by all 128 of its bits; {@link DedupKey} says
 * what they are (canonical id, tenant folded in).
 */
public final class SeenIds {

  /** Longs per slot: hi, lo, event time of the first copy ({@link #EMPTY} for a free slot). */
  private static final int STRIDE = 3;

  /** The time of a free slot; no event has it ({@link #cutoff} is never below it). */
  private static final long EMPTY = Long.MIN_VALUE;

  private static final int MIN_SLOTS = 8;

  /**
   * Buckets the ids are spread over (the dedup operator's keys); fixed: savepoints depend on it,
   * and the serializer's snapshot records it, so a restore under another count fails. A change of
   * {@link #bucketOf} itself moves ids between buckets just the same: it needs a new {@link
   * Serializer#FORMAT} (or layout) too.
   */
  public static final int BUCKETS = 1 << 14;

  /** Bytes per id in the checkpoint form: hi, lo, event time. */
  private static final int ENTRY_BYTES = 8 + 8 + 8;

  private long[] slots;
  private int size;
  private long oldest = Long.MAX_VALUE;

  public SeenIds() {
    this(MIN_SLOTS);
  }

  private SeenIds(int slotCount) {
    slots = emptySlots(slotCount);
  }

  private static long[] emptySlots(int slotCount) {
    long[] s = new long[slotCount * STRIDE];
    for (int b = 2; b < s.length; b += STRIDE) {
      s[b] = EMPTY;
    }
    return s;
  }

  /** The bucket (dedup key) of a key: the high bits of its mixed hash. */
  public static int bucketOf(DedupKey k) {
    return (int) (mix(k.hi(), k.lo()) >>> 50) & (BUCKETS - 1);
  }

  private static long mix(long hi, long lo) {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL;
    return h ^ (h >>> 29);
  }

  /**
   * The latest event time that is forgotten at {@code watermark}: {@code watermark - horizon}, or
   * {@code Long.MIN_VALUE} while the watermark is less than a horizon past it (at the start and
   * after a restore).
   */
  public static long cutoff(long watermark, long horizon) {
    return watermark < Long.MIN_VALUE + horizon ? Long.MIN_VALUE : watermark - horizon;
  }

  /**
   * Records {@code k} as first seen at {@code eventTime} unless it is remembered: first seen at an
   * event time after {@code cutoff} ({@link #cutoff}).
   *
   * @param eventTime the copy's event time; at or before {@code cutoff} the id is not remembered
   *     (the caller sends such events to the late output before asking)
   * @param horizon the horizon {@code cutoff} was computed with: a rebuild drops forgotten ids once
   *     the oldest is a quarter of it past the cutoff
   * @return true when this is the first copy within the horizon (the event passes)
   */
  public boolean firstSeen(DedupKey k, long eventTime, long cutoff, long horizon) {
    if (eventTime <= cutoff) {
      return true;
    }
    if (size > 0 && cutoff != Long.MIN_VALUE && oldest <= cutoff - horizon / 4) {
      rebuild(slotCountFor(liveCount(cutoff)), cutoff);
    }
    int mask = slots.length / STRIDE - 1;
    int i = (int) mix(k.hi(), k.lo()) & mask;
    while (true) {
      int b = i * STRIDE;
      if (slots[b + 2] == EMPTY) {
        if ((size + 1) * 4L > (mask + 1) * 3L) {
          rebuild(slotCountFor(liveCount(cutoff) + 1), cutoff);
          return firstSeen(k, eventTime, cutoff, horizon);
        }
        put(b, k.hi(), k.lo(), eventTime);
        size++;
        return true;
      }
      if (slots[b] == k.hi() && slots[b + 1] == k.lo()) {
        if (slots[b + 2] <= cutoff) {
          slots[b + 2] = eventTime; // forgotten: this copy is a new first copy
          oldest = Math.min(oldest, eventTime);
          return true;
        }
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  /** Ids held, forgotten ones not yet dropped included. */
  public int size() {
    return size;
  }

  /** Ids remembered at {@code cutoff}. */
  public int liveCount(long cutoff) {
    int live = 0;
    for (int b = 2; b < slots.length; b += STRIDE) {
      if (slots[b] != EMPTY && slots[b] > cutoff) {
        live++;
      }
    }
    return live;
  }

  private void put(int b, long hi, long lo, long time) {
    slots[b] = hi;
    slots[b + 1] = lo;
    slots[b + 2] = time;
    oldest = Math.min(oldest, time);
  }

  /** Slots for {@code n} ids at a load of at most one half, so the table need not grow at once. */
  private static int slotCountFor(int n) {
    int slotsNeeded = Math.max(MIN_SLOTS, n * 2);
    return Integer.highestOneBit(slotsNeeded - 1) << 1;
  }

  /** Re-inserts the ids remembered at {@code cutoff} into a table of {@code slotCount} slots. */
  private void rebuild(int slotCount, long cutoff) {
    long[] old = slots;
    slots = emptySlots(slotCount);
    size = 0;
    oldest = Long.MAX_VALUE;
    for (int b = 0; b < old.length; b += STRIDE) {
      if (old[b + 2] != EMPTY && old[b + 2] > cutoff) {
        insertFresh(old[b], old[b + 1], old[b + 2]);
      }
    }
  }

  /** Inserts an id known to be absent (rebuild, restore). */
  private void insertFresh(long hi, long lo, long time) {
    int mask = slots.length / STRIDE - 1;
    int i = (int) mix(hi, lo) & mask;
    while (slots[i * STRIDE + 2] != EMPTY) {
      i = (i + 1) & mask;
    }
    put(i * STRIDE, hi, lo, time);
    size++;
  }

  /** The type information of the dedup state. */
  public static final TypeInformation<SeenIds> TYPE =
      new CompactTypeInfo<>(SeenIds.class, Serializer.INSTANCE, false);

  /**
   * Checkpoint form (format {@value #FORMAT}): the format as one byte, the number of ids, then per
   * id the {@link DedupKey}'s hi and lo and the first copy's event time ({@link #LAYOUT}). Mutable
   * state: {@link #copy} is deep, as the heap backend copies a value on write while a snapshot
   * still reads it.
   *
   * <p>Formats 1 and 2 (up to the commit that introduced this one) held the exact id string's bits
   * with its letter case, no tenant, and the <em>processing</em> time of the first copy. They
   * cannot be converted: the tenant of an old id is not known, and processing times are not event
   * times. Their state is refused at restore with a message saying how to upgrade ({@link
   * Snapshot#whyUnreadable}; flink-jobs/README.md, "Upgrading from dedup state of formats 1-2"),
   * rather than read as something it is not or silently dropped.
   *
   * <p>The format byte is per state value, i.e. per bucket table of many ids (about 1 byte per
   * thousands of ids): every stored table says how it was written, and a table in another format
   * fails its read instead of being read as ids. The in-memory {@link #STRIDE} is not part of the
   * format: the form above does not depend on it.
   */
  public static final class Serializer extends TypeSerializer<SeenIds> {
    private static final long serialVersionUID = 1L;

    /** The format {@link #INSTANCE} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 3;

    /**
     * The layout parameters of format 3, recorded in snapshots: the entry size, what the key bits
     * are ({@link DedupKey}), what the time is, and {@link #BUCKETS}. A compile-time constant, so
     * this class initializes without its outer class (whose {@code TYPE} needs {@link #INSTANCE}).
     */
    public static final String LAYOUT =
        "entryBytes="
            + ENTRY_BYTES
            + ";key="
            + DedupKey.Serializer.LAYOUT
            + ";time=EVENT_TIME_MILLISECONDS;buckets="
            + BUCKETS;

    public static final Serializer INSTANCE = new Serializer();

    private Serializer() {}

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
      out.writeByte(FORMAT);
      out.writeInt(ids.size);
      long[] s = ids.slots;
      for (int b = 0; b < s.length; b += STRIDE) {
        if (s[b + 2] != EMPTY) {
          out.writeLong(s[b]);
          out.writeLong(s[b + 1]);
          out.writeLong(s[b + 2]);
        }
      }
    }

    @Override
    public SeenIds deserialize(DataInputView in) throws IOException {
      readFormat(in);
      int n = in.readInt();
      SeenIds ids = new SeenIds(slotCountFor(n));
      for (int j = 0; j < n; j++) {
        ids.insertFresh(in.readLong(), in.readLong(), in.readLong());
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
      target.writeByte(FORMAT);
      int n = source.readInt();
      target.writeInt(n);
      target.write(source, n * ENTRY_BYTES);
    }

    private static void readFormat(DataInputView in) throws IOException {
      int written = in.readUnsignedByte();
      if (written != FORMAT) {
        throw new IOException(
            "SeenIds table written in format " + written + ", read as format " + FORMAT);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Serializer;
    }

    @Override
    public int hashCode() {
      return Serializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<SeenIds> snapshotConfiguration() {
      return new Snapshot();
    }

    /**
     * Records the format and {@link #LAYOUT}: only the current ones are compatible; formats 1 and 2
     * (and unknown ones) are incompatible, and their restore fails with {@link #whyUnreadable}.
     */
    public static final class Snapshot extends FormatSnapshot<SeenIds> {
      public Snapshot() {
        super(FORMAT, LAYOUT, () -> INSTANCE);
      }

      /** The layout of 812caae, whose snapshots had no format. */
      @Override
      protected String unversionedLayout() {
        return "entryBytes=28;time=MILLISECONDS;buckets=16384";
      }

      @Override
      protected String whyUnreadable(int format, String layout) {
        if (format == 1 || format == 2) {
          return ": this is dedup state of format "
              + format
              + " (ids case-sensitive, without tenant, remembered by processing time), which"
              + " cannot be converted to format "
              + FORMAT
              + " (canonical ids per tenant, remembered by event time). Upgrade by stopping the"
              + " old job with `flink stop --drain` and starting this version without a savepoint"
              + " (flink-jobs/README.md, \"Upgrading from dedup state of formats 1-2\")";
        }
        return "";
      }
    }
  }
}
