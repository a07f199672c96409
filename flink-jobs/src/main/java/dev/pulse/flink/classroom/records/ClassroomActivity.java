package dev.pulse.flink.classroom.records;

import dev.pulse.events.ClassroomEvent;
import dev.pulse.flink.common.DedupKey;
import dev.pulse.flink.common.types.CompactTypeInfo;
import dev.pulse.flink.common.types.FormatSnapshot;
import dev.pulse.flink.common.types.ImmutableSerializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Comparator;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One validated classroom event as the classroom job carries it: the fields of {@code
 * ClassroomEvent} that engagement needs, the event id canonical, role and type as their enum names.
 *
 * @param eventId UUID, canonical (lower case): the deduplication key within the tenant
 * @param tenantId the institution
 * @param courseId the course
 * @param sessionId the live session
 * @param userId the participant
 * @param role {@code LEARNER}, {@code INSTRUCTOR}, {@code ASSISTANT} or {@code UNKNOWN}
 * @param type the event type's name, e.g. {@code JOINED}
 * @param timeMs event time, epoch milliseconds
 * @param device client device class, empty when not reported
 * @param region client region, empty when not reported
 * @param appVersion client app version, empty when not reported
 */
@TypeInfo(ClassroomActivity.TypeFactory.class)
public record ClassroomActivity(
    String eventId,
    String tenantId,
    String courseId,
    String sessionId,
    String userId,
    String role,
    String type,
    long timeMs,
    String device,
    String region,
    String appVersion) {

  /** An event without client details (device, region, app version empty). */
  public ClassroomActivity(
      String eventId,
      String tenantId,
      String courseId,
      String sessionId,
      String userId,
      String role,
      String type,
      long timeMs) {
    this(eventId, tenantId, courseId, sessionId, userId, role, type, timeMs, "", "", "");
  }

  /**
   * The order events of one session are applied in (docs/engagement.md, "Sessions"): event time,
   * then SESSION_STARTED, SESSION_ENDED, JOINED, the others, LEFT, then event id.
   */
  public static final Comparator<ClassroomActivity> APPLY_ORDER =
      Comparator.comparingLong(ClassroomActivity::timeMs)
          .thenComparingInt(ClassroomActivity::typeRank)
          .thenComparing(ClassroomActivity::eventId);

  /** The job's form of a decoded, validated event, its id canonical (lower case). */
  public static ClassroomActivity of(ClassroomEvent e) {
    return new ClassroomActivity(
        DedupKey.canonicalEventId(e.getEventId()),
        e.getTenantId(),
        e.getCourseId(),
        e.getSessionId(),
        e.getUserId(),
        e.getRole().name(),
        e.getType().name(),
        e.getEventTime().toEpochMilli(),
        e.getDevice(),
        e.getRegion(),
        e.getAppVersion());
  }

  /** The deduplication key: the canonical event id in its tenant. */
  public DedupKey dedupKey() {
    return DedupKey.of(tenantId, eventId);
  }

  /** The session this event belongs to. */
  public SessionKey key() {
    return new SessionKey(tenantId, courseId, sessionId);
  }

  private int typeRank() {
    return switch (type) {
      case "SESSION_STARTED" -> 0;
      case "SESSION_ENDED" -> 1;
      case "JOINED" -> 2;
      case "LEFT" -> 4;
      default -> 3;
    };
  }

  /** The type information every stream (and the buffer state) of classroom events uses. */
  public static final TypeInformation<ClassroomActivity> TYPE =
      new CompactTypeInfo<>(ClassroomActivity.class, Serializer.INSTANCE, false);

  /** Flink type information for classroom events: {@link Serializer}. */
  public static final class TypeFactory extends TypeInfoFactory<ClassroomActivity> {
    @Override
    public TypeInformation<ClassroomActivity> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TYPE;
    }
  }

  /** Fields in declaration order, strings as UTF-8 with a length: format {@value #FORMAT}. */
  public static final class Serializer extends ImmutableSerializer<ClassroomActivity> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    /** The format {@link #serialize} writes; a change of the bytes needs a new number. */
    public static final int FORMAT = 1;

    /** What format {@value #FORMAT} writes, recorded in snapshots. */
    public static final String LAYOUT =
        "eventId,tenantId,courseId,sessionId,userId,role,type:str; timeMs:i64;"
            + " device,region,appVersion:str;"
            + " str=i32 UTF-8 length (-1 null) + bytes";

    @Override
    public void serialize(ClassroomActivity a, DataOutputView out) throws IOException {
      writeString(a.eventId, out);
      writeString(a.tenantId, out);
      writeString(a.courseId, out);
      writeString(a.sessionId, out);
      writeString(a.userId, out);
      writeString(a.role, out);
      writeString(a.type, out);
      out.writeLong(a.timeMs);
      writeString(a.device, out);
      writeString(a.region, out);
      writeString(a.appVersion, out);
    }

    @Override
    public ClassroomActivity deserialize(DataInputView in) throws IOException {
      return new ClassroomActivity(
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          readString(in),
          in.readLong(),
          readString(in),
          readString(in),
          readString(in));
    }

    @Override
    public TypeSerializerSnapshot<ClassroomActivity> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records {@link #FORMAT} and {@link #LAYOUT}; restores {@link Serializer} for them. */
    public static final class Snapshot extends FormatSnapshot<ClassroomActivity> {
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
