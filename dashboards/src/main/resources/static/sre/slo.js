// SRE page of one SLO (?slo=NAME): loads slo(name) over GraphQL (the latest evaluation, the budget
// burn-down and one window's burn rate over the SLO window, the alert history), draws two ECharts
// charts whose time axis is exactly the SLO window, and follows the sloStatus subscription
// (graphql-ws over /graphql-ws): each new evaluation updates the numbers at once, and the charts and
// history are loaded again at most every 15 s. Sign-in is PulseSession's (/assets/session.js).
'use strict';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const READERS = ['SRE', 'ANALYST', 'OPERATOR'];
const RELOAD_MS = 15000;

const STATUS = `name service objective windowStart eligible bad remainingBudget evaluatedAt burnRates { window rate }
  firing { row severity state at since threshold longWindowMinutes shortWindowMinutes burnLong burnShort }`;
const QUERY = `query slo($name: String!, $window: String!) {
  slo(name: $name) {
    ${STATUS}
    budgetBurnDown { from to bucketMinutes points { time evaluatedAt remainingBudget } }
    burnRateSeries(window: $window) { window from to bucketMinutes points { time evaluatedAt rate } }
    alertHistory(limit: 200) { row severity state at since threshold longWindowMinutes shortWindowMinutes burnLong burnShort }
  }
}`;
const LIVE = `subscription live($name: String!) { sloStatus(name: $name) { ${STATUS} } }`;

const state = { name: params.get('slo') || '', live: null, reload: null, evaluatedAt: null };
const charts = {};

function setStatus(text, attrs) {
  const el = $('status');
  el.textContent = text;
  Object.entries(attrs || {}).forEach(([k, v]) => { el.dataset[k] = v; });
}

function percent(x, digits) { return Number((x * 100).toFixed(digits)) + ' %'; }
function rate(x) { return x.toFixed(2) + 'x'; }
function count(x) { return Number(x).toLocaleString('en-US'); }
function minutes(m) { return m % 1440 === 0 ? m / 1440 + ' d' : m % 60 === 0 ? m / 60 + ' h' : m + ' min'; }

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
}

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

/** The numbers of the latest evaluation: summary, burn rates, firing rows. */
function renderStatus(s) {
  state.evaluatedAt = s.evaluatedAt;
  $('slo-name').textContent = s.name;
  $('service-link').href = '/sre/service.html?' + new URLSearchParams({ service: s.service }).toString();
  const summary = $('summary').tBodies[0];
  summary.innerHTML = '';
  row(summary, s.name, [
    ['service', s.service, s.service],
    ['objective', s.objective, percent(s.objective, 4)],
    ['remainingBudget', s.remainingBudget, (td) => budgetBar(td, s.remainingBudget)],
    ['eligible', s.eligible, count(s.eligible)],
    ['bad', s.bad, count(s.bad)],
    ['windowStart', s.windowStart, s.windowStart],
    ['evaluatedAt', s.evaluatedAt, s.evaluatedAt],
  ]);
  const burns = $('burn-rates').tBodies[0];
  burns.innerHTML = '';
  for (const b of s.burnRates) row(burns, b.window, [['window', b.window, b.window], ['rate', b.rate, rate(b.rate)]]);
  const firing = $('firing').tBodies[0];
  firing.innerHTML = '';
  for (const f of s.firing) row(firing, f.row, changeCells(f).filter(([field]) => field !== 'at' && field !== 'state'));
}

function changeCells(c) {
  return [
    ['at', c.at, c.at],
    ['row', c.row, c.row],
    ['severity', c.severity, c.severity],
    ['state', c.state, c.state],
    ['since', c.since, c.since],
    ['threshold', c.threshold, rate(c.threshold)],
    ['longWindowMinutes', c.longWindowMinutes, minutes(c.longWindowMinutes)],
    ['shortWindowMinutes', c.shortWindowMinutes, minutes(c.shortWindowMinutes)],
    ['burnLong', c.burnLong, rate(c.burnLong)],
    ['burnShort', c.burnShort, rate(c.burnShort)],
  ];
}

function chart(id) {
  if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: 'canvas' });
  return charts[id];
}

/** A line over exactly [from, to] of the series (the SLO window): the axis never follows the data. */
function lineOption(from, to, name, data, yAxis, extra) {
  return {
    animation: false,
    grid: { left: 70, right: 20, top: 30, bottom: 30 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'time', min: Date.parse(from), max: Date.parse(to) },
    yAxis,
    series: [Object.assign({ name, type: 'line', showSymbol: data.length < 60, data }, extra || {})],
  };
}

