// SRE service page: loads serviceMetrics over GraphQL, draws three ECharts charts and a numbers table,
// and keeps them current with the serviceMetricsUpdates subscription (graphql-ws over /graphql-ws).
// Sign-in (the token, who is signed in) is PulseSession's (/assets/session.js).
'use strict';

const RANGES = { '15m': 15 * 60e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 24 * 3600e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

const SERIES_QUERY = `query serviceMetrics($service: String!, $endpoint: String, $from: DateTime!, $to: DateTime!, $granularity: Granularity) {
  serviceMetrics(service: $service, endpoint: $endpoint, from: $from, to: $to, granularity: $granularity) {
    from to granularity
    points { time requests errors5xx errors4xx errorRate p50Ms p95Ms p99Ms maxMs }
    lateEvents
    lateEventsByBucket { time lateEvents }
  }
}`;
const SERVICES_QUERY = `query { services { name endpoints { path methods } } }`;
const UPDATES = `subscription updates($service: String!, $endpoint: String) {
  serviceMetricsUpdates(service: $service, endpoint: $endpoint) {
    time requests errors5xx errors4xx errorRate p50Ms p95Ms p99Ms maxMs
  }
}`;

const state = { services: [], window: null, points: new Map(), late: { total: 0, buckets: [] }, live: null, liveTo: false };
const charts = {};

const READERS = ['SRE', 'ANALYST', 'OPERATOR'];

function token() { return PulseSession.token(); }

function setStatus(text, attrs) {
  const el = $('status');
  el.textContent = text;
  Object.entries(attrs || {}).forEach(([k, v]) => { el.dataset[k] = v; });
}

function graphql(query, variables) { return PulseSession.graphql(query, variables); }

async function loadServices() {
  const data = await graphql(SERVICES_QUERY, {});
  state.services = data.services;
  const select = $('service');
  select.innerHTML = '';
  for (const s of state.services) select.add(new Option(s.name, s.name));
  if (params.get('service')) {
    if (![...select.options].some((o) => o.value === params.get('service'))) select.add(new Option(params.get('service'), params.get('service')));
    select.value = params.get('service');
  }
  fillEndpoints();
  if (params.get('endpoint')) $('endpoint').value = params.get('endpoint');
}

function fillEndpoints() {
  const select = $('endpoint');
  select.innerHTML = '<option value="">all endpoints</option>';
  const service = state.services.find((s) => s.name === $('service').value);
  for (const e of service ? service.endpoints : []) select.add(new Option(e.path + ' (' + e.methods.join(', ') + ')', e.path));
  if (params.get('endpoint') && ![...select.options].some((o) => o.value === params.get('endpoint'))) {
    select.add(new Option(params.get('endpoint'), params.get('endpoint')));
  }
}

/** The range to show: from/to in the URL (custom) or the last N minutes up to now (live range). */
function requestedRange() {
  const range = $('range').value;
  if (range === 'custom' && params.get('from') && params.get('to')) {
    return { from: params.get('from'), to: params.get('to'), live: false };
  }
  const to = new Date(Math.ceil(Date.now() / 60e3) * 60e3);
  return { from: new Date(to.getTime() - RANGES[range === 'custom' ? '1h' : range]).toISOString(), to: to.toISOString(), live: true };
}

async function load() {
  if (!token()) { setStatus('Sign in to start: open a sign-in link, or paste a token.', { state: 'idle' }); return; }
  const service = $('service').value;
  if (!service) { setStatus('No services have reported requests for this tenant yet.', { state: 'empty' }); return; }
  const endpoint = $('endpoint').value || null;
  const range = requestedRange();
  setStatus('Loading ' + service + ' ...', { state: 'loading' });
  try {
    const data = await graphql(SERIES_QUERY, { service, endpoint, from: range.from, to: range.to, granularity: params.get('granularity') || null });
    const series = data.serviceMetrics;
    state.window = { service, endpoint, from: Date.parse(series.from), to: Date.parse(series.to), granularity: series.granularity };
    state.liveTo = range.live;
    state.points = new Map(series.points.map((p) => [p.time, p]));
    state.late = { total: series.lateEvents, buckets: series.lateEventsByBucket };
    render();
    setStatus('Showing ' + series.points.length + ' points of ' + service + (endpoint ? ' ' + endpoint : '') + ' by ' + series.granularity.toLowerCase()
      + ', ' + series.from + ' .. ' + series.to, { state: 'loaded', loads: Number($('status').dataset.loads || 0) + 1 });
    subscribe(service, endpoint);
  } catch (e) {
    setStatus(e.message, { state: 'error' });
  }
}

/** Live minute points: merged into the shown series when it is by minute and the point falls in (or, for a live range, past) it. */
function subscribe(service, endpoint) {
  if (state.live) { state.live.dispose(); state.live = null; }
  if (state.window.granularity !== 'MINUTE') { $('status').dataset.live = 'off'; return; }
  const client = PulseSession.liveClient({
    connected: () => { $('status').dataset.live = 'connected'; },
    closed: () => { $('status').dataset.live = 'closed'; },
  });
  state.live = client;
  client.subscribe({ query: UPDATES, variables: { service, endpoint } }, {
    next: (message) => {
      const p = message.data && message.data.serviceMetricsUpdates;
      if (!p || state.live !== client) return;
      const t = Date.parse(p.time);
      if (t < domain().min || (!state.liveTo && t >= state.window.to)) return;
      state.points.set(p.time, p);
      $('status').dataset.lastUpdate = p.time;
      render();
    },
    error: (e) => {
      $('status').dataset.live = 'error';
      setStatus('Live updates stopped: ' + PulseSession.liveError(e), { state: 'loaded' });
    },
    complete: () => {},
  });
}

function sortedPoints() {
  return [...state.points.values()].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

function chart(id) {
  if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: 'canvas' });
  return charts[id];
}

