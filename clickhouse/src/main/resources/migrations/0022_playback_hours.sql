-- playback_hours: the hourly rollup of playback_minutes, as aggregate states; read with sumMerge /
-- sumMapMerge GROUP BY hour, never directly. Kept by playback_hours_mv, which sees each block inserted
-- into playback_minutes once (the exactly-once sink never inserts a batch twice).
CREATE TABLE IF NOT EXISTS playback_hours
(
    tenant_id String,
    video_id  String,
    course_id String,
    cdn       String,
    region    String,
    device    String,
    player    String,
    hour   DateTime,
    views_started AggregateFunction(sum, Int64),
    views_ended AggregateFunction(sum, Int64),
    start_failures AggregateFunction(sum, Int64),
    exits_before_start AggregateFunction(sum, Int64),
    playback_failures AggregateFunction(sum, Int64),
    successes AggregateFunction(sum, Int64),
    errors AggregateFunction(sum, Int64),
    startups AggregateFunction(sum, Int64),
    startup_ms_sum AggregateFunction(sum, Int64),
    rebuffers AggregateFunction(sum, Int64),
    rebuffer_ms AggregateFunction(sum, Int64),
    view_ms AggregateFunction(sum, Int64),
    playing_ms AggregateFunction(sum, Int64),
    bitrate_kbps_ms AggregateFunction(sum, Int64),
    bitrate_ms AggregateFunction(sum, Int64),
    startup_score_sum AggregateFunction(sum, Int64),
    startup_scores AggregateFunction(sum, Int64),
    smoothness_score_sum AggregateFunction(sum, Int64),
    smoothness_scores AggregateFunction(sum, Int64),
    playback_score_sum AggregateFunction(sum, Int64),
    playback_scores AggregateFunction(sum, Int64),
    experience_score_sum AggregateFunction(sum, Int64),
    experience_scores AggregateFunction(sum, Int64),
    active_ms AggregateFunction(sum, Int64),
    startup_hist AggregateFunction(sumMap, Array(Int32), Array(Int64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour, 'UTC')
ORDER BY (tenant_id, hour, cdn, region, device, player, video_id, course_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS playback_hours_mv TO playback_hours AS
SELECT
    tenant_id, video_id, course_id, cdn, region, device, player,
    toStartOfHour(minute, 'UTC') AS hour,
    sumState(views_started) AS views_started,
    sumState(views_ended) AS views_ended,
    sumState(start_failures) AS start_failures,
    sumState(exits_before_start) AS exits_before_start,
    sumState(playback_failures) AS playback_failures,
    sumState(successes) AS successes,
    sumState(errors) AS errors,
    sumState(startups) AS startups,
    sumState(startup_ms_sum) AS startup_ms_sum,
    sumState(rebuffers) AS rebuffers,
    sumState(rebuffer_ms) AS rebuffer_ms,
    sumState(view_ms) AS view_ms,
    sumState(playing_ms) AS playing_ms,
    sumState(bitrate_kbps_ms) AS bitrate_kbps_ms,
    sumState(bitrate_ms) AS bitrate_ms,
    sumState(startup_score_sum) AS startup_score_sum,
    sumState(startup_scores) AS startup_scores,
    sumState(smoothness_score_sum) AS smoothness_score_sum,
    sumState(smoothness_scores) AS smoothness_scores,
    sumState(playback_score_sum) AS playback_score_sum,
    sumState(playback_scores) AS playback_scores,
    sumState(experience_score_sum) AS experience_score_sum,
    sumState(experience_scores) AS experience_scores,
    sumState(active_ms) AS active_ms,
    sumMapState(startup_buckets, startup_counts) AS startup_hist
FROM playback_minutes
GROUP BY tenant_id, video_id, course_id, cdn, region, device, player, hour;
