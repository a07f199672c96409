// SRE video QoE page: loads qoeSeries and qoeBreakdown over GraphQL, draws four ECharts charts, the
// range's totals and the breakdown worst first, and keeps them current with the qoeMinutes
// subscription (graphql-ws over /graphql-ws). Sign-in is PulseSession's (/assets/session.js).
'use strict';

const RANGES = { '15m': 15 * 60e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 24 * 3600e3, '7d': 7 * 86400e3 };
const DIMENSIONS = { video: 'VIDEO', course: 'COURSE', cdn: 'CDN', region: 'REGION', device: 'DEVICE', player: 'PLAYER' };
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const READERS = ['SRE', 'ANALYST', 'OPERATOR'];

const METRICS = `viewsStarted viewsEnded failureRate startupTimeP50Ms startupTimeP95Ms rebufferPercentage
  startupScore smoothnessScore playbackSuccessScore experienceScore scoredViews concurrentViewers`;
const QUERY = `query qoe($filter: QoeFilter, $from: DateTime!, $to: DateTime!, $granularity: Granularity, $by: [QoeDimension!]!) {
  qoeSeries(filter: $filter, from: $from, to: $to, granularity: $granularity) {
    from to granularity points { time metrics { ${METRICS} } }
  }
  qoeBreakdown(by: $by, filter: $filter, from: $from, to: $to, limit: 20) {
    from to combinations total { ${METRICS} }
    rows { video course cdn region device player impact metrics { ${METRICS} } }
  }
}`;
const LIVE = `subscription live($filter: QoeFilter) { qoeMinutes(filter: $filter) { time metrics { ${METRICS} } } }`;

const state = { window: null, points: new Map(), live: null, liveTo: false, reload: null };
const charts = {};

function setStatus(text, attrs) {
  const el = $('status');
  el.textContent = text;
  Object.entries(attrs || {}).forEach(([k, v]) => { el.dataset[k] = v; });
}

/** The filter from the URL (?cdn=...&region=...): its dimensions given, or null for the whole tenant. */
function filter() {
  const f = {};
  for (const key of Object.keys(DIMENSIONS)) if (params.get(key)) f[key] = params.get(key);
  return Object.keys(f).length ? f : null;
}

function requestedRange() {
  const range = $('range').value;
  if (range === 'custom' && params.get('from') && params.get('to')) {
    return { from: params.get('from'), to: params.get('to'), live: false };
  }
  const to = new Date(Math.ceil(Date.now() / 60e3) * 60e3);
  return { from: new Date(to.getTime() - RANGES[range === 'custom' ? '1h' : range]).toISOString(), to: to.toISOString(), live: true };
}

async function load(quiet) {
  if (!PulseSession.token()) { setStatus('Sign in to start: open a sign-in link, or paste a token.', { state: 'idle' }); return; }
  const range = requestedRange();
  const by = $('by').value.split(',');
  if (!quiet) setStatus('Loading ...', { state: 'loading' });
  try {
    const data = await PulseSession.graphql(QUERY, { filter: filter(), from: range.from, to: range.to, granularity: params.get('granularity') || null, by });
    const series = data.qoeSeries;
    state.window = { from: Date.parse(series.from), to: Date.parse(series.to), granularity: series.granularity };
    state.liveTo = range.live;
    state.points = new Map(series.points.map((p) => [p.time, p]));
    renderBreakdown(data.qoeBreakdown);
    render();
    setStatus('Showing ' + series.points.length + ' points by ' + series.granularity.toLowerCase() + ', ' + series.from + ' .. ' + series.to
      + '; ' + data.qoeBreakdown.combinations + ' combinations.', { state: 'loaded', loads: Number($('status').dataset.loads || 0) + 1 });
    if (!quiet) subscribe();
  } catch (e) {
    setStatus(e.message, { state: 'error' });
  }
}

