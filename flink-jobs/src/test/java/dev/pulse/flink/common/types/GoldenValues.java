package dev.pulse.flink.common.types;

import dev.pulse.flink.api.records.ApiKey;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.classroom.functions.SessionEngagement;
import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.LearnerSessionFact;
import dev.pulse.flink.classroom.records.SessionFact;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.flink.common.DedupKey;
import dev.pulse.flink.common.EventKey;
import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.ViewKey;
import java.time.Instant;
import java.util.List;

/**
 * The hand-built values whose serialized bytes are checked in under {@code golden/} (see {@link
 * SerializerGoldenTest}). Never change a value: the golden files hold exactly these, as written by
 * the serializer of each format version.
 */
final class GoldenValues {

  private GoldenValues() {}

  static final List<ApiRequest> REQUESTS =
      List.of(
          // Non-ASCII tenant (2-byte UTF-8), empty region, no trace id.
          new ApiRequest(
              "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
              "tenant-\u00e9",
              Instant.parse("2026-03-02T10:00:01.234Z"),
              "courses",
              "/courses/{id}",
              "GET",
              503,
              123_456L,
              "",
              null),
          // Before the epoch with the largest nanosecond part, a trace id.
          new ApiRequest(
              "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
              "t",
              Instant.ofEpochSecond(-5, 999_999_999),
              "grades",
              "/grades",
              "OTHER",
              100,
              0L,
              "eu-west",
              "4bf92f3577b34da6a3ce929d0e0e4736"),
          // 3- and 4-byte UTF-8 in the endpoint, extreme status and latency.
          new ApiRequest(
              "00000000-0000-0000-0000-000000000000",
              "",
              Instant.ofEpochSecond(1_900_000_000L, 1),
              "s",
              "/v1/\u20ac/\uD83D\uDE00",
              "DELETE",
              599,
              Long.MAX_VALUE,
              "ap-south",
              ""));

  static final List<ApiKey> KEYS =
      List.of(
          REQUESTS.get(0).key(),
          REQUESTS.get(1).key(),
          REQUESTS.get(2).key(),
          new ApiKey("tenant", null, "/x", "POST", null));

  static final List<EventKey> EVENT_KEYS =
      List.of(
          EventKey.of("3F2504e0-4f89-11D3-9a0C-0305e82C3301"),
          EventKey.of("00000000-0000-0000-0000-000000000000"),
          EventKey.of("ffffffff-ffff-ffff-ffff-ffffffffffff"),
          EventKey.of("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"));

  static final List<ClassroomActivity> CLASSROOM_ACTIVITIES =
      List.of(
          new ClassroomActivity(
              "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
              "école-ünï",
              "c-1",
              "s-1",
              "u-1",
              "LEARNER",
              "JOINED",
              1_772_445_600_000L,
              "laptop",
              "eu-west",
              "classroom-web 1.0"),
          new ClassroomActivity("", "", "", "", "", "UNKNOWN", "UNKNOWN", Long.MIN_VALUE));

  static final List<PlaybackActivity> PLAYBACK_ACTIVITIES =
      List.of(
          new PlaybackActivity(
              "3f2504e0-4f89-11d3-9a0c-0305e82c3302",
              "école-ünï",
              "view-1",
              "video-1",
              "c-1",
              "u-1",
              "ERROR",
              1_772_445_600_000L,
              1_600,
              65_432L,
              true,
              "NETWORK_TIMEOUT",
              "cloudfront",
              "ap-south",
              "phone",
              "pulse-ios 5.1.2"),
          new PlaybackActivity(
              "",
              "",
              "",
              "",
              "",
              "",
              "UNKNOWN",
              Long.MIN_VALUE,
              -1,
              0L,
              false,
              null,
              "",
              "",
              "",
              ""));

  static final List<ViewKey> VIEW_KEYS =
      List.of(new ViewKey("t1", "view-1"), new ViewKey("", "观看"));

