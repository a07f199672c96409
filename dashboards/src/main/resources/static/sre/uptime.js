// SRE uptime page: loads uptime and incidents over GraphQL for the chosen range (default the last
// 24 hours; ?from=...&to=... for a custom one, ?target=... for one target), fills the targets,
// incidents and regions tables, draws uptime per target on an ECharts chart whose time axis is
// exactly the range (incidents shaded), and loads everything again every 15 s (a "last ..." range
// moving with the clock). Sign-in is PulseSession's (/assets/session.js).
'use strict';

const RANGES = { '1h': 3600e3, '6h': 6 * 3600e3, '24h': 24 * 3600e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const READERS = ['SRE', 'ANALYST', 'OPERATOR'];
const RELOAD_MS = 15000;
const NUMBERS = 'checks successes uptime meanLatencyMs';
const QUERY = `query uptime($from: DateTime!, $to: DateTime!, $target: String) {
  uptime(from: $from, to: $to, target: $target) {
    from to bucketMinutes
    targets { target ${NUMBERS} regions { region ${NUMBERS} } series { time ${NUMBERS} } }
  }
  incidents(from: $from, to: $to, target: $target, limit: 1000) {
    target start end durationSeconds downMinutes regions ongoing
  }
}`;

const state = { timer: null, seq: 0 };
let uptimeChart = null;

function setStatus(text, attrs) {
  const el = $('status');
  el.textContent = text;
  Object.entries(attrs || {}).forEach(([k, v]) => { el.dataset[k] = v; });
}

function percent(x) { return (x * 100).toFixed(3) + ' %'; }
function count(x) { return Number(x).toLocaleString('en-US'); }
function ms(x) { return x.toFixed(1); }
function minutes(m) { return m % 1440 === 0 ? m / 1440 + ' d' : m % 60 === 0 ? m / 60 + ' h' : m + ' min'; }

/** A duration in seconds as "3 d 10 h 1 min". */
function duration(s) {
  const parts = [];
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) parts.push(d + ' d');
  if (h) parts.push(h + ' h');
  if (m || !parts.length) parts.push(m + ' min');
  return parts.join(' ');
}

/** A table row: each cell [field, value, text or fill(td)]; the exact value stays in data-value. */
function row(body, key, cells) {
  const tr = body.insertRow();
  tr.dataset.key = key;
  for (const [field, value, text] of cells) {
    const td = tr.insertCell();
    td.dataset.field = field;
    td.dataset.value = value === null || value === undefined ? '' : String(value);
    if (typeof text === 'function') text(td); else td.textContent = text;
  }
  return tr;
}

/** The uptime as a bar (red below 99 %) and its number. */
function uptimeBar(td, uptime) {
  const bar = document.createElement('meter');
  bar.min = 0;
  bar.max = 1;
  bar.low = 0.99;
  bar.high = 0.999;
  bar.optimum = 1;
  bar.value = uptime;
  td.append(bar, ' ', percent(uptime));
}

/** The range asked for: from the URL when custom, else the last RANGE up to the next whole minute. */
function requestedRange() {
  const range = $('range').value;
  if (range === 'custom' && params.get('from') && params.get('to')) {
    return { from: new Date(params.get('from')).toISOString(), to: new Date(params.get('to')).toISOString() };
  }
  const to = new Date(Math.ceil(Date.now() / 60e3) * 60e3);
  return { from: new Date(to.getTime() - RANGES[range === 'custom' ? '24h' : range]).toISOString(), to: to.toISOString() };
}

function renderTargets(targets, incidents) {
  const body = $('targets').tBodies[0];
  body.innerHTML = '';
  for (const t of targets) {
    const own = incidents.filter((i) => i.target === t.target);
    row(body, t.target, [
      ['target', t.target, t.target],
      ['uptime', t.uptime, (td) => uptimeBar(td, t.uptime)],
      ['checks', t.checks, count(t.checks)],
      ['successes', t.successes, count(t.successes)],
      ['failed', Number(t.checks) - Number(t.successes), count(Number(t.checks) - Number(t.successes))],
      ['meanLatencyMs', t.meanLatencyMs, ms(t.meanLatencyMs)],
      ['incidents', own.length, own.length + (own.some((i) => i.ongoing) ? ' (one ongoing)' : '')],
    ]);
  }
  const regions = $('regions').tBodies[0];
  regions.innerHTML = '';
  for (const t of targets) {
    for (const r of t.regions) {
      row(regions, t.target + ' ' + r.region, [
        ['target', t.target, t.target],
        ['region', r.region, r.region],
        ['uptime', r.uptime, percent(r.uptime)],
        ['checks', r.checks, count(r.checks)],
        ['successes', r.successes, count(r.successes)],
        ['meanLatencyMs', r.meanLatencyMs, ms(r.meanLatencyMs)],
      ]);
    }
  }
}

