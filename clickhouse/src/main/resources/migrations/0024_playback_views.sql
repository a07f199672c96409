-- playback_views: one row per ended view (docs/qoe.md): its dimensions, start and end, outcome,
-- startup, rebuffering, times, bitrate and scores, written by the playback job when the view ends,
-- and again, with a higher version, when a late event changes it. Read with FINAL (or argMax by
-- version) for each view's latest facts. Scores in thousandths of a point; -1: the view has none.
CREATE TABLE IF NOT EXISTS playback_views
(
    tenant_id         String,
    view_id           String,
    video_id          String,
    course_id         String,
    user_id           String,
    cdn               String,
    region            String,
    device            String,
    player            String,
    -- The view's start S (seconds, for partitions and time functions; milliseconds, exact) and end E.
    view_start        DateTime,
    view_start_ms     UInt64,
    view_end_ms       UInt64,
    -- VIEW_END, fatal-error, idle or max-length.
    ended_by          String,
    -- success, start-failure, exit-before-start or playback-failure.
    outcome           String,
    -- -1 without a startup time.
    startup_ms        Int64,
    rebuffers         UInt32,
    rebuffer_ms       UInt64,
    view_ms           UInt64,
    playing_ms        UInt64,
    bitrate_kbps_ms   UInt64,
    bitrate_ms        UInt64,
    errors            UInt32,
    exit_playhead_ms  UInt64,
    startup_score     Int32,
    smoothness_score  Int32,
    playback_score    Int32,
    experience_score  Int32,
    -- 1 for the view's first facts, one more per correction: the replacing engine keeps the highest.
    version           UInt32
)
-- At least once: a replayed row is the same version of the same view and collapses with it.
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(view_start, 'UTC')
-- A video's views, in time: the educator's video page and one view's timeline.
ORDER BY (tenant_id, video_id, view_id);
