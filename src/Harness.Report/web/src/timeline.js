// The timeline: one lane per process, one bar per operation from invocation to completion, fault windows as
// shaded bands. Drawn on a <canvas> with culling (only bars inside the view), so 100,000 ops stay smooth.
import { el, OUTCOME_COLORS, OUTCOME_WORDS, fmtTime, fmtDuration, lowerBound } from './util.js';
import { rowOfIndex } from './model.js';

const FAULT_COLORS = {
  partition: [70, 110, 220], kill: [215, 60, 60], pause: [140, 80, 200], loss: [20, 150, 150], clock: [200, 130, 20],
};
const faultRgb = (kind) => FAULT_COLORS[kind] || [110, 110, 130];
const GUTTER = 70, AXIS = 22, RIGHT = 10, STRIP_ROW = 16;

function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

export class Timeline {
  constructor(model, onSelect) {
    this.m = model;
    this.onSelect = onSelect;
    this.highlight = new Set();   // rows of every anomaly (thin outline)
    this.focus = new Set();       // rows of the focused anomaly (thick outline)
    this.focusFaults = new Set();
    this.selected = -1;
    const span = Math.max(model.end - model.start, 1);
    this.full = [model.start - span * 0.01, model.end + span * 0.01];
    this.view = [...this.full];
    this.canvas = el('canvas', { class: 'timeline-canvas', 'aria-label': 'timeline of operations' });
    this.tip = el('div', { class: 'tip', hidden: true });
    this.status = el('span', { class: 'tl-status' });
    const btn = (text, title, fn) => el('button', { type: 'button', title, onclick: fn }, text);
    const legend = el('span', { class: 'legend' },
      OUTCOME_WORDS.map((w, k) => el('span', { class: 'key' }, el('i', { style: `background:${OUTCOME_COLORS[k]}` }), w)),
      el('span', { class: 'key' }, el('i', { class: 'hl' }), 'in an anomaly'),
      el('span', { class: 'key' }, el('i', { style: 'background:rgba(70,110,220,.25)' }), 'fault window'));
    this.root = el('div', { class: 'timeline' },
      el('div', { class: 'toolbar' },
        btn('−', 'zoom out', () => this.zoom(1.6)), btn('+', 'zoom in', () => this.zoom(1 / 1.6)),
        btn('reset', 'show the whole history (double-click)', () => this.reset()),
        el('span', { class: 'hint' }, 'wheel: zoom · drag: pan · double-click: reset · click a bar: details'),
        this.status),
      legend,
      el('div', { class: 'canvas-wrap' }, this.canvas, this.tip));
    this.pending = false;
    if (window.__harnessReport) window.__harnessReport.timeline = this;
    this.installEvents();
    new ResizeObserver(() => this.layout()).observe(this.root);
  }

  layout() {
    const m = this.m;
    const width = Math.max(320, this.root.clientWidth);
    const lanes = Math.max(1, m.lanes.length);
    this.laneH = Math.max(3, Math.min(20, Math.floor(560 / lanes)));
    this.stripRows = this.assignStripRows();
    this.stripH = this.stripRows * STRIP_ROW;
    this.top = AXIS + this.stripH;
    const height = this.top + lanes * this.laneH + 6;
    const dpr = window.devicePixelRatio || 1;
    this.w = width; this.h = height; this.dpr = dpr;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.draw();
  }

  // Fault labels go in a strip above the lanes; overlapping windows get separate rows (at most 4).
  assignStripRows() {
    const ends = [];
    for (const w of this.m.faults) {
      let row = ends.findIndex((e) => e <= w.start);
      if (row < 0) { row = ends.length < 4 ? ends.length : ends.indexOf(Math.min(...ends)); if (row === ends.length) ends.push(0); }
      ends[row] = w.end;
      w.row = row;
    }
    return Math.max(ends.length, this.m.faults.length ? 1 : 0);
  }

  x(t) { return GUTTER + ((t - this.view[0]) * (this.w - GUTTER - RIGHT)) / (this.view[1] - this.view[0]); }
  t(x) { return this.view[0] + ((x - GUTTER) * (this.view[1] - this.view[0])) / (this.w - GUTTER - RIGHT); }