function renderCharts(slo) {
  const b = slo.budgetBurnDown;
  $('budget-bucket').textContent = minutes(b.bucketMinutes);
  chart('chart-budget').setOption(lineOption(b.from, b.to, 'remaining budget',
    b.points.map((p) => [p.evaluatedAt, p.remainingBudget]),
    { type: 'value', name: 'budget', axisLabel: { formatter: (v) => Math.round(v * 100) + ' %' } },
    { areaStyle: { opacity: 0.15 }, markLine: { silent: true, symbol: 'none', data: [{ yAxis: 0, name: 'spent' }] } }), true);
  const r = slo.burnRateSeries;
  $('burn-chart-window').textContent = r.window;
  $('burn-bucket').textContent = minutes(r.bucketMinutes);
  chart('chart-burn').setOption(lineOption(r.from, r.to, 'burn rate ' + r.window,
    r.points.map((p) => [p.evaluatedAt, p.rate]),
    { type: 'value', name: 'x budget', min: 0 },
    { color: '#d9363e', markLine: { silent: true, symbol: 'none', data: [{ yAxis: 1, name: '1x' }] } }), true);
}

function renderHistory(changes) {
  $('alerts-count').textContent = String(changes.length);
  const body = $('alerts').tBodies[0];
  body.innerHTML = '';
  for (const c of changes) row(body, c.at + ' ' + c.row + ' ' + c.state, changeCells(c));
}

async function load(quiet) {
  if (!quiet) setStatus('Loading ' + state.name + ' ...', { state: 'loading' });
  try {
    const data = await PulseSession.graphql(QUERY, { name: state.name, window: $('burn-window').value });
    const slo = data.slo;
    if (!slo) {
      setStatus('No SLO named ' + state.name + ' has been evaluated for this tenant.', { state: 'empty' });
      return;
    }
    renderStatus(slo);
    renderCharts(slo);
    renderHistory(slo.alertHistory);
    setStatus('Evaluated up to ' + slo.evaluatedAt + '; budget over ' + slo.budgetBurnDown.from + ' .. ' + slo.budgetBurnDown.to + '.',
      { state: 'loaded', loads: Number($('status').dataset.loads || 0) + 1 });
    if (!quiet) subscribe();
  } catch (e) {
    setStatus(e.message, { state: 'error' });
  }
}

/** New evaluations as they land: the numbers at once, the charts and history again within 15 s. */
function subscribe() {
  if (state.live) { state.live.dispose(); state.live = null; }
  const client = PulseSession.liveClient({
    connected: () => { $('status').dataset.live = 'connected'; },
    closed: () => { $('status').dataset.live = 'closed'; },
  });
  state.live = client;
  client.subscribe({ query: LIVE, variables: { name: state.name } }, {
    next: (message) => {
      const s = message.data && message.data.sloStatus;
      if (!s || state.live !== client) return;
      const newer = s.evaluatedAt !== state.evaluatedAt;
      renderStatus(s);
      $('status').dataset.lastUpdate = s.evaluatedAt;
      if (newer && !state.reload) state.reload = setTimeout(() => { state.reload = null; load(true); }, RELOAD_MS);
    },
    error: (e) => {
      $('status').dataset.live = 'error';
      setStatus('Live updates stopped: ' + PulseSession.liveError(e), { state: 'loaded' });
    },
    complete: () => {},
  });
}

async function start() {
  if (!state.name) { setStatus('Name an SLO: /sre/slo.html?slo=NAME (the list is at /sre/slos.html).', { state: 'empty' }); return; }
  $('slo-name').textContent = state.name;
  document.title = 'Pulse · SLO ' + state.name;
  const me = await PulseSession.start();
  if (!me) { setStatus('Sign in to start: open a sign-in link, or paste a token.', { state: 'idle' }); return; }
  if (!me.roles.some((r) => READERS.includes(r))) {
    setStatus('SLOs are for SREs, analysts and operators; you are signed in as ' + me.roles.join(', ').toLowerCase() + '.', { state: 'forbidden' });
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
$('controls').addEventListener('submit', (e) => { e.preventDefault(); load(true); });
$('burn-window').addEventListener('change', () => load(true));
window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
start();
