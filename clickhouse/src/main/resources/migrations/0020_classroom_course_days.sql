-- classroom_course_days: course rollups by UTC day of the session's start (docs/engagement.md,
-- "Course rollups"), kept by two materialized views as the classroom job writes sessions and
-- learner sessions. A view pays here: a course page shows weeks of days, and each day sums a few
-- sessions of up to hundreds of learners. Read with -Merge (uniqExactIfMerge for attending_learners) ... GROUP BY day, never directly.
CREATE TABLE IF NOT EXISTS classroom_course_days
(
    tenant_id                 String,
    course_id                 String,
    day                       Date,
    sessions                  AggregateFunction(sum, UInt64),
    learner_sessions          AggregateFunction(sum, UInt64),
    attended_learner_sessions AggregateFunction(sum, UInt64),
    -- Exact, not uniq's estimate: educators compare it with their roster. The -If state (user,
    -- attended): on 18.16 the combinator is part of the state's type. Read with uniqExactIfMerge.
    attending_learners        AggregateFunction(uniqExactIf, String, UInt8),
    present_ms                AggregateFunction(sum, UInt64),
    focused_ms                AggregateFunction(sum, UInt64),
    chat                      AggregateFunction(sum, UInt64),
    hands                     AggregateFunction(sum, UInt64),
    polls                     AggregateFunction(sum, UInt64),
    reactions                 AggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(day)
ORDER BY (tenant_id, course_id, day);

-- Sessions held, from the ended sessions; the learner columns add nothing here.
CREATE MATERIALIZED VIEW IF NOT EXISTS classroom_course_days_sessions_mv TO classroom_course_days AS
SELECT
    tenant_id,
    course_id,
    toDate(session_start, 'UTC')       AS day,
    sumState(toUInt64(1))              AS sessions,
    sumState(toUInt64(0))              AS learner_sessions,
    sumState(toUInt64(0))              AS attended_learner_sessions,
    uniqExactIfState('', toUInt8(0))   AS attending_learners,
    sumState(toUInt64(0))              AS present_ms,
    sumState(toUInt64(0))              AS focused_ms,
    sumState(toUInt64(0))              AS chat,
    sumState(toUInt64(0))              AS hands,
    sumState(toUInt64(0))              AS polls,
    sumState(toUInt64(0))              AS reactions
FROM classroom_sessions
GROUP BY tenant_id, course_id, day;

-- Learner sessions: attendance, attention and interactions.
CREATE MATERIALIZED VIEW IF NOT EXISTS classroom_course_days_learners_mv TO classroom_course_days AS
SELECT
    tenant_id,
    course_id,
    toDate(session_start, 'UTC')              AS day,
    sumState(toUInt64(0))                     AS sessions,
    sumState(toUInt64(1))                     AS learner_sessions,
    sumState(toUInt64(attended))              AS attended_learner_sessions,
    uniqExactIfState(user_id, attended)       AS attending_learners,
    sumState(attendance_ms)                   AS present_ms,
    sumState(focused_ms)                      AS focused_ms,
    sumState(chat)                            AS chat,
    sumState(hands)                           AS hands,
    sumState(polls)                           AS polls,
    sumState(reactions)                       AS reactions
FROM classroom_learner_sessions
GROUP BY tenant_id, course_id, day;
