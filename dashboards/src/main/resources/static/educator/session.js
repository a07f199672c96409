// The session page: loads the session; while it runs, follows the classSessionMinutes
// subscription (graphql-ws over /graphql-ws), so each new minute appears without a reload, and
// loads the session once more when the subscription completes (the session has ended: its
// learners are in). Should the live connection fail, it reloads the session every few seconds
// instead.
'use strict';

const SESSION_QUERY = `query($course: String!, $session: String!) {
  classSession(course: $course, session: $session) {
    live
    minutes { time activeLearners peakConcurrent joins attention chat hands polls reactions }
    learners { learner attendanceMinutes attentionRatio cameraShare chat hands polls reactions attended score }
  }
}`;
const MINUTES_SUBSCRIPTION = `subscription($course: String!, $session: String!) {
  classSessionMinutes(course: $course, session: $session) {
    time activeLearners peakConcurrent joins attention chat hands polls reactions
  }
}`;
const POLL_MS = Number(Educator.param('poll') || 10000);
let chart = null;
let scoreChart = null;
let shown = null;

async function loadSession() {
  const me = await PulseSession.start();
  if (!me) { Educator.status('Sign in with an educator link.', 'idle'); return; }
  const course = Educator.param('course');
  const session = Educator.param('session');
  document.getElementById('session-id').textContent = session;
  const back = document.getElementById('course-link');
  back.textContent = course;
  back.href = Educator.link('course.html', { course });
  const s = await load(course, session);
  if (s && s.live) follow(course, session);
}

/** Asks for the whole session and shows it; the session, or null after showing the error. */
async function load(course, session) {
  let s;
  try {
    s = (await PulseSession.graphql(SESSION_QUERY, { course, session })).classSession;
  } catch (e) {
    Educator.failed(e);
    return null;
  }
  shown = s;
  show(course, s);
  Educator.status(s.live ? 'Live: ' + s.minutes.length + ' minutes so far, updating by itself.'
    : 'Ended: ' + s.minutes.length + ' minutes, ' + s.learners.length + ' learners.', 'loaded');
  if (!s.live) live('off');
  return s;
}

function live(state) { document.getElementById('status').dataset.live = state; }

/** New minutes from the subscription, merged into the shown session by their time. */
function follow(course, session) {
  const client = PulseSession.liveClient({ connected: () => live('connected') });
  client.subscribe({ query: MINUTES_SUBSCRIPTION, variables: { course, session } }, {
    next: (message) => {
      const m = message.data && message.data.classSessionMinutes;
      if (!m) return;
      const byTime = new Map(shown.minutes.map((x) => [x.time, x]));
      byTime.set(m.time, m);
      shown.minutes = [...byTime.values()].sort((x, y) => Date.parse(x.time) - Date.parse(y.time));
      document.getElementById('status').dataset.lastUpdate = m.time;
      show(course, shown);
      Educator.status('Live: ' + shown.minutes.length + ' minutes so far, updating by itself.', 'loaded');
    },
    error: () => { client.dispose(); live('polling'); poll(course, session); },
    complete: () => { client.dispose(); load(course, session); },
  });
}

/** The fallback: the whole session again every POLL_MS while it runs. */
async function poll(course, session) {
  const s = await load(course, session);
  if (s && s.live) {
    live('polling');
    setTimeout(() => poll(course, session), POLL_MS);
  }
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
  scores(s.learners);
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


/** How engaged the class was: its learners by score, in bands of ten (shown once it has ended). */
function scores(learners) {
  const section = document.getElementById('scores');
  section.hidden = learners.length === 0;
  if (section.hidden) return;
  const bands = Array.from({ length: 10 }, (_, i) => (i * 10) + '-' + (i === 9 ? 100 : i * 10 + 9));
  const counts = new Array(10).fill(0);
  learners.forEach((l) => { counts[Math.min(9, Math.floor(l.score / 10))] += 1; });
  section.dataset.counts = counts.join(',');
  scoreChart = scoreChart || echarts.init(document.getElementById('chart-scores'));
  scoreChart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', name: 'score', data: bands },
    yAxis: { type: 'value', name: 'learners', minInterval: 1 },
    series: [{ name: 'learners', type: 'bar', data: counts }],
  });
}

loadSession();
