package dev.pulse.flink.common;

import dev.pulse.flink.common.types.CompactTypeInfo;
import dev.pulse.flink.common.types.FormatSnapshot;
import dev.pulse.flink.common.types.ImmutableSerializer;
import java.io.IOException;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The identity of an event for deduplication, in 128 bits: the 128 bits of its canonical event id
 * (the UUID, letter case ignored) XOR a 128-bit hash of its tenant.
 *
 * <p>Why this form: RFC 4122 UUIDs are case-insensitive, so a retry re-serialized in upper case is
 * the same event; and an id is unique per tenant only (a deterministic or name-based id may be
 * reused by another institution), so the same id in two tenants is two events. Folding the tenant
 * in by XOR keeps the key at 16 bytes, the size of the id alone.
 *
 * <p>Exact within a tenant: XOR with the tenant's hash is a bijection, so two ids of one tenant
 * have equal keys exactly when they are the same UUID. Across tenants two events can be confused
 * only when both halves of their ids differ by exactly the XOR of the two tenants' hashes: taking
 * the hash as a random 128-bit function, 2^-128 for a given pair of events, so at most n^2 / 2^129
 * for n remembered ids (below 10^-22 for the 32 million ids of 350,000 events/s over the default
 * horizon), whatever the ids' structure. It is not a defence against a producer of one tenant that
 * knows another tenant's future event ids and derives colliding ones: keeping tenants' input apart
 * is the producers' authentication.
 *
 * @param hi the first 64 bits of the id XOR the tenant hash's first half
 * @param lo the last 64 bits of the id XOR the tenant hash's second half
 */
public record DedupKey(long hi, long lo) {

  /**
   * The key of {@code eventId} (a canonical UUID, 8-4-4-4-12 hex digits in either case, as the
   * validator accepts) in {@code tenantId}.
   *
   * @throws IllegalArgumentException when {@code eventId} is not in that form (the validator lets
   *     no such event through, so this means a bug upstream)
   */
  public static DedupKey of(String tenantId, String eventId) {
    EventKey id = EventKey.of(eventId);
    return new DedupKey(
        id.hi() ^ tenantHash(tenantId, SEED_HI), id.lo() ^ tenantHash(tenantId, SEED_LO));
  }

  /**
   * The canonical text of a validated event id, the form the jobs carry and the tables store: the
   * UUID in lower case (RFC 4122 writes UUIDs in lower case and reads them in either), so every
   * delivery of one {@link DedupKey} stores one id. Every id that reaches a job is a UUID: the
   * contract requires one, and the validator dead-letters any other form (dead letters keep their
   * original bytes, unchanged). A string that is already lower case is returned as is.
   */
  public static String canonicalEventId(String eventId) {
    return eventId.toLowerCase(Locale.ROOT);
  }

  /** Seeds of the tenant hash's two halves; part of the state format ({@link SeenIds}). */
  private static final long SEED_HI = 0x2545F4914F6CDD1DL;

  private static final long SEED_LO = 0x9E3779B97F4A7C15L;

  /**
   * One 64-bit half of the tenant hash: FNV-1a over the UTF-16 units, then the MurmurHash3
   * finalizer. Stable across JVMs and releases (it is in every checkpoint): a change needs a new
   * {@link SeenIds.Serializer#FORMAT}. A null tenant (the schema does not allow it) hashes as "".
   */
  static long tenantHash(String tenantId, long seed) {
    long h = seed;
    if (tenantId != null) {
      for (int i = 0; i < tenantId.length(); i++) {
        h = (h ^ tenantId.charAt(i)) * 0x100000001B3L;
      }
      h ^= tenantId.length();
    }
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public int hashCode() {
    long h = hi * 0x9E3779B97F4A7C15L ^ lo;
    return (int) (h ^ (h >>> 32));
  }

  /** The type information of the per-id dedup state ({@code ENTRY_PER_ID}): {@link Serializer}. */
  public static final TypeInformation<DedupKey> TYPE =
      new CompactTypeInfo<>(DedupKey.class, Serializer.INSTANCE, true);

  /** Fixed 16 bytes: hi, lo; format {@value #FORMAT}, {@link #LAYOUT}. */
  public static final class Serializer extends ImmutableSerializer<DedupKey> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /**
     * What format {@value #FORMAT} writes, recorded in snapshots; the tenant hash is part of what
     * the bits mean.
     */
    public static final String LAYOUT = "hi:i64, lo:i64 (16 bytes);id=uuid128^fnv1a64-fmix64x2";

    @Override
    public int getLength() {
      return 16;
    }

    @Override
    public void serialize(DedupKey k, DataOutputView out) throws IOException {
      out.writeLong(k.hi);
      out.writeLong(k.lo);
    }

    @Override
    public DedupKey deserialize(DataInputView in) throws IOException {
      return new DedupKey(in.readLong(), in.readLong());
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      target.write(source, 16);
    }

    @Override
    public TypeSerializerSnapshot<DedupKey> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<DedupKey> {
      public Snapshot() {
        super(FORMAT, LAYOUT, () -> INSTANCE);
      }

      /** There were no unversioned snapshots of this type: nothing restores as format 1 but 1. */
      @Override
      protected String unversionedLayout() {
        return LAYOUT;
      }
    }
  }
}
