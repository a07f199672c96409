// SRE SLO list: loads `slos` over GraphQL (least budget left first, as the API sorts them) into a
// table linking each SLO to its page, and loads it again every 15 s. Sign-in is PulseSession's
// (/assets/session.js).
'use strict';

const $ = (id) => document.getElementById(id);
const READERS = ['SRE', 'ANALYST', 'OPERATOR'];
const RELOAD_MS = 15000;
const QUERY = `query slos { slos {
  name service objective remainingBudget evaluatedAt burnRates { window rate }
  firing { row severity since }
} }`;

let timer = null;

function setStatus(text, attrs) {
  const el = $('status');
  el.textContent = text;
  Object.entries(attrs || {}).forEach(([k, v]) => { el.dataset[k] = v; });
}

function percent(x, digits) { return Number((x * 100).toFixed(digits)) + ' %'; }
function rate(x) { return x.toFixed(2) + 'x'; }

/** A cell with its exact value in data-value; `fill` adds its content (text, a link, a bar). */
function cell(tr, field, value, fill) {
  const td = tr.insertCell();
  td.dataset.field = field;
  td.dataset.value = value === null || value === undefined ? '' : String(value);
  if (typeof fill === 'string') td.textContent = fill; else fill(td);
  return td;
}

/** The remaining budget as a bar (0 .. 100 %, red when low) and its number. */
function budgetBar(td, remaining) {
  const bar = document.createElement('meter');
  bar.min = 0;
  bar.max = 1;
  bar.low = 0.25;
  bar.high = 0.5;
  bar.optimum = 1;
  bar.value = Math.max(0, Math.min(1, remaining));
  td.append(bar, ' ', percent(remaining, 1));
}

function render(slos) {
  const body = $('slos').tBodies[0];
  body.innerHTML = '';
  for (const s of slos) {
    const tr = body.insertRow();
    tr.dataset.key = s.name;
    cell(tr, 'name', s.name, (td) => {
      const a = document.createElement('a');
      a.href = '/sre/slo.html?' + new URLSearchParams({ slo: s.name }).toString();
      a.textContent = s.name;
      td.append(a);
    });
    cell(tr, 'service', s.service, s.service);
    cell(tr, 'objective', s.objective, percent(s.objective, 4));
    cell(tr, 'remainingBudget', s.remainingBudget, (td) => budgetBar(td, s.remainingBudget));
    for (const w of ['1h', '6h', '3d']) {
      const b = s.burnRates.find((x) => x.window === w);
      cell(tr, 'burn' + w, b.rate, rate(b.rate));
    }
    cell(tr, 'firing', s.firing.map((f) => f.row).join(','),
      s.firing.length ? s.firing.map((f) => f.row + ' (' + f.severity + ') since ' + f.since).join(', ') : '-');
    cell(tr, 'evaluatedAt', s.evaluatedAt, s.evaluatedAt);
  }
}

async function load() {
  try {
    const data = await PulseSession.graphql(QUERY, {});
    render(data.slos);
    const firing = data.slos.filter((s) => s.firing.length).length;
    setStatus(data.slos.length
      ? data.slos.length + ' SLOs, ' + firing + ' with alerts firing; reloaded every 15 s.'
      : 'No SLO has been evaluated for this tenant yet.',
    { state: 'loaded', loads: Number($('status').dataset.loads || 0) + 1 });
  } catch (e) {
    setStatus(e.message, { state: 'error' });
  }
}

async function start() {
  if (timer) { clearInterval(timer); timer = null; }
  const me = await PulseSession.start();
  if (!me) { setStatus('Sign in to start: open a sign-in link, or paste a token.', { state: 'idle' }); return; }
  if (!me.roles.some((r) => READERS.includes(r))) {
    setStatus('SLOs are for SREs, analysts and operators; you are signed in as ' + me.roles.join(', ').toLowerCase() + '.', { state: 'forbidden' });
    return;
  }
  await load();
  timer = setInterval(load, RELOAD_MS);
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  PulseSession.signIn($('token').value);
  $('token').value = '';
  start();
});
window.addEventListener('hashchange', () => { if (location.hash.includes('token=')) start(); });
start();