/** Width of one point of each granularity, ms. */
const BUCKET_MS = { MINUTE: 60e3, HOUR: 3600e3, DAY: 86400e3 };

/**
 * The time axis every chart shares: exactly the chosen range as the API covers it (whole buckets),
 * and for a live range the same length ending with the current minute, so it slides with the clock
 * instead of growing from the range's start.
 */
function domain() {
  const length = state.window.to - state.window.from;
  if (!state.liveTo) return { min: state.window.from, max: state.window.to };
  const max = Math.max(state.window.to, Math.ceil(Date.now() / 60000) * 60000);
  return { min: max - length, max };
}

function lineOption(series, unit) {
  const x = domain();
  return {
    animation: false,
    grid: { left: 60, right: 20, top: 30, bottom: 30 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    // Fixed ends: ECharts' bar series would widen a time axis by their own width, a width taken from
    // the smallest gap between the data's buckets (sparse minutes made the last hour hours wide), so
    // the requests are drawn as custom rectangles over their buckets instead (bucketBars).
    xAxis: { type: 'time', min: x.min, max: x.max },
    yAxis: { type: 'value', name: unit, min: 0 },
    series,
  };
}

/**
 * A bar per point as a rectangle over part of its bucket, [time + left x width, time + right x
 * width), from `base` up by the value: points are [time, value, base (0 when absent)]. Unlike
 * ECharts' bar series it leaves the axis alone, and its width is the bucket's however few points
 * there are.
 */
function bucketBars(name, color, points, left, right) {
  const width = BUCKET_MS[state.window.granularity];
  return {
    name,
    type: 'custom',
    color,
    clip: true,
    encode: { x: 0, y: [1, 2], tooltip: [3] },
    data: points.map(([t, v, base]) => [Date.parse(t), (base || 0) + v, base || 0, v]),
    renderItem: (params, api) => {
      const start = api.value(0);
      const top = api.coord([start + width * left, api.value(1)]);
      const bottom = api.coord([start + width * right, api.value(2)]);
      return {
        type: 'rect',
        shape: { x: top[0], y: top[1], width: Math.max(1, bottom[0] - top[0]), height: bottom[1] - top[1] },
        style: { fill: api.visual('color') },
      };
    },
  };
}

function formatCell(field, value) {
  if (value === null || value === undefined) return '';
  if (field === 'time') return value;
  if (field === 'errorRate') return (value * 100).toFixed(2) + ' %';
  if (field.endsWith('Ms')) return value.toFixed(2);
  return Number(value).toLocaleString('en-US');
}

function render() {
  // A live range slides: minutes that fell off its start are no longer shown.
  const x = domain();
  for (const t of [...state.points.keys()]) if (Date.parse(t) < x.min) state.points.delete(t);
  const points = sortedPoints();
  const at = (f) => points.map((p) => [p.time, f(p)]);
  // Each bucket's requests, its 5xx (left half) and 4xx (right half) within them, and its late
  // events (counted in no request) on top.
  const requestsAt = (t) => (state.points.has(t) ? state.points.get(t).requests : 0);
  chart('chart-requests').setOption(lineOption([
    bucketBars('requests', '#5470c6', at((p) => p.requests), 0.1, 0.9),
    bucketBars('5xx', '#d9363e', at((p) => p.errors5xx), 0.1, 0.5),
    bucketBars('4xx', '#f0a020', at((p) => p.errors4xx), 0.5, 0.9),
    bucketBars('late (not in requests)', '#9aa0a6', state.late.buckets.map((b) => [b.time, b.lateEvents, requestsAt(b.time)]), 0.1, 0.9),
  ], 'requests'), true);
  renderLateEvents();
  chart('chart-errors').setOption(lineOption([
    { name: 'error rate %', type: 'line', showSymbol: points.length < 60, data: at((p) => p.errorRate * 100) },
  ], '%'), true);
  chart('chart-latency').setOption(lineOption([
    { name: 'p50', type: 'line', showSymbol: points.length < 60, data: at((p) => p.p50Ms) },
    { name: 'p95', type: 'line', showSymbol: points.length < 60, data: at((p) => p.p95Ms) },
    { name: 'p99', type: 'line', showSymbol: points.length < 60, data: at((p) => p.p99Ms) },
  ], 'ms'), true);
  document.querySelectorAll('.grain').forEach((el) => { el.textContent = state.window.granularity.toLowerCase(); });
  $('granularity').textContent = state.window.granularity;
  $('points-count').textContent = String(points.length);
  // The exact numbers behind the charts, as the API sent them (the browser test compares them with the API).
  const body = $('points').tBodies[0];
  body.innerHTML = '';
  for (const p of points) {
    const row = body.insertRow();
    row.dataset.time = p.time;
    const cells = { time: p.time, requests: p.requests, errors5xx: p.errors5xx, errors4xx: p.errors4xx, errorRate: p.errorRate,
      p50Ms: p.p50Ms, p95Ms: p.p95Ms, p99Ms: p.p99Ms, maxMs: p.maxMs };
    for (const [field, value] of Object.entries(cells)) {
      const cell = row.insertCell();
      cell.dataset.field = field;
      // The exact value as the API sent it stays on the cell; people read it rounded.
      cell.dataset.value = value === null ? '' : String(value);
      cell.textContent = formatCell(field, value);
    }
  }
}

/** The note beside the requests chart: how many late events the shown range has (as loaded). */
function renderLateEvents() {
  const n = state.late.total;
  const el = $('late-events');
  el.dataset.lateEvents = String(n);
  el.classList.toggle('some', n > 0);
  el.textContent = Number(n).toLocaleString('en-US') + (n === 1 ? ' late event' : ' late events') + ' in this range'
    + (n > 0 ? ': they arrived after the allowed lateness and are stored, but not counted in these charts.' : '.');
}

async function start() {
  if (params.get('from') && params.get('to')) $('range').value = 'custom';
  const me = await PulseSession.start();
  if (!me) { setStatus('Sign in to start: open a sign-in link, or paste a token.', { state: 'idle' }); return; }
  if (!me.roles.some((r) => READERS.includes(r))) {
    setStatus('Service metrics are for SREs, analysts and operators; you are signed in as ' + me.roles.join(', ').toLowerCase() + '.', { state: 'forbidden' });
    return;
  }
  try {
    await loadServices();
    await load();
  } catch (e) {
    setStatus(e.message, { state: 'error' });
  }
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  PulseSession.signIn($('token').value);
  $('token').value = '';
  start();
});
// A sign-in link opened in this tab while the page is open changes only the fragment.
window.addEventListener('hashchange', () => { if (location.hash.includes('token=')) start(); });
$('controls').addEventListener('submit', (e) => { e.preventDefault(); load(); });
$('service').addEventListener('change', () => { fillEndpoints(); load(); });
$('endpoint').addEventListener('change', load);
$('range').addEventListener('change', load);
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
// A live range's axis slides with the clock even while no new minute arrives.
setInterval(() => { if (state.window && state.liveTo) render(); }, 30000);
start();