/** Live minutes merged into a minute series; the totals and breakdown are loaded again at most every 15 s. */
function subscribe() {
  if (state.live) { state.live.dispose(); state.live = null; }
  if (state.window.granularity !== 'MINUTE') { $('status').dataset.live = 'off'; return; }
  const client = PulseSession.liveClient({
    connected: () => { $('status').dataset.live = 'connected'; },
    closed: () => { $('status').dataset.live = 'closed'; },
  });
  state.live = client;
  client.subscribe({ query: LIVE, variables: { filter: filter() } }, {
    next: (message) => {
      const p = message.data && message.data.qoeMinutes;
      if (!p || state.live !== client) return;
      const t = Date.parse(p.time);
      if (t < state.window.from || (!state.liveTo && t >= state.window.to)) return;
      state.points.set(p.time, p);
      $('status').dataset.lastUpdate = p.time;
      render();
      if (!state.reload) state.reload = setTimeout(() => { state.reload = null; load(true); }, 15000);
    },
    error: (e) => {
      $('status').dataset.live = 'error';
      setStatus('Live updates stopped: ' + PulseSession.liveError(e), { state: 'loaded' });
    },
    complete: () => {},
  });
}

function chart(id) {
  if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: 'canvas' });
  return charts[id];
}

function axisEnd() {
  return state.liveTo ? Math.ceil(Date.now() / 60000) * 60000 : state.window.to;
}

function lineOption(series, unit, yAxis) {
  return {
    animation: false,
    grid: { left: 60, right: 60, top: 30, bottom: 30 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'time', min: state.window.from, max: axisEnd() },
    yAxis: yAxis || { type: 'value', name: unit, min: 0 },
    series,
  };
}

function fixed(x, digits) { return x === null || x === undefined ? '-' : x.toFixed(digits); }
function percent(x) { return x === null || x === undefined ? '-' : (x * 100).toFixed(2) + ' %'; }

/** A table row: each cell [field, value, text]; the exact value stays in data-value. */
function row(body, key, cells) {
  const tr = body.insertRow();
  tr.dataset.key = key;
  for (const [field, value, text] of cells) {
    const td = tr.insertCell();
    td.dataset.field = field;
    td.dataset.value = value === null || value === undefined ? '' : String(value);
    td.textContent = text;
  }
}

function metricCells(m) {
  return [
    ['viewsEnded', m.viewsEnded, Number(m.viewsEnded).toLocaleString('en-US')],
    ['experienceScore', m.experienceScore, fixed(m.experienceScore, 1)],
    ['failureRate', m.failureRate, percent(m.failureRate)],
    ['startupTimeP95Ms', m.startupTimeP95Ms, fixed(m.startupTimeP95Ms, 0)],
    ['rebufferPercentage', m.rebufferPercentage, fixed(m.rebufferPercentage, 2)],
    ['concurrentViewers', m.concurrentViewers, fixed(m.concurrentViewers, 1)],
  ];
}

function renderBreakdown(b) {
  const t = b.total;
  const totals = $('totals').tBodies[0];
  totals.innerHTML = '';
  row(totals, 'total', [
    ['experienceScore', t.experienceScore, fixed(t.experienceScore, 1)],
    ['startupScore', t.startupScore, fixed(t.startupScore, 1)],
    ['smoothnessScore', t.smoothnessScore, fixed(t.smoothnessScore, 1)],
    ['playbackSuccessScore', t.playbackSuccessScore, fixed(t.playbackSuccessScore, 1)],
    ['viewsEnded', t.viewsEnded, Number(t.viewsEnded).toLocaleString('en-US')],
    ['failureRate', t.failureRate, percent(t.failureRate)],
    ['startupTimeP95Ms', t.startupTimeP95Ms, fixed(t.startupTimeP95Ms, 0)],
    ['rebufferPercentage', t.rebufferPercentage, fixed(t.rebufferPercentage, 2)],
    ['concurrentViewers', t.concurrentViewers, fixed(t.concurrentViewers, 1)],
  ]);
  const body = $('breakdown').tBodies[0];
  body.innerHTML = '';
  for (const r of b.rows) {
    const name = Object.keys(DIMENSIONS).filter((k) => r[k] !== null).map((k) => r[k]).join(' · ');
    const [ended, ...rest] = metricCells(r.metrics);
    row(body, name, [['combination', name, name], ['impact', r.impact, fixed(r.impact, 1)], ended, ...rest]);
  }
}