  request() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  }

  draw() {
    const m = this.m, ctx = this.canvas.getContext('2d');
    const W = this.w, H = this.h, top = this.top, laneH = this.laneH;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, W, H);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    // Alternate lane shading and labels.
    for (let l = 0; l < m.lanes.length; l++) {
      const y = top + l * laneH;
      if (l % 2) { ctx.fillStyle = '#f5f6f9'; ctx.fillRect(GUTTER, y, W - GUTTER, laneH); }
      if (laneH >= 9 || l % Math.ceil(9 / laneH) === 0) {
        ctx.fillStyle = '#4a5263';
        const ps = m.lanes[l];
        const label = ps.length === 1 ? `p${ps[0]}` : `p${ps[0]},${ps[1]}${ps.length > 2 ? '…' : ''}`;
        ctx.fillText(label, 6, y + laneH / 2, GUTTER - 10);
      }
    }
    // Fault windows: bands across the lanes, labels in the strip.
    ctx.save();
    ctx.beginPath(); ctx.rect(GUTTER, 0, W - GUTTER, H); ctx.clip();
    for (const w of m.faults) {
      if (w.end < this.view[0] || w.start > this.view[1]) continue;
      const [r, g, b] = faultRgb(w.kind);
      const x0 = this.x(w.start), x1 = Math.max(this.x(w.end), x0 + 2);
      const focused = this.focusFaults.has(w.id);
      ctx.fillStyle = `rgba(${r},${g},${b},${focused ? 0.22 : 0.11})`;
      ctx.fillRect(x0, AXIS + w.row * STRIP_ROW, x1 - x0, H - AXIS - w.row * STRIP_ROW);
      ctx.fillStyle = `rgba(${r},${g},${b},0.85)`;
      ctx.fillRect(x0, AXIS + w.row * STRIP_ROW + 1, x1 - x0, STRIP_ROW - 2);
      ctx.fillStyle = '#ffffff';
      const text = w.label + (w.open ? ' (never healed)' : '');
      if (x1 - x0 > 14) ctx.fillText(text, Math.max(x0, GUTTER) + 3, AXIS + w.row * STRIP_ROW + STRIP_ROW / 2, Math.max(10, x1 - Math.max(x0, GUTTER) - 6));
    }
    // Operations, culled to the view and batched by outcome colour.
    const [v0, v1] = this.view;
    const start = lowerBound(m.t0, v0 - m.maxD), stop = lowerBound(m.t0, v1 + 1e-9);
    const paths = OUTCOME_COLORS.map(() => new Path2D());
    const k = (W - GUTTER - RIGHT) / (v1 - v0);
    const barH = Math.max(2, laneH - (laneH > 6 ? 3 : 1));
    let drawn = 0;
    for (let r = start; r < stop; r++) {
      if (m.t1[r] < v0) continue;
      const x0 = GUTTER + (m.t0[r] - v0) * k;
      const w = Math.max(1, (m.t1[r] - m.t0[r]) * k);
      paths[m.type[r]].rect(x0, top + m.lane[r] * laneH + (laneH - barH) / 2, w, barH);
      drawn++;
    }
    OUTCOME_COLORS.forEach((c, i) => { ctx.fillStyle = c; ctx.fill(paths[i]); });
    // Anomaly ops: outlined, with a marker above so they show when zoomed out.
    const outline = (rows, color, width) => {
      ctx.strokeStyle = color; ctx.lineWidth = width; ctx.fillStyle = color;
      for (const r of rows) {
        if (m.t1[r] < v0 || m.t0[r] > v1) continue;
        const x0 = GUTTER + (m.t0[r] - v0) * k, w = Math.max(3, (m.t1[r] - m.t0[r]) * k);
        const y = top + m.lane[r] * laneH;
        ctx.strokeRect(x0 - 1, y, w + 2, laneH);
        ctx.beginPath(); ctx.moveTo(x0 + w / 2 - 4, y - 5); ctx.lineTo(x0 + w / 2 + 4, y - 5); ctx.lineTo(x0 + w / 2, y); ctx.fill();
      }
    };
    outline(this.highlight, 'rgba(111,45,189,0.75)', 1.5);
    outline(this.focus, '#2b0a57', 2.5);
    if (this.selected >= 0) outline([this.selected], '#111', 2);
    ctx.restore();
    // Axis.
    ctx.fillStyle = '#fbfbfd'; ctx.fillRect(0, 0, W, AXIS);
    ctx.strokeStyle = '#d5d9e2'; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(GUTTER, AXIS - 0.5); ctx.lineTo(W, AXIS - 0.5); ctx.stroke();
    const step = niceStep((v1 - v0) / Math.max(2, (W - GUTTER) / 110));
    ctx.fillStyle = '#4a5263';
    for (let t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
      const x = this.x(t);
      if (x < GUTTER) continue;
      ctx.beginPath(); ctx.moveTo(x + 0.5, AXIS - 5); ctx.lineTo(x + 0.5, H); ctx.strokeStyle = 'rgba(0,0,0,0.06)'; ctx.stroke();
      ctx.fillText(fmtTime(m, t), x + 3, AXIS / 2);
    }
    this.status.textContent = `${drawn.toLocaleString()} of ${m.n.toLocaleString()} ops in view · ${fmtTime(m, v0)} – ${fmtTime(m, v1)}`;
    const state = window.__harnessReport;
    if (state && !state.timelineDrawn) { state.timelineDrawn = true; state.timelineDrawnAt = performance.now(); state.opsDrawn = drawn; }
  }

  setView(a, b) {
    const minSpan = this.m.clock === 'index' ? 4 : 20;
    const fullSpan = this.full[1] - this.full[0];
    let span = Math.min(Math.max(b - a, minSpan), fullSpan * 1.5);
    let c = (a + b) / 2;
    c = Math.min(Math.max(c, this.full[0]), this.full[1]);
    this.view = [c - span / 2, c + span / 2];
    this.request();
  }

  zoom(factor, at) {
    const [a, b] = this.view;
    const c = at ?? (a + b) / 2;
    this.setView(c - (c - a) * factor, c + (b - c) * factor);
  }

  reset() { this.view = [...this.full]; this.request(); }

  // Highlights rows (and fault windows) and brings them into view.
  focusOn(rows, faults = [], zoomTo = true) {
    this.focus = new Set(rows);
    if (window.__harnessReport) window.__harnessReport.focused = [...this.focus];
    this.focusFaults = new Set(faults.map((w) => w.id));
    let a = Infinity, b = -Infinity;
    for (const r of rows) { a = Math.min(a, this.m.t0[r]); b = Math.max(b, this.m.t1[r]); }
    for (const w of faults) { a = Math.min(a, w.start); b = Math.max(b, w.end); }
    if (zoomTo && a <= b) {
      const pad = Math.max((b - a) * 0.25, (this.full[1] - this.full[0]) * 0.002);
      this.setView(a - pad, b + pad);
    } else this.request();
    this.root.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }

  select(row) {
    this.selected = row;
    this.request();
    this.onSelect?.(row);
  }

  // The op row under a canvas point, or a fault window in the strip.
  hit(x, y) {
    const m = this.m;
    if (x < GUTTER) return null;
    if (y >= AXIS && y < this.top) {
      const row = Math.floor((y - AXIS) / STRIP_ROW), t = this.t(x);
      const w = m.faults.find((w) => w.row === row && w.start <= t && t <= Math.max(w.end, this.t(this.x(w.start) + 2)));
      return w ? { fault: w } : null;
    }
    const lane = Math.floor((y - this.top) / this.laneH);
    if (lane < 0 || lane >= m.lanes.length) return null;
    const rows = m.laneRows[lane];
    const t = this.t(x), tol = 3 * (this.view[1] - this.view[0]) / (this.w - GUTTER - RIGHT);
    let lo = 0, hi = rows.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (m.t0[rows[mid]] <= t + tol) lo = mid + 1; else hi = mid; }
    let best = null, bestDist = Infinity;
    for (let k = lo - 1; k >= 0 && k >= lo - 4; k--) {
      const r = rows[k];
      const dist = t < m.t0[r] ? m.t0[r] - t : t > m.t1[r] ? t - m.t1[r] : 0;
      if (dist <= tol && dist < bestDist) { best = r; bestDist = dist; }
    }
    return best == null ? null : { row: best };
  }

  installEvents() {
    const c = this.canvas;
    let drag = null;
    const pos = (e) => { const b = c.getBoundingClientRect(); return [e.clientX - b.left, e.clientY - b.top]; };
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const [x] = pos(e);
      this.zoom(Math.exp(Math.max(-300, Math.min(300, e.deltaY)) * 0.002), this.t(Math.max(x, GUTTER)));
    }, { passive: false });
    c.addEventListener('mousedown', (e) => { drag = { x: pos(e)[0], view: [...this.view], moved: false }; });
    window.addEventListener('mouseup', (e) => {
      if (drag && !drag.moved && e.target === c) {
        const [x, y] = pos(e);
        const h = this.hit(x, y);
        if (h?.row != null) this.select(h.row);
        else if (h?.fault) this.focusOn([], [h.fault], false);
      }
      drag = null;
    });
    c.addEventListener('mousemove', (e) => {
      const [x, y] = pos(e);
      if (drag) {
        const dx = x - drag.x;
        if (Math.abs(dx) > 2) drag.moved = true;
        const dt = (dx * (drag.view[1] - drag.view[0])) / (this.w - GUTTER - RIGHT);
        this.view = [drag.view[0] - dt, drag.view[1] - dt];
        this.request();
        this.tip.hidden = true;
        return;
      }
      this.showTip(this.hit(x, y), x, y);
    });
    c.addEventListener('mouseleave', () => { this.tip.hidden = true; });
    c.addEventListener('dblclick', () => this.reset());
  }

  showTip(h, x, y) {
    if (!h) { this.tip.hidden = true; return; }
    this.tip.replaceChildren(...(h.row != null ? opLines(this.m, h.row) : faultLines(this.m, h.fault)));
    this.tip.hidden = false;
    const left = Math.min(x + 14, this.w - 380);
    this.tip.style.left = `${Math.max(0, left)}px`;
    this.tip.style.top = `${y + 16}px`;
  }
}

