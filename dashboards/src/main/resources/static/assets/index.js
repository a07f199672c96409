// The start page: signs in from a link, shows who is signed in and, for an educator, their courses.
'use strict';

async function showCaller() {
  const me = await PulseSession.start();
  const courses = document.getElementById('courses');
  if (me && me.courses.length) {
    courses.hidden = false;
    courses.replaceChildren('Your courses: ');
    me.courses.forEach((c, i) => {
      const a = document.createElement('a');
      a.href = '/educator/course.html?' + new URLSearchParams({ course: c }).toString();
      a.textContent = c;
      courses.append(i ? ', ' : '', a);
    });
  } else {
    courses.hidden = true;
  }
}

window.addEventListener('hashchange', () => { if (location.hash.includes('token=')) showCaller(); });
showCaller();