function render() {
  const points = [...state.points.values()].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const at = (f) => points.map((p) => [p.time, f(p.metrics)]);
  const line = (name, f, extra) => Object.assign({ name, type: 'line', showSymbol: points.length < 60, connectNulls: false, data: at(f) }, extra || {});
  chart('chart-scores').setOption(lineOption([
    line('experience', (m) => m.experienceScore),
    line('startup', (m) => m.startupScore),
    line('smoothness', (m) => m.smoothnessScore),
    line('playback success', (m) => m.playbackSuccessScore),
  ], 'score', { type: 'value', name: 'score', min: 0, max: 100 }), true);
  chart('chart-startup').setOption(lineOption([
    line('p50', (m) => m.startupTimeP50Ms),
    line('p95', (m) => m.startupTimeP95Ms),
  ], 'ms'), true);
  chart('chart-failures').setOption(lineOption([
    line('failure rate %', (m) => (m.failureRate === null ? null : m.failureRate * 100), { color: '#d9363e' }),
    line('rebuffer %', (m) => m.rebufferPercentage, { color: '#f0a020' }),
  ], '%'), true);
  chart('chart-viewers').setOption(lineOption([
    line('concurrent viewers', (m) => m.concurrentViewers),
    { name: 'views started', type: 'bar', yAxisIndex: 1, data: at((m) => m.viewsStarted) },
  ], 'viewers', [{ type: 'value', name: 'viewers', min: 0 }, { type: 'value', name: 'views', min: 0 }]), true);
  document.querySelectorAll('.grain').forEach((el) => { el.textContent = state.window.granularity.toLowerCase(); });
  $('granularity').textContent = state.window.granularity;
  $('points-count').textContent = String(points.length);
  const body = $('points').tBodies[0];
  body.innerHTML = '';
  for (const p of points) {
    const m = p.metrics;
    row(body, p.time, [
      ['time', p.time, p.time],
      ['viewsStarted', m.viewsStarted, Number(m.viewsStarted).toLocaleString('en-US')],
      ['viewsEnded', m.viewsEnded, Number(m.viewsEnded).toLocaleString('en-US')],
      ['experienceScore', m.experienceScore, fixed(m.experienceScore, 1)],
      ['startupTimeP50Ms', m.startupTimeP50Ms, fixed(m.startupTimeP50Ms, 0)],
      ['startupTimeP95Ms', m.startupTimeP95Ms, fixed(m.startupTimeP95Ms, 0)],
      ['failureRate', m.failureRate, percent(m.failureRate)],
      ['rebufferPercentage', m.rebufferPercentage, fixed(m.rebufferPercentage, 2)],
      ['concurrentViewers', m.concurrentViewers, fixed(m.concurrentViewers, 1)],
    ]);
  }
}

async function start() {
  if (params.get('from') && params.get('to')) $('range').value = 'custom';
  if (params.get('by')) $('by').value = params.get('by');
  const f = filter();
  $('filter').textContent = f ? 'only ' + Object.entries(f).map(([k, v]) => k + ' ' + v).join(', ') : '';
  const me = await PulseSession.start();
  if (!me) { setStatus('Sign in to start: open a sign-in link, or paste a token.', { state: 'idle' }); return; }
  if (!me.roles.some((r) => READERS.includes(r))) {
    setStatus('Video QoE is for SREs, analysts and operators; you are signed in as ' + me.roles.join(', ').toLowerCase() + '.', { state: 'forbidden' });
    return;
  }
  await load();
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
$('by').addEventListener('change', () => load());
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
start();
