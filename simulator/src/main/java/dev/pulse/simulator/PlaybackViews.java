package dev.pulse.simulator;

import dev.pulse.events.PlaybackEvent;
import dev.pulse.events.PlaybackEventType;
import dev.pulse.events.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The playback domain: views of lecture videos arriving at a rate that follows the evening curve.
 * Each view's startup time, failures, rebuffering and bitrate depend on its CDN, region and device
 * (cloudfront is slow in ap-south, phones start slower and rebuffer more), then it plays with
 * heartbeats every 10 s, pauses, seeks and bitrate changes, and ends with VIEW_END or is abandoned
 * (heartbeats just stop).
 */
final class PlaybackViews extends EventSource.Merged {

  static final long HEARTBEAT_MS = 10_000;

  static final String[] CDNS = {"akamai", "fastly", "cloudfront"};
  private static final double[] CDN_WEIGHTS = {0.40, 0.35, 0.25};
  static final int[] LADDER_KBPS = {400, 800, 1600, 3200, 6000};
  private static final String[] FATAL_CODES = {
    "NETWORK_TIMEOUT", "MANIFEST_NOT_FOUND", "DRM_LICENSE_FAILED", "MEDIA_DECODE_ERROR"
  };

  private final SimulationConfig config;
  private final PlatformModel platform;
  private final SplittableRandom arrivals;
  private final double meanGapMs;
  private double clock;
  private long nextArrival;
  private long viewOrdinal;

  PlaybackViews(SimulationConfig config, PlatformModel platform) {
    this.config = config;
    this.platform = platform;
    this.arrivals = Seeds.random(config.seed(), "playback-arrivals");
    this.meanGapMs = 60_000.0 / config.viewsPerMinute();
    this.clock = config.start().toEpochMilli();
    advance();
  }

  private void advance() {
    do {
      clock += Seeds.exponential(arrivals, meanGapMs);
    } while (arrivals.nextDouble() >= LoadCurve.evening((long) clock));
    nextArrival = (long) clock;
  }

  @Override
  protected long nextSpawnTime() {
    return nextArrival;
  }

  @Override
  protected EventSource spawn() {
    long t = nextArrival;
    long ordinal = viewOrdinal++;
    advance();
    return EventSource.ofList(
        new View(t, Seeds.random(config.seed(), "playback-view", ordinal)).generate());
  }

  /**
   * How much worse than the best case a CDN does in a region: one CDN is poorly peered in ap-south,
   * and everyone is a little slower far from the origin.
   */
  static double cdnRegionFactor(String cdn, String region) {
    double f =
        switch (cdn) {
          case "fastly" -> 0.9;
          case "cloudfront" -> 1.1;
          default -> 1.0;
        };
    if (cdn.equals("cloudfront") && region.equals("ap-south")) {
      f *= 2.5;
    }
    if (region.equals("ap-south")) {
      f *= 1.2;
    }
    return f;
  }

  static double deviceStartupMedianMs(String device) {
    return switch (device) {
      case "desktop" -> 700;
      case "laptop" -> 800;
      case "tablet" -> 1100;
      case "tv" -> 1300;
      default -> 1500; // phone
    };
  }

  /** One view's events, from its own random stream. */
  private final class View {
    private final long t0;
    private final SplittableRandom r;
    private final List<SimulatedEvent> out = new ArrayList<>();
    private String tenantId;
    private String viewId;
    private String videoId;
    private String courseId;
    private String userId;
    private String cdn;
    private String region;
    private String device;
    private String player;
    private long nextHeartbeat;

    View(long t0, SplittableRandom r) {
      this.t0 = t0;
      this.r = r;
    }

