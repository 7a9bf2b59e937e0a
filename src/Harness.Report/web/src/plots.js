// Throughput and latency percentiles over time, per op f and outcome, with fault windows shaded (uPlot).
import uPlot from 'uplot';
import { el } from './util.js';

export const PALETTE = ['#2563eb', '#db2777', '#059669', '#9333ea', '#ea580c', '#0891b2', '#65a30d', '#b45309', '#4f46e5', '#be123c', '#0f766e', '#7c3aed'];
const OUTCOME = ['ok', 'fail', 'info'];
const DASH = [undefined, [6, 4], [2, 3]];
const QUANTILES = [['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['max', 1]];
const MAX_SERIES = 12;

function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

// Completed ops grouped by series (f, outcome) and time bucket.
export function bucketize(m) {
  const sec = m.clock === 'us' ? 1e6 : 1;
  const x0 = m.start / sec;
  const spanX = Math.max((m.end - m.start) / sec, 1e-6);
  const step = niceStep(spanX / 150);
  const nb = Math.floor(spanX / step) + 1;
  const keyOf = new Map(), series = [];
  const counts = [];
  for (let r = 0; r < m.n; r++) {
    const o = m.type[r];
    if (o === 3) continue;
    const key = m.f[r] * 4 + o;
    let s = keyOf.get(key);
    if (s === undefined) { s = series.length; keyOf.set(key, s); series.push({ f: m.f[r], outcome: o, n: 0 }); }
    series[s].n++;
    counts.push(r);
  }
  const order = series.map((s, k) => k).sort((a, b) => series[b].n - series[a].n).slice(0, MAX_SERIES);
  const keep = new Map(order.map((k, j) => [k, j]));
  const kept = order.map((k) => series[k]);
  const tput = kept.map(() => new Float64Array(nb));
  const lat = kept.map(() => Array.from({ length: nb }, () => []));
  for (const r of counts) {
    const j = keep.get(keyOf.get(m.f[r] * 4 + m.type[r]));
    if (j === undefined) continue;
    const b = Math.min(nb - 1, Math.max(0, Math.floor((m.t1[r] / sec - x0) / step)));
    tput[j][b] += 1;
    lat[j][b].push(m.t1[r] - m.t0[r]);
  }
  for (const l of lat) for (const arr of l) arr.sort((a, b) => a - b);
  const xs = Array.from({ length: nb }, (_, b) => x0 + (b + 0.5) * step);
  return { xs, step, sec, series: kept, tput, lat, dropped: series.length - kept.length };
}

export function shadeFaults(m, sec) {
  return (u) => {
    const ctx = u.ctx, { top, height } = u.bbox;
    ctx.save();
    for (const w of m.faults) {
      const x0 = u.valToPos(w.start / sec, 'x', true), x1 = Math.max(u.valToPos(w.end / sec, 'x', true), x0 + 2);
      const c = w.kind === 'partition' ? '70,110,220' : w.kind === 'kill' ? '215,60,60' : w.kind === 'pause' ? '140,80,200' : w.kind === 'loss' ? '20,150,150' : '110,110,130';
      ctx.fillStyle = `rgba(${c},0.12)`;
      ctx.fillRect(x0, top, x1 - x0, height);
    }
    ctx.restore();
  };
}

// Dragging across a plot zooms it (uPlot) and moves the timeline to the same time range.
export function syncTimeline(timeline, sec) {
  return (u) => {
    const { left, width } = u.select;
    if (!timeline || !(width > 0)) return;
    const min = u.posToVal(left, 'x'), max = u.posToVal(left + width, 'x');
    if (max > min) timeline.setView(min * sec, max * sec);
  };
}

export function renderPlots(m, section, timeline) {
  if (!m.n) { section.appendChild(el('p', { class: 'muted' }, 'No client operations to plot.')); return; }
  const b = bucketize(m);
  const unit = m.clock === 'us' ? 's' : 'events';
  const colorOf = (s) => PALETTE[s.f % PALETTE.length];
  const label = (s) => `${m.fs[s.f]} ${OUTCOME[s.outcome]}`;
  const seriesOpts = b.series.map((s) => ({ label: label(s), stroke: colorOf(s), width: 1.5, dash: DASH[s.outcome], points: { show: false }, spanGaps: false }));
  const width = () => Math.max(320, section.clientWidth - 24);
  const perSec = m.clock === 'us' ? 1 / b.step : 1;
  const tputData = [b.xs, ...b.tput.map((t) => Array.from(t, (c) => (c ? c * perSec : null)))];
  const xAxis = { label: `time (${unit})` };
  const xSeries = { label: 'time', value: (u, v) => (v == null ? '--' : m.clock === 'us' ? `${v.toFixed(2)} s` : `#${Math.round(v)}`) };
  const hooks = { drawClear: [shadeFaults(m, b.sec)], setSelect: [syncTimeline(timeline, b.sec)] };
  const tputHolder = el('div', { class: 'plot' });
  const latHolder = el('div', { class: 'plot' });
  const picker = el('span', { class: 'quantiles' }, 'latency: ');
  section.append(
    el('p', { class: 'muted' }, `Buckets of ${b.step} ${unit}; ok solid, failed dashed, unknown dotted; shaded: fault windows.` +
      ' Drag across a plot to zoom it and the timeline; double-click to reset the plot.' +
      (b.dropped ? ` ${b.dropped} rarer series not shown.` : '')),
    tputHolder, picker, latHolder);
  const tput = new uPlot({
    title: m.clock === 'us' ? 'Throughput (completed ops/s)' : 'Completed ops per bucket', width: width(), height: 240,
    scales: { x: { time: false } }, axes: [xAxis, { label: m.clock === 'us' ? 'ops/s' : 'ops' }],
    series: [xSeries, ...seriesOpts], hooks,
  }, tputData, tputHolder);
  const latData = (q) => [b.xs, ...b.lat.map((l) => l.map((arr) => (arr.length ? arr[Math.min(arr.length - 1, Math.floor(q * arr.length))] / (m.clock === 'us' ? 1000 : 1) : null)))];
  let current = 'p99';
  const lat = new uPlot({
    title: `Latency ${current} (${m.clock === 'us' ? 'ms' : 'events'})`, width: width(), height: 240,
    scales: { x: { time: false }, y: { distr: 3 } }, axes: [xAxis, { label: m.clock === 'us' ? 'ms (log)' : 'events (log)' }],
    series: [xSeries, ...seriesOpts.map((s) => ({ ...s, value: (u, v) => (v == null ? '--' : v < 10 ? v.toFixed(2) : v.toFixed(0)) }))], hooks: { drawClear: [shadeFaults(m, b.sec)], setSelect: [syncTimeline(timeline, b.sec)] },
  }, latData(0.99), latHolder);
  for (const [name, q] of QUANTILES) {
    picker.appendChild(el('button', {
      type: 'button', class: name === current ? 'on' : null,
      onclick: (e) => {
        current = name;
        for (const x of picker.querySelectorAll('button')) x.classList.toggle('on', x === e.target);
        lat.setData(latData(q));
        const t = latHolder.querySelector('.u-title');
        if (t) t.textContent = `Latency ${name} (${m.clock === 'us' ? 'ms' : 'events'})`;
      },
    }, name));
  }
  window.addEventListener('resize', () => { tput.setSize({ width: width(), height: 240 }); lat.setSize({ width: width(), height: 240 }); });
}
