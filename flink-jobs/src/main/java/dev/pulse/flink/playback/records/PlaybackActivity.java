package dev.pulse.flink.playback.records;

import dev.pulse.events.PlaybackEvent;
import dev.pulse.flink.common.DedupKey;
import dev.pulse.flink.common.types.CompactTypeInfo;
import dev.pulse.flink.common.types.FormatSnapshot;
import dev.pulse.flink.common.types.ImmutableSerializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One validated player event as the playback job carries it: the fields of {@code PlaybackEvent}
 * that QoE needs, the event id canonical, the type as its enum name.
 *
 * @param eventId UUID, canonical (lower case): the deduplication key within the tenant
 * @param tenantId the institution
 * @param viewId the view
 * @param videoId the video
 * @param courseId the course
 * @param userId the viewer
 * @param type the event type's name, e.g. {@code FIRST_FRAME}
 * @param timeMs event time, epoch milliseconds
 * @param bitrateKbps the rendition's bitrate, or -1 when not reported
 * @param playheadMs the position in the video
 * @param fatal on {@code ERROR}, whether it ended playback
 * @param errorCode on {@code ERROR}, the player's error code, else null
 * @param cdn the CDN, empty when not reported
 * @param region the viewer's region, empty when not reported
 * @param device the device class, empty when not reported
 * @param player the player, empty when not reported
 */
@TypeInfo(PlaybackActivity.TypeFactory.class)
public record PlaybackActivity(
    String eventId,
    String tenantId,
    String viewId,
    String videoId,
    String courseId,
    String userId,
    String type,
    long timeMs,
    int bitrateKbps,
    long playheadMs,
    boolean fatal,
    String errorCode,
    String cdn,
    String region,
    String device,
    String player) {

  /** The contract's symbol order: events of one millisecond are applied in it (docs/qoe.md). */
  private static final List<String> TYPE_ORDER =
      List.of(
          "UNKNOWN",
          "VIEW_START",
          "FIRST_FRAME",
          "REBUFFER_START",
          "REBUFFER_END",
          "BITRATE_CHANGE",
          "PAUSE",
          "RESUME",
          "SEEK",
          "ERROR",
          "HEARTBEAT",
          "VIEW_END");

  /** The order events of one view are applied in: event time, type, event id. */
  public static final Comparator<PlaybackActivity> APPLY_ORDER =
      Comparator.comparingLong(PlaybackActivity::timeMs)
          .thenComparingInt(a -> TYPE_ORDER.indexOf(a.type()))
          .thenComparing(PlaybackActivity::eventId);

  /** The job's form of a decoded, validated event, its id canonical (lower case). */
  public static PlaybackActivity of(PlaybackEvent e) {
    return new PlaybackActivity(
        DedupKey.canonicalEventId(e.getEventId()),
        e.getTenantId(),
        e.getViewId(),
        e.getVideoId(),
        e.getCourseId(),
        e.getUserId(),
        e.getType().name(),
        e.getEventTime().toEpochMilli(),
        e.getBitrateKbps() == null ? -1 : e.getBitrateKbps(),
        e.getPlayheadMs(),
        e.getFatal(),
        e.getErrorCode(),
        e.getCdn(),
        e.getRegion(),
        e.getDevice(),
        e.getPlayer());
  }

  /** The deduplication key: the canonical event id in its tenant. */
  public DedupKey dedupKey() {
    return DedupKey.of(tenantId, eventId);
  }

  /** The view this event belongs to. */
  public ViewKey key() {
    return new ViewKey(tenantId, viewId);
  }

  /** Whether the player reported a bitrate. */
  public boolean hasBitrate() {
    return bitrateKbps > 0;
  }

  /** The type information every stream (and the state) of playback events uses. */
  public static final TypeInformation<PlaybackActivity> TYPE =
      new CompactTypeInfo<>(PlaybackActivity.class, Serializer.INSTANCE, false);

  /** Flink type information for playback events: {@link Serializer}. */
  public static final class TypeFactory extends TypeInfoFactory<PlaybackActivity> {
    @Override
    public TypeInformation<PlaybackActivity> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /** Fields in declaration order, strings as UTF-8 with a length: format {@value #FORMAT}. */
  public static final class Serializer extends ImmutableSerializer<PlaybackActivity> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "eventId,tenantId,viewId,videoId,courseId,userId,type:str; timeMs:i64; bitrateKbps:i32;"
            + " playheadMs:i64; fatal:bool; errorCode,cdn,region,device,player:str;"
            + " str=i32 UTF-8 length (-1 null) + bytes";

    @Override
    public void serialize(PlaybackActivity a, DataOutputView out) throws IOException {
      writeString(a.eventId, out);
      writeString(a.tenantId, out);
      writeString(a.viewId, out);
      writeString(a.videoId, out);
      writeString(a.courseId, out);
      writeString(a.userId, out);
      writeString(a.type, out);
      out.writeLong(a.timeMs);
      out.writeInt(a.bitrateKbps);
      out.writeLong(a.playheadMs);
      out.writeBoolean(a.fatal);
      writeString(a.errorCode, out);
      writeString(a.cdn, out);
      writeString(a.region, out);
      writeString(a.device, out);
      writeString(a.player, out);
    }

    @Override
    public PlaybackActivity deserialize(DataInputView in) throws IOException {
      return new PlaybackActivity(
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          in.readLong(),
          in.readInt(),
          in.readLong(),
          in.readBoolean(),
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          readString(in));
    }

    @Override
    public TypeSerializerSnapshot<PlaybackActivity> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<PlaybackActivity> {
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
