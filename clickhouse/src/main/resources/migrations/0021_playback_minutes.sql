-- playback_minutes: per UTC minute and per (tenant, video, course, CDN, region, device, player), the
-- additive QoE rows written by the playback job (docs/qoe.md, "Per minute"): a view's contribution
-- when a minute of it becomes final (views started, active time) and in the minute it ended (its
-- outcome, startup, rebuffering, times, bitrate, scores), and, when a late event changes a view,
-- the difference (so fields can be negative). Readers always aggregate: sum / sumMap GROUP BY.
CREATE TABLE IF NOT EXISTS playback_minutes
(
    tenant_id            String,
    video_id             String,
    course_id            String,
    cdn                  String,
    region               String,
    device               String,
    player               String,
    -- UTC start of the event-time minute.
    minute               DateTime,
    -- Views that started in the minute (by the view's start).
    views_started        Int64,
    -- The rest by the minute the view ended in.
    views_ended          Int64,
    start_failures       Int64,
    exits_before_start   Int64,
    playback_failures    Int64,
    successes            Int64,
    -- Non-fatal errors.
    errors               Int64,
    -- Views with a startup time, their summed startup time (ms), and its histogram: LatencyBuckets
    -- bucket indexes of milliseconds (1 % relative error) and counts, merged with sumMap.
    startups             Int64,
    startup_ms_sum       Int64,
    startup_buckets      Array(Int32),
    startup_counts       Array(Int64),
    rebuffers            Int64,
    rebuffer_ms          Int64,
    -- View time (Mux's watch time) and playing time, milliseconds.
    view_ms              Int64,
    playing_ms           Int64,
    -- Playing time at a known bitrate, weighted by it (kbps x ms), and that time.
    bitrate_kbps_ms      Int64,
    bitrate_ms           Int64,
    -- Per-view scores in thousandths of a point, summed, and how many views have each.
    startup_score_sum    Int64,
    startup_scores       Int64,
    smoothness_score_sum Int64,
    smoothness_scores    Int64,
    playback_score_sum   Int64,
    playback_scores      Int64,
    experience_score_sum Int64,
    experience_scores    Int64,
    -- Active view time in the minute: concurrent viewers = active_ms / 60000.
    active_ms            Int64,
    -- Identity of the sink batch that inserted the row: the exactly-once committer looks it up.
    batch_id             String,
    inserted_at          DateTime DEFAULT now()
)
-- Plain MergeTree, as api_request_minutes (0005): every row must survive as written.
ENGINE = MergeTree
PARTITION BY toYYYYMM(minute, 'UTC')
-- The QoE page filters by tenant and a time range, then groups by CDN, region, device or player.
ORDER BY (tenant_id, minute, cdn, region, device, player, video_id, course_id);