function renderIncidents(incidents) {
  $('incidents-count').textContent = String(incidents.length);
  const body = $('incidents').tBodies[0];
  body.innerHTML = '';
  for (const i of incidents) {
    row(body, i.target + ' ' + i.start, [
      ['target', i.target, i.target],
      ['start', i.start, i.start],
      ['end', i.end, i.end],
      ['durationSeconds', i.durationSeconds, duration(Number(i.durationSeconds))],
      ['downMinutes', i.downMinutes, count(i.downMinutes)],
      ['regions', i.regions.join(','), i.regions.join(', ')],
      ['ongoing', i.ongoing, i.ongoing ? 'ongoing' : 'ended'],
    ]);
  }
}

/** One line per target over exactly [from, to]; each target's incidents shaded on its line. */
function renderChart(uptime, incidents) {
  if (!uptimeChart) uptimeChart = echarts.init($('chart-uptime'), null, { renderer: 'canvas' });
  const from = Date.parse(uptime.from);
  const to = Date.parse(uptime.to);
  const series = uptime.targets.map((t) => ({
    name: t.target,
    type: 'line',
    showSymbol: t.series.length < 60,
    data: t.series.map((p) => [p.time, p.uptime]),
    markArea: {
      silent: true,
      itemStyle: { color: 'rgba(217, 54, 62, 0.12)' },
      data: incidents.filter((i) => i.target === t.target)
        .map((i) => [{ xAxis: Math.max(from, Date.parse(i.start)) }, { xAxis: Math.min(to, Date.parse(i.end)) }]),
    },
  }));
  uptimeChart.setOption({
    animation: false,
    grid: { left: 70, right: 20, top: 40, bottom: 30 },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '-' : percent(v)) },
    legend: { top: 0, type: 'scroll' },
    xAxis: { type: 'time', min: from, max: to },
    yAxis: {
      type: 'value',
      name: 'uptime',
      max: 1,
      min: (v) => Math.max(0, Math.floor((v.min - 0.005) * 100) / 100),
      axisLabel: { formatter: (v) => Number((v * 100).toFixed(2)) + ' %' },
    },
    series,
  }, true);
  $('bucket').textContent = minutes(uptime.bucketMinutes);
}

async function load(quiet) {
  // The latest load wins: an answer to an earlier one (the range changed meanwhile) is dropped.
  const seq = ++state.seq;
  const range = requestedRange();
  const target = params.get('target') || null;
  if (!quiet) setStatus('Loading ...', { state: 'loading' });
  try {
    const data = await PulseSession.graphql(QUERY, { from: range.from, to: range.to, target });
    if (seq !== state.seq) return;
    const u = data.uptime;
    renderTargets(u.targets, data.incidents);
    renderIncidents(data.incidents);
    renderChart(u, data.incidents);
    const ongoing = data.incidents.filter((i) => i.ongoing).length;
    setStatus(u.targets.length
      ? u.targets.length + ' targets over ' + u.from + ' .. ' + u.to + '; ' + data.incidents.length + ' incidents, '
        + ongoing + ' ongoing; reloaded every 15 s.'
      : 'No checks of this tenant\'s targets over ' + u.from + ' .. ' + u.to + '.',
    { state: 'loaded', from: u.from, to: u.to, loads: Number($('status').dataset.loads || 0) + 1 });
  } catch (e) {
    if (seq === state.seq) setStatus(e.message, { state: 'error' });
  }
}

async function start() {
  if (state.timer) { clearInterval(state.timer); state.timer = null; }
  if (params.get('from') && params.get('to')) $('range').value = 'custom';
  $('filter').textContent = params.get('target') ? 'only ' + params.get('target') : '';
  const me = await PulseSession.start();
  if (!me) { setStatus('Sign in to start: open a sign-in link, or paste a token.', { state: 'idle' }); return; }
  if (!me.roles.some((r) => READERS.includes(r))) {
    setStatus('Uptime is for SREs, analysts and operators; you are signed in as ' + me.roles.join(', ').toLowerCase() + '.', { state: 'forbidden' });
    return;
  }
  await load();
  state.timer = setInterval(() => load(true), RELOAD_MS);
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  PulseSession.signIn($('token').value);
  $('token').value = '';
  start();
});
window.addEventListener('hashchange', () => { if (location.hash.includes('token=')) start(); });
$('controls').addEventListener('submit', (e) => { e.preventDefault(); load(); });
$('range').addEventListener('change', () => load());
window.addEventListener('resize', () => { if (uptimeChart) uptimeChart.resize(); });
start();
