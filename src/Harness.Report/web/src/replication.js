// Replication plots: the t-visibility curve from the "visibility" result, and the database's own replication lag
// over time from lag.jsonl (one series per replica, fault windows shaded). The axes are the same in every run
// (docs/replication.md, "Reading the plots"), so two runs compare side by side.
import uPlot from 'uplot';
import { el } from './util.js';
import { PALETTE, shadeFaults, syncTimeline } from './plots.js';

// The first result named `checker` in the result tree, or null.
export function findResult(results, checker) {
  if (!results || typeof results !== 'object') return null;
  if (results.checker === checker) return results;
  for (const c of results.children || []) {
    const found = findResult(c, checker);
    if (found) return found;
  }
  return null;
}

// The top of a fixed y axis: the smallest power of ten at or above max, and at least `least`.
export function decadeTop(max, least) {
  let top = least;
  while (top < max) top *= 10;
  return top;
}

// lag.jsonl samples (columnar, see ReportData.WriteLag) as uPlot data: x = sample times (s), one column per node.
export function lagSeries(lag, sec, field, scale) {
  const times = [...new Set(lag.t)].sort((a, b) => a - b);
  const at = new Map(times.map((t, i) => [t, i]));
  const cols = lag.nodes.map(() => new Array(times.length).fill(null));
  const src = lag[field];
  for (let k = 0; k < lag.t.length; k++) {
    const v = src[k];
    if (v !== null && v !== undefined) cols[lag.node[k]][at.get(lag.t[k])] = v * scale;
  }
  return [times.map((t) => t / sec), ...cols];
}

function visibilityPlot(result, holder, width) {
  const curve = (result.stats && result.stats.t_visibility) || [];
  if (!curve.length) return null;
  const ts = curve.map((b) => b.t_ms);
  const xs = curve.map((b, i) => i);
  const ps = curve.map((b) => (b.p_seen === null || b.p_seen === undefined ? null : b.p_seen));
  return new uPlot({
    title: 'Visibility: P(a read t ms after the acknowledgement sees the write)', width: width(), height: 240,
    scales: { x: { time: false, range: [0, xs.length - 1] }, y: { range: [0, 1] } },
    axes: [
      { label: 't after the acknowledgement (ms; one step per bin)', splits: () => xs, values: (u, splits) => splits.map((i) => `${ts[i]}`) },
      { label: 'P(seen)', splits: () => [0, 0.25, 0.5, 0.75, 1] },
    ],
    series: [
      { label: 't', value: (u, v) => (v == null ? '--' : `≥ ${ts[v]} ms`) },
      { label: 'P(seen)', stroke: PALETTE[0], width: 2, points: { show: true, size: 6 }, spanGaps: false, value: (u, v) => (v == null ? '--' : v.toFixed(3)) },
      { label: 'trials', show: false, value: (u, v) => (v == null ? '--' : `${v}`) },
    ],
  }, [xs, ps, curve.map((b) => b.trials)], holder);
}

function lagPlot(m, holder, width, timeline, title, axis, data, least, digits) {
  let max = 0;
  for (let s = 1; s < data.length; s++) for (const v of data[s]) if (v !== null && v > max) max = v;
  const top = decadeTop(max, least);
  const sec = 1e6;
  return new uPlot({
    title, width: width(), height: 220,
    scales: { x: { time: false, range: [m.start / sec, Math.max(m.end, m.start + 1) / sec] }, y: { range: [0, top] } },
    axes: [{ label: 'time (s)' }, { label: axis }],
    series: [
      { label: 'time', value: (u, v) => (v == null ? '--' : `${v.toFixed(2)} s`) },
      ...m.data.lag.nodes.map((n, i) => ({
        label: n, stroke: PALETTE[(i + 1) % PALETTE.length], width: 1.5, points: { show: true, size: 3 }, spanGaps: false,
        value: (u, v) => (v == null ? '--' : v.toFixed(digits)),
      })),
    ],
    hooks: { drawClear: [shadeFaults(m, sec)], setSelect: [syncTimeline(timeline, sec)] },
  }, data, holder);
}

// Renders into `section` and returns the plots made ({ visibility, replay, bytes }, null where there is no data),
// or null when the run has neither a visibility result nor lag samples (no section then).
export function renderReplication(m, section, timeline) {
  const visibility = findResult(m.results, 'visibility');
  const lag = m.clock === 'us' && m.data.lag && m.data.lag.t && m.data.lag.t.length ? m.data.lag : null;
  if (!(visibility && visibility.stats && visibility.stats.t_visibility) && !lag) return null;
  const width = () => Math.max(320, section.clientWidth - 24);
  const plots = { visibility: null, replay: null, bytes: null };
  const resizers = [];
  if (visibility && visibility.stats && visibility.stats.t_visibility) {
    const holder = el('div', { class: 'plot', id: 'plot-visibility' });
    section.append(el('p', { class: 'muted' }, 'From the history: for each read and each write of its key acknowledged before the read began, ' +
      'whether the read saw it, binned by t = read start - acknowledgement. The x axis is the same 13 bins in every run; y is 0..1.'), holder);
    plots.visibility = visibilityPlot(visibility, holder, width);
    if (plots.visibility) resizers.push(plots.visibility);
  }
  if (lag) {
    const replay = el('div', { class: 'plot', id: 'plot-replay-lag' });
    const bytes = el('div', { class: 'plot', id: 'plot-bytes-behind' });
    section.append(el('p', { class: 'muted' }, 'The database\'s own view, sampled during the run (lag.jsonl): one series per replica; shaded: fault windows. ' +
      'The y axes are in ms and KiB and run from 0 to the next power of ten above the largest value (at least 10), so runs compare. ' +
      'A gap in the replay lag is a sample without one (PostgreSQL: a standby that is not streaming).'), replay, bytes);
    plots.replay = lagPlot(m, replay, width, timeline, 'Replay lag reported by the database (ms)', 'ms', lagSeries(lag, 1e6, 'replay_ms', 1), 10, 1);
    plots.bytes = lagPlot(m, bytes, width, timeline, 'Replication position behind the source (KiB)', 'KiB', lagSeries(lag, 1e6, 'bytes', 1 / 1024), 10, 1);
    resizers.push(plots.replay, plots.bytes);
  }
  window.addEventListener('resize', () => { for (const u of resizers) u.setSize({ width: width(), height: u.height }); });
  return plots;
}
