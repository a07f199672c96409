// The session page: reloads the session every few seconds while it runs, so new minutes appear
// without a reload; stops once it has ended.
'use strict';

const SESSION_QUERY = `query($course: String!, $session: String!) {
  classSession(course: $course, session: $session) {
    live
    minutes { time activeLearners peakConcurrent joins attention chat hands polls reactions }
    learners { learner attendanceMinutes attentionRatio cameraShare chat hands polls reactions attended score }
  }
}`;
const POLL_MS = Number(Educator.param('poll') || 10000);
let chart = null;

async function loadSession() {
  const me = await PulseSession.start();
  if (!me) { Educator.status('Sign in with an educator link.', 'idle'); return; }
  const course = Educator.param('course');
  const session = Educator.param('session');
  document.getElementById('session-id').textContent = session;
  const back = document.getElementById('course-link');
  back.textContent = course;
  back.href = Educator.link('course.html', { course });
  poll(course, session);
}

async function poll(course, session) {
  let s;
  try {
    s = (await PulseSession.graphql(SESSION_QUERY, { course, session })).classSession;
  } catch (e) {
    Educator.failed(e);
    return;
  }
  show(course, s);
  const el = document.getElementById('status');
  el.dataset.live = s.live ? 'polling' : 'off';
  Educator.status(s.live ? 'Live: ' + s.minutes.length + ' minutes so far, updating by itself.'
    : 'Ended: ' + s.minutes.length + ' minutes, ' + s.learners.length + ' learners.', 'loaded');
  el.dataset.live = s.live ? 'polling' : 'off';
  if (s.live) setTimeout(() => poll(course, session), POLL_MS);
}

function show(course, s) {
  document.getElementById('minutes-count').textContent = String(s.minutes.length);
  Educator.fill('minutes', s.minutes.map((m) => ({
    key: m.time,
    cells: [
      ['time', m.time, Educator.time(m.time)],
      ['activeLearners', m.activeLearners, String(m.activeLearners)],
      ['peakConcurrent', m.peakConcurrent, String(m.peakConcurrent)],
      ['joins', m.joins, String(m.joins)],
      ['attention', m.attention, Educator.percent(m.attention)],
      ['chat', m.chat, String(m.chat)],
      ['hands', m.hands, String(m.hands)],
      ['polls', m.polls, String(m.polls)],
      ['reactions', m.reactions, String(m.reactions)],
    ],
  })), true);
  document.getElementById('learners-note').hidden = !s.live;
  Educator.fill('learners', s.learners.map((l) => ({
    key: l.learner,
    cells: [
      ['learner', l.learner, l.learner, Educator.link('learner.html', { course, learner: l.learner })],
      ['attendanceMinutes', l.attendanceMinutes, l.attendanceMinutes.toFixed(1)],
      ['attentionRatio', l.attentionRatio, Educator.percent(l.attentionRatio)],
      ['cameraShare', l.cameraShare, Educator.percent(l.cameraShare)],
      ['interactions', l.chat + l.hands + l.polls + l.reactions, String(l.chat + l.hands + l.polls + l.reactions)],
      ['attended', l.attended, l.attended ? 'yes' : 'no'],
      ['score', l.score, String(l.score)],
    ],
  })), true);
  chart = chart || echarts.init(document.getElementById('chart-minutes'));
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['present', 'interactions'] },
    xAxis: { type: 'category', data: s.minutes.map((m) => m.time.slice(11, 16)) },
    yAxis: { type: 'value' },
    series: [
      { name: 'present', type: 'line', data: s.minutes.map((m) => m.activeLearners) },
      { name: 'interactions', type: 'bar', data: s.minutes.map((m) => m.chat + m.hands + m.polls + m.reactions) },
    ],
  });
}

loadSession();
