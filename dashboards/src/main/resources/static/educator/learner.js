// The learner page: one learner's sessions in one of the educator's courses, newest first.
'use strict';

const HISTORY_QUERY = `query($course: String!, $learner: String!) {
  learnerHistory(course: $course, learner: $learner) {
    session sessionStart attendanceMinutes attentionRatio chat hands polls reactions attended score
  }
}`;

async function loadLearner() {
  const me = await PulseSession.start();
  if (!me) { Educator.status('Sign in with an educator link.', 'idle'); return; }
  const course = Educator.param('course');
  const learner = Educator.param('learner');
  document.getElementById('learner-id').textContent = learner;
  const back = document.getElementById('course-link');
  back.textContent = course;
  back.href = Educator.link('course.html', { course });
  let history;
  try {
    history = (await PulseSession.graphql(HISTORY_QUERY, { course, learner })).learnerHistory;
  } catch (e) {
    Educator.failed(e);
    return;
  }
  Educator.fill('history', history.map((h) => ({
    key: h.session,
    cells: [
      ['session', h.session, h.session, Educator.link('session.html', { course, session: h.session })],
      ['sessionStart', h.sessionStart, Educator.time(h.sessionStart)],
      ['attendanceMinutes', h.attendanceMinutes, h.attendanceMinutes.toFixed(1)],
      ['attentionRatio', h.attentionRatio, Educator.percent(h.attentionRatio)],
      ['interactions', h.chat + h.hands + h.polls + h.reactions, String(h.chat + h.hands + h.polls + h.reactions)],
      ['attended', h.attended, h.attended ? 'yes' : 'no'],
      ['score', h.score, String(h.score)],
    ],
  })), true);
  Educator.status(history.length + ' sessions.', 'loaded');
}

loadLearner();
