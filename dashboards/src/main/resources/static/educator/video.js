// The video page: one video of one of the signed-in educator's courses (the API refuses any other).
'use strict';

const VIDEO_QUERY = `query($course: String!, $video: String!, $from: DateTime!, $to: DateTime!) {
  courseVideo(course: $course, video: $video, from: $from, to: $to) {
    from to
    totals { views viewers watchTimeMs playingTimeMs startedPlaying experienceScore }
    exits { minute views }
  }
}`;

function hours(ms) { return (ms / 3600000).toFixed(1); }

async function loadVideo() {
  const me = await PulseSession.start();
  if (!me) { Educator.status('Sign in with an educator link to see your videos.', 'idle'); return; }
  const course = Educator.param('course');
  const video = Educator.param('video');
  if (!course || !video) { Educator.status('Open this page from a course page: it needs a course and a video.', 'empty'); return; }
  document.getElementById('video-id').textContent = video;
  const back = document.getElementById('course-link');
  back.textContent = course;
  back.href = Educator.link('course.html', { course });
  const to = Educator.param('to') || new Date(Date.now() + 60000).toISOString().replace(/\.\d+Z$/, 'Z');
  const from = Educator.param('from') || new Date(Date.now() - 90 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  Educator.status('Loading ' + video + '...', 'loading');
  let v;
  try {
    v = (await PulseSession.graphql(VIDEO_QUERY, { course, video, from, to })).courseVideo;
  } catch (e) {
    Educator.failed(e);
    return;
  }
  const t = v.totals;
  Educator.fill('totals', [{ key: 'totals', cells: [
    ['views', t.views, String(t.views)],
    ['viewers', t.viewers, String(t.viewers)],
    ['watchTimeMs', t.watchTimeMs, hours(t.watchTimeMs)],
    ['playingTimeMs', t.playingTimeMs, hours(t.playingTimeMs)],
    ['startedPlaying', t.startedPlaying, String(t.startedPlaying)],
    ['experienceScore', t.experienceScore, t.experienceScore === null ? '-' : t.experienceScore.toFixed(1)],
  ] }], true);
  // Still watching after minute m: the views that played, less those that stopped in minutes 0..m.
  const played = v.exits.reduce((n, e) => n + e.views, 0);
  let left = played;
  const rows = v.exits.map((e) => {
    left -= e.views;
    return { key: String(e.minute), cells: [
      ['minute', e.minute, e.minute + ':00-' + e.minute + ':59'],
      ['views', e.views, String(e.views)],
      ['remaining', left, String(left)],
    ] };
  });
  Educator.fill('exits', rows, true);
  // Every minute of the video up to the last exit, those without exits at 0.
  const last = v.exits.length ? v.exits[v.exits.length - 1].minute : -1;
  const stopped = new Map(v.exits.map((e) => [e.minute, e.views]));
  const minutes = Array.from({ length: last + 1 }, (_, m) => m);
  let watching = played;
  const still = minutes.map((m) => (watching -= stopped.get(m) || 0));
  echarts.init(document.getElementById('chart-exits')).setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['stopped in the minute', 'still watching'] },
    xAxis: { type: 'category', name: 'minute', data: minutes },
    yAxis: { type: 'value', name: 'views', min: 0 },
    series: [
      { name: 'stopped in the minute', type: 'bar', data: minutes.map((m) => stopped.get(m) || 0) },
      { name: 'still watching', type: 'line', step: 'end', data: still },
    ],
  });
  Educator.status(t.views + ' views by ' + t.viewers + ' viewers, ' + v.from + ' .. ' + v.to + '.', 'loaded');
}

loadVideo();
