// The course page: one of the signed-in educator's courses (the API refuses any other).
'use strict';

const COURSE_QUERY = `query($id: String!, $from: DateTime!, $to: DateTime!) {
  courses { id liveSession }
  course(id: $id, from: $from, to: $to) {
    sessions { session start end endedBy learners attended peakConcurrent meanScore }
    days { day sessions attendedLearnerSessions uniqueAttendingLearners meanAttention interactions }
  }
  atRiskLearners(course: $id) { learner reason }
  courseVideos(course: $id, from: $from, to: $to) { video views viewers watchTimeMs startedPlaying experienceScore }
}`;

async function loadCourse() {
  const me = await PulseSession.start();
  if (!me) { Educator.status('Sign in with an educator link to see your courses.', 'idle'); return; }
  const course = Educator.param('course') || me.courses[0];
  if (!course) { Educator.status('This sign-in names no courses.', 'empty'); return; }
  document.getElementById('course-id').textContent = course;
  const to = Educator.param('to') || new Date(Date.now() + 60000).toISOString().replace(/\.\d+Z$/, 'Z');
  const from = Educator.param('from') || new Date(Date.now() - 90 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  Educator.status('Loading ' + course + '...', 'loading');
  let data;
  try {
    data = await PulseSession.graphql(COURSE_QUERY, { id: course, from, to });
  } catch (e) {
    Educator.failed(e);
    return;
  }
  const nav = document.getElementById('courses');
  nav.replaceChildren();
  for (const c of data.courses) {
    const a = document.createElement('a');
    a.href = Educator.link('course.html', { course: c.id });
    a.textContent = c.id;
    nav.append(a, ' ');
    if (c.id === course && c.liveSession) {
      const live = document.getElementById('live-link');
      live.href = Educator.link('session.html', { course, session: c.liveSession });
      live.textContent = 'Session ' + c.liveSession + ' is running: watch it live';
      document.getElementById('live').hidden = false;
    }
  }
  Educator.fill('sessions', data.course.sessions.map((s) => ({
    key: s.session,
    cells: [
      ['session', s.session, s.session, Educator.link('session.html', { course, session: s.session })],
      ['start', s.start, Educator.time(s.start)],
      ['learners', s.learners, String(s.learners)],
      ['attended', s.attended, String(s.attended)],
      ['peakConcurrent', s.peakConcurrent, String(s.peakConcurrent)],
      ['meanScore', s.meanScore, s.meanScore === null ? '-' : s.meanScore.toFixed(1)],
      ['endedBy', s.endedBy, s.endedBy],
    ],
  })), true);
  Educator.fill('at-risk', data.atRiskLearners.map((r) => ({
    key: r.learner,
    cells: [
      ['learner', r.learner, r.learner, Educator.link('learner.html', { course, learner: r.learner })],
      ['reason', r.reason, r.reason],
    ],
  })), true);
  Educator.fill('videos', data.courseVideos.map((v) => ({
    key: v.video,
    cells: [
      ['video', v.video, v.video, Educator.link('video.html', { course, video: v.video })],
      ['views', v.views, String(v.views)],
      ['viewers', v.viewers, String(v.viewers)],
      ['watchTimeMs', v.watchTimeMs, (v.watchTimeMs / 3600000).toFixed(1)],
      ['startedPlaying', v.startedPlaying, String(v.startedPlaying)],
      ['experienceScore', v.experienceScore, v.experienceScore === null ? '-' : v.experienceScore.toFixed(1)],
    ],
  })), true);
  const chart = echarts.init(document.getElementById('chart-days'));
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['attended learner-sessions', 'mean attention %'] },
    xAxis: { type: 'category', data: data.course.days.map((d) => d.day) },
    yAxis: [{ type: 'value', name: 'learners' }, { type: 'value', name: '%', max: 100 }],
    series: [
      { name: 'attended learner-sessions', type: 'bar', data: data.course.days.map((d) => d.attendedLearnerSessions) },
      { name: 'mean attention %', type: 'line', yAxisIndex: 1,
        data: data.course.days.map((d) => d.meanAttention === null ? null : Math.round(d.meanAttention * 100)) },
    ],
  });
  const n = data.atRiskLearners.length;
  Educator.status(data.course.sessions.length + ' sessions; ' + n + (n === 1 ? ' learner' : ' learners') + ' at risk.', 'loaded');
}

loadCourse();