export function opLines(m, r) {
  const lines = [];
  const outcome = OUTCOME_WORDS[m.type[r]];
  lines.push(el('div', { class: 'tip-head' }, el('i', { style: `background:${OUTCOME_COLORS[m.type[r]]}` }),
    `${m.fs[m.f[r]]} · process ${m.p[r]} · ${outcome}`));
  lines.push(el('div', { class: 'tip-val' }, m.values[r]));
  const e = m.err[r], nd = m.nd[r];
  if (e >= 0) lines.push(el('div', null, `error: ${m.errors[e]}`));
  if (nd >= 0) lines.push(el('div', null, `node: ${m.nodes[nd]}`));
  lines.push(el('div', { class: 'tip-meta' },
    `invoked ${fmtTime(m, m.t0[r])}, ${m.type[r] === 3 ? 'no completion' : `took ${fmtDuration(m, m.t1[r] - m.t0[r])}`} · ops #${m.i0[r]}${m.i1[r] >= 0 ? ` → #${m.i1[r]}` : ''}`));
  return lines;
}

export function faultLines(m, w) {
  return [
    el('div', { class: 'tip-head' }, `fault: ${w.label}`),
    el('div', { class: 'tip-meta' }, `${fmtTime(m, w.start)} – ${w.open ? 'end of history (never healed)' : fmtTime(m, w.end)} · nemesis ops ${w.ops.map((i) => `#${i}`).join(' ')}`),
    ...w.ops.map((i) => m.nemesisByIndex.get(i)).filter(Boolean).map((e) => el('div', { class: 'tip-val' }, `#${e.i} ${e.type} ${e.f} ${e.v}${e.e ? ` (${e.e})` : ''}`)),
  ];
}

export { rowOfIndex };
