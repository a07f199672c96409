// What the educator pages share: the course from the URL (checked by the API against the token),
// a status line, the table helper, and the refusal of a course that is not the caller's.
'use strict';

const Educator = (() => {
  const params = new URLSearchParams(location.search);

  function param(name) { return params.get(name); }

  /** The status line: its text and a data-state the tests and the styles read. */
  function status(text, state) {
    const el = document.getElementById('status');
    el.textContent = text;
    el.dataset.state = state;
  }

  /** An error from the API, said plainly; FORBIDDEN means the course is not the caller's. */
  function failed(e) {
    const forbidden = (e.errors || []).some((x) => x.extensions && x.extensions.classification === 'FORBIDDEN');
    if (forbidden) {
      status('This page is not yours to see: ' + e.message + '.', 'forbidden');
    } else {
      status(e.message, 'error');
    }
  }

  /** Fills the tbody of table #id with rows; each cell is [field, value, text]. */
  function fill(id, rows, keyField) {
    const body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement('tr');
      if (keyField) tr.dataset.key = row.key;
      for (const [field, value, text, href] of row.cells) {
        const td = document.createElement('td');
        td.dataset.field = field;
        td.dataset.value = value === null || value === undefined ? '' : String(value);
        if (href) {
          const a = document.createElement('a');
          a.href = href;
          a.textContent = text;
          td.append(a);
        } else {
          td.textContent = text;
        }
        tr.append(td);
      }
      body.append(tr);
    }
  }

  function percent(x) { return x === null || x === undefined ? '-' : (x * 100).toFixed(0) + ' %'; }

  function time(iso) { return iso.replace('T', ' ').replace(':00Z', ' UTC'); }

  function link(page, values) {
    return '/educator/' + page + '?' + new URLSearchParams(values).toString();
  }

  return { param, status, failed, fill, percent, time, link };
})();
