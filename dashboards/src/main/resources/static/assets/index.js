// The start page: signs in from a link, shows who is signed in and, for an educator, their courses.
'use strict';

async function showCaller() {
  const me = await PulseSession.start();
  const courses = document.getElementById('courses');
  if (me && me.courses.length) {
    courses.hidden = false;
    courses.textContent = 'Your courses: ' + me.courses.join(', ');
  } else {
    courses.hidden = true;
  }
}

window.addEventListener('hashchange', () => { if (location.hash.includes('token=')) showCaller(); });
showCaller();