  static final List<SessionKey> SESSION_KEYS =
      List.of(new SessionKey("t1", "c-1", "s-1"), new SessionKey("", "", "会话"));

  /**
   * Session states: one just started, one mid-session (three learners, one blurred with the camera
   * on, one who left, an interaction, a minute written), one ended.
   */
  static final List<SessionEngagement> SESSION_STATES = sessionStates();

  private static List<SessionEngagement> sessionStates() {
    SessionEngagement.Output none =
        new SessionEngagement.Output() {
          @Override
          public void minute(SessionMinuteFact minute) {}

          @Override
          public void learner(LearnerSessionFact learner) {}

          @Override
          public void session(SessionFact session) {}
        };
    SessionKey key = new SessionKey("t1", "c-1", "s-1");
    long t0 = 1_772_445_600_000L;
    SessionEngagement started = new SessionEngagement(key);
    started.apply(activity("e0", "teacher", "INSTRUCTOR", "SESSION_STARTED", t0), none);
    SessionEngagement mid = new SessionEngagement(key);
    mid.apply(activity("e0", "teacher", "INSTRUCTOR", "SESSION_STARTED", t0), none);
    mid.apply(activity("e1", "ann", "LEARNER", "JOINED", t0 + 1_000), none);
    mid.apply(activity("e2", "bob", "LEARNER", "JOINED", t0 + 2_000), none);
    mid.apply(activity("e3", "cat", "LEARNER", "JOINED", t0 + 3_000), none);
    mid.apply(activity("e4", "ann", "LEARNER", "BLUR", t0 + 30_000), none);
    mid.apply(activity("e5", "ann", "LEARNER", "CAMERA_ON", t0 + 31_000), none);
    mid.apply(activity("e6", "bob", "LEARNER", "LEFT", t0 + 40_000), none);
    mid.apply(activity("e7", "cat", "LEARNER", "CHAT_MESSAGE", t0 + 50_000), none);
    mid.advanceTo(t0 + 100_000, none); // ann (blurred, camera on) and cat still present
    SessionEngagement ended = new SessionEngagement(key);
    ended.apply(activity("e0", "teacher", "INSTRUCTOR", "SESSION_STARTED", t0), none);
    ended.apply(activity("e1", "ann", "LEARNER", "JOINED", t0 + 1_000), none);
    ended.apply(activity("e9", "teacher", "INSTRUCTOR", "SESSION_ENDED", t0 + 600_000), none);
    return List.of(started, mid, ended);
  }

  private static ClassroomActivity activity(
      String id, String user, String role, String type, long timeMs) {
    return new ClassroomActivity(id, "t1", "c-1", "s-1", user, role, type, timeMs);
  }

  static final List<DedupKey> DEDUP_KEYS =
      List.of(
          DedupKey.of("t1", "3F2504e0-4f89-11D3-9a0C-0305e82C3301"),
          DedupKey.of("", "00000000-0000-0000-0000-000000000000"),
          new DedupKey(-1, Long.MIN_VALUE));

  /**
   * One remembered id of a {@link dev.pulse.flink.common.SeenIds} table (format 3) and the event
   * time of its first copy. (The format 1 and 2 files hold other values: ids with letter case and
   * processing times; they are only refused now.)
   */
  record Seen(DedupKey key, long eventTimeMs) {}

  /**
   * The tables of the golden SeenIds file of format 3: three ids (the same event id in two tenants,
   * extreme bits), none.
   */
  static final List<List<Seen>> SEEN_TABLES =
      List.of(
          List.of(
              new Seen(DedupKey.of("t1", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"), 1_000),
              new Seen(DedupKey.of("t2", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"), 1_500),
              new Seen(new DedupKey(-1, Long.MIN_VALUE), 2_000)),
          List.of());

  /**
   * The horizon the golden tables are checked with (each id still remembered at watermark 2,000 +
   * horizon - 1).
   */
  static final long SEEN_HORIZON_MS = 10_000;
}
