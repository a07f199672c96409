package dev.pulse.flink.probes.records;

import dev.pulse.events.ProbeResult;
import dev.pulse.flink.common.DedupKey;
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
 * One validated probe result as the probe job carries it: every field of {@code ProbeResult}, the
 * event id canonical (lower case).
 *
 * @param eventId UUID, canonical (lower case): the deduplication key within the tenant
 * @param tenantId the institution owning the target ({@code platform} for the platform's own)
 * @param target what was probed, e.g. {@code grades-api/health}
 * @param region the region the check ran from
 * @param timeMs when the check ran, epoch milliseconds
 * @param success whether the check passed
 * @param latencyMs how long the check took (the timeout when it timed out)
 * @param error why it failed, or null
 */
@TypeInfo(ProbeCheck.TypeFactory.class)
public record ProbeCheck(
    String eventId,
    String tenantId,
    String target,
    String region,
    long timeMs,
    boolean success,
    long latencyMs,
    String error) {

  /**
   * A check that took an hour or more is a broken measurement, not a slow target (the API job's
   * bound on latency, EventValidator.MAX_LATENCY_US, in milliseconds); probes time out after
   * seconds.
   */
  public static final long MAX_LATENCY_MS = 3_600_000L;

  /** The job's form of a decoded event that the contract accepted, its id canonical. */
  public static ProbeCheck of(ProbeResult e) {
    return new ProbeCheck(
        DedupKey.canonicalEventId(e.getEventId()),
        e.getTenantId(),
        e.getTarget(),
        e.getRegion(),
        e.getEventTime().toEpochMilli(),
        e.getSuccess(),
        e.getLatencyMs(),
        e.getError());
  }

  /**
   * What makes this result unusable beyond the contract's rules (which already refuse an empty or
   * missing target, region or tenant and a negative latency), or null when it is usable: the job's
   * own rules, checked in the source (ProbeDecoding) so that a broken result is a dead letter.
   */
  public String problem() {
    if (target.isBlank()) {
      return "target is blank";
    }
    if (region.isBlank()) {
      return "region is blank";
    }
    if (latencyMs < 0 || latencyMs >= MAX_LATENCY_MS) {
      return "latency_ms " + latencyMs + " is outside 0.." + (MAX_LATENCY_MS - 1);
    }
    return null;
  }

  /** The deduplication key: the canonical event id in its tenant. */
  public DedupKey dedupKey() {
    return DedupKey.of(tenantId, eventId);
  }

  /** The grain of the minute rows besides the minute: tenant, target, region. */
  public ProbeKey key() {
    return new ProbeKey(tenantId, target, region);
  }

  /** The type information every stream (and the state) of probe results uses. */
  public static final TypeInformation<ProbeCheck> TYPE =
      new CompactTypeInfo<>(ProbeCheck.class, Serializer.INSTANCE, false);

  /** Flink type information for probe results: {@link Serializer}. */
  public static final class TypeFactory extends TypeInfoFactory<ProbeCheck> {
    @Override
    public TypeInformation<ProbeCheck> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /** Fields in declaration order, strings as UTF-8 with a length: format {@value #FORMAT}. */
  public static final class Serializer extends ImmutableSerializer<ProbeCheck> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "eventId,tenantId,target,region:str; timeMs:i64; success:bool; latencyMs:i64; error:str;"
            + " str=i32 UTF-8 length (-1 null) + bytes";

    @Override
    public void serialize(ProbeCheck p, DataOutputView out) throws IOException {
      writeString(p.eventId, out);
      writeString(p.tenantId, out);
      writeString(p.target, out);
      writeString(p.region, out);
      out.writeLong(p.timeMs);
      out.writeBoolean(p.success);
      out.writeLong(p.latencyMs);
      writeString(p.error, out);
    }

    @Override
    public ProbeCheck deserialize(DataInputView in) throws IOException {
      return new ProbeCheck(
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          in.readLong(),
          in.readBoolean(),
          in.readLong(),
          readString(in));
    }

    @Override
    public TypeSerializerSnapshot<ProbeCheck> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<ProbeCheck> {
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