    List<SimulatedEvent> generate() {
      PlatformModel.Tenant tenant = platform.pickTenant(r);
      PlatformModel.Course course = tenant.courses().get(r.nextInt(tenant.courses().size()));
      PlatformModel.Video video = course.videos().get(r.nextInt(course.videos().size()));
      PlatformModel.Learner learner = course.roster().get(r.nextInt(course.roster().size()));
      tenantId = tenant.id();
      viewId = Seeds.uuid(r);
      videoId = video.id();
      courseId = course.id();
      userId = learner.id();
      device = Seeds.chance(r, 0.05) ? "tv" : learner.device();
      region =
          Seeds.chance(r, 0.9)
              ? tenant.region()
              : PlatformModel.REGIONS[r.nextInt(PlatformModel.REGIONS.length)];
      cdn = CDNS[Seeds.pick(r, CDN_WEIGHTS)];
      player =
          switch (device) {
            case "phone" -> learner.android() ? "pulse-android 5.0.4" : "pulse-ios 5.1.2";
            case "tablet" -> "pulse-ios 5.1.2";
            case "tv" -> "pulse-tv 1.4.0";
            default -> "pulse-web 2.8.0";
          };
      boolean phone = device.equals("phone");
      double q = cdnRegionFactor(cdn, region);
      nextHeartbeat = t0 + HEARTBEAT_MS;

      // Resume where they left off, sometimes.
      long playhead = Seeds.chance(r, 0.3) ? (long) (r.nextDouble() * 0.7 * video.durationMs()) : 0;
      emit(t0, PlaybackEventType.VIEW_START, null, playhead, null, false);

      long startup =
          Math.max(
              150,
              Math.min(
                  60_000, Math.round(Seeds.logNormal(r, deviceStartupMedianMs(device) * q, 0.45))));
      double pFail = 0.012 * q * q;
      // Slow starts make people give up.
      double pExit = 0.03 + (startup > 5_000 ? 0.25 : 0);
      double u = r.nextDouble();
      if (u < pFail) {
        long at = t0 + Math.min(startup, Seeds.between(r, 500, 8_000));
        heartbeatsBefore(at, playhead);
        emit(
            at,
            PlaybackEventType.ERROR,
            null,
            playhead,
            FATAL_CODES[r.nextInt(FATAL_CODES.length)],
            true);
        if (Seeds.chance(r, 0.7)) {
          emit(
              at + Seeds.between(r, 100, 2_000),
              PlaybackEventType.VIEW_END,
              null,
              playhead,
              null,
              false);
        }
        return out;
      }
      if (u < pFail + pExit) {
        long at = t0 + Seeds.between(r, 300, Math.max(301, startup));
        heartbeatsBefore(at, playhead);
        emit(at, PlaybackEventType.VIEW_END, null, playhead, null, false);
        return out;
      }

      long t = t0 + startup;
      heartbeatsBefore(t, playhead);
      int level =
          switch (device) {
            case "phone", "tablet" -> 2;
            case "tv" -> 4;
            default -> 3;
          };
      int maxLevel = phone ? 3 : 4;
      emit(t, PlaybackEventType.FIRST_FRAME, LADDER_KBPS[level], playhead, null, false);

      long watch =
          Math.min(
              video.durationMs() - playhead,
              20_000 + Math.round(Seeds.exponential(r, 12 * 60_000)));
      long fatalAt = Seeds.chance(r, 0.006 * q) ? (long) (r.nextDouble() * watch) : Long.MAX_VALUE;
      double rebufferPerSec = 0.2 / 60 * q * (phone ? 2.0 : 1.0);
      double pausePerSec = 0.1 / 60;
      double seekPerSec = 0.08 / 60;
      double upshiftPerSec = 0.05 / 60;
      double softErrorPerSec = 0.02 / 60 * q;
      long played = 0;
      while (played < watch && playhead < video.durationMs()) {
        if (played >= fatalAt) {
          heartbeatsBefore(t, playhead);
          emit(
              t,
              PlaybackEventType.ERROR,
              null,
              playhead,
              FATAL_CODES[r.nextInt(FATAL_CODES.length)],
              true);
          if (Seeds.chance(r, 0.6)) {
            emit(
                t + Seeds.between(r, 100, 2_000),
                PlaybackEventType.VIEW_END,
                null,
                playhead,
                null,
                false);
          }
          return out;
        }
        if (Seeds.chance(r, rebufferPerSec)) {
          heartbeatsBefore(t, playhead);
          emit(t, PlaybackEventType.REBUFFER_START, null, playhead, null, false);
          long stall =
              Math.max(200, Math.min(30_000, Math.round(Seeds.logNormal(r, 1_500 * q, 0.6))));
          t += stall;
          heartbeatsBefore(t, playhead);
          emit(t, PlaybackEventType.REBUFFER_END, null, playhead, null, false);
          // The player steps down after a stall.
          if (level > 0 && Seeds.chance(r, 0.6)) {
            level--;
            t += Seeds.between(r, 1, 2_000);
            heartbeatsBefore(t, playhead);
            emit(t, PlaybackEventType.BITRATE_CHANGE, LADDER_KBPS[level], playhead, null, false);
          }
        }
        if (Seeds.chance(r, pausePerSec)) {
          heartbeatsBefore(t, playhead);
          emit(t, PlaybackEventType.PAUSE, null, playhead, null, false);
          t += Math.max(1_000, Math.min(600_000, Math.round(Seeds.exponential(r, 40_000))));
          heartbeatsBefore(t, playhead);
          emit(t, PlaybackEventType.RESUME, null, playhead, null, false);
        }
        if (Seeds.chance(r, seekPerSec)) {
          heartbeatsBefore(t, playhead);
          playhead = (long) (r.nextDouble() * video.durationMs() * 0.95);
          emit(t, PlaybackEventType.SEEK, null, playhead, null, false);
        }
        if (level < maxLevel && Seeds.chance(r, upshiftPerSec)) {
          level++;
          heartbeatsBefore(t, playhead);
          emit(t, PlaybackEventType.BITRATE_CHANGE, LADDER_KBPS[level], playhead, null, false);
        }
        if (Seeds.chance(r, softErrorPerSec)) {
          heartbeatsBefore(t, playhead);
          emit(t, PlaybackEventType.ERROR, null, playhead, "SEGMENT_RETRY", false);
        }
        t += 1_000;
        playhead += 1_000;
        played += 1_000;
      }
      heartbeatsBefore(t, playhead);
      // Most viewers close the player; some just close the tab and the beacon never arrives.
      if (Seeds.chance(r, 0.85)) {
        emit(
            t + Seeds.between(r, 0, 1_500),
            PlaybackEventType.VIEW_END,
            null,
            Math.min(playhead, video.durationMs()),
            null,
            false);
      }
      return out;
    }

    /**
     * The heartbeats due before {@code t}, at {@code playhead} (the player reports where it is).
     */
    private void heartbeatsBefore(long t, long playhead) {
      while (nextHeartbeat < t) {
        emit(nextHeartbeat, PlaybackEventType.HEARTBEAT, null, playhead, null, false);
        nextHeartbeat += HEARTBEAT_MS;
      }
    }

    private void emit(
        long t,
        PlaybackEventType type,
        Integer bitrate,
        long playhead,
        String error,
        boolean fatal) {
      PlaybackEvent e =
          PlaybackEvent.newBuilder()
              .setEventId(Seeds.uuid(r))
              .setTenantId(tenantId)
              .setEventTime(Instant.ofEpochMilli(t))
              .setViewId(viewId)
              .setVideoId(videoId)
              .setCourseId(courseId)
              .setUserId(userId)
              .setType(type)
              .setBitrateKbps(bitrate)
              .setPlayheadMs(playhead)
              .setErrorCode(error)
              .setFatal(fatal)
              .setCdn(cdn)
              .setRegion(region)
              .setDevice(device)
              .setPlayer(player)
              .build();
      out.add(SimulatedEvent.of(Topics.PLAYBACK, e, t));
    }
  }
}
