// The anomaly section: one card per anomaly, with a kind-specific view of Anomaly.Data and a button that
// highlights its operations on the timeline.
import { el, svg, OUTCOME_COLORS, OUTCOME_WORDS, fmtTime, fmtDuration, pretty, plural } from './util.js';
import { rowOfIndex, collectAnomalies } from './model.js';
import { cssId } from './header.js';

const MAX_ROWS = 200, FIRST_CARDS = 3, MAX_CARDS = 500;

export function renderAnomalies(model, section, timeline) {
  const all = collectAnomalies(model.results);
  section.replaceChildren(el('h2', null, `Anomalies (${all.length})`));
  if (!model.results) {
    section.appendChild(el('p', { class: 'muted' }, 'Not checked: no results.json, so no anomalies to show.'));
    return;
  }
  if (!all.length) {
    section.appendChild(el('p', { class: 'muted' }, 'The checkers found no anomalies.'));
    return;
  }
  // Every anomaly's ops get a thin outline on the timeline.
  for (const { anomaly } of all) for (const i of anomaly.ops || []) { const r = rowOfIndex(model, i); if (r >= 0) timeline.highlight.add(r); }
  timeline.request();
  // One group per checker and anomaly type: the first few cards shown, the rest drawn when opened.
  const groups = new Map();
  for (const item of all) {
    const key = `${item.checker}|${item.anomaly.type}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  const seen = new Set();
  for (const items of groups.values()) {
    const checker = items[0].checker.split(' › ').pop();
    const group = el('div', { class: 'anomaly-group' },
      el('h3', null, `${items[0].anomaly.type || 'anomaly'} `, el('span', { class: 'muted' }, `${items[0].checker} · ${items.length}`)));
    if (!seen.has(checker)) { seen.add(checker); group.id = `anomalies-${cssId(checker)}`; }
    for (const item of items.slice(0, FIRST_CARDS)) group.appendChild(renderCard(model, item, timeline));
    if (items.length > FIRST_CARDS) {
      const rest = items.slice(FIRST_CARDS, MAX_CARDS);
      const more = el('details', { class: 'more' }, el('summary', null, `${items.length - FIRST_CARDS} more ${items[0].anomaly.type || 'anomalies'}`));
      more.addEventListener('toggle', () => {
        if (!more.open || more.childNodes.length > 1) return;
        for (const item of rest) more.appendChild(renderCard(model, item, timeline));
        if (items.length > MAX_CARDS) more.appendChild(el('p', { class: 'muted' }, `… and ${items.length - MAX_CARDS} more (see results.json)`));
      });
      group.appendChild(more);
    }
    section.appendChild(group);
  }
}

function kindOf(data) {
  if (!data || typeof data !== 'object') return 'raw';
  if (Array.isArray(data.cycle)) return 'cycle';
  if (Array.isArray(data.lost)) return 'lost';
  if (data.guarantee != null || (data.session != null && Array.isArray(data.ops))) return 'session';
  if (Array.isArray(data.prefix) || Array.isArray(data.stuck)) return 'linearizability';
  return 'raw';
}

function renderCard(model, { checker, anomaly }, timeline) {
  const data = anomaly.data;
  const kind = kindOf(data);
  const rows = [...new Set((anomaly.ops || []).map((i) => rowOfIndex(model, i)).filter((r) => r >= 0))];
  const focusRows = (extra = []) => timeline.focusOn([...new Set([...rows, ...extra])], faultsOf(model, anomaly.ops));
  const body = el('div', { class: 'anomaly-body' });
  const card = el('article', { class: `anomaly kind-${kind}`, 'data-kind': kind },
    el('div', { class: 'anomaly-head' },
      el('span', { class: 'type' }, anomaly.type || 'anomaly'),
      el('span', { class: 'checker' }, checker),
      rows.length ? el('button', { type: 'button', onclick: () => focusRows() }, `show ${plural(rows.length, 'op')} on the timeline`) : null),
    el('p', { class: 'explanation' }, anomaly.explanation || ''),
    body);
  const ctx = { model, timeline };
  try {
    if (kind === 'linearizability') body.append(...linearizability(ctx, data));
    else if (kind === 'cycle') body.append(...cycle(ctx, data));
    else if (kind === 'session') body.append(...session(ctx, data));
    else if (kind === 'lost') body.append(...lost(ctx, data));
    else if (data && typeof data === 'object') body.append(generic(ctx, data));
  } catch (e) {
    body.append(el('p', { class: 'error' }, `Cannot draw this anomaly's data (${e.message}); raw data below.`));
  }
  if (data != null) body.append(el('details', { class: 'raw', open: kind === 'raw' && (data === null || typeof data !== 'object') }, el('summary', null, 'raw data'), el('pre', null, pretty(data))));
  return card;
}

function faultsOf(model, ops) {
  const out = new Set();
  for (const i of ops || []) { const w = model.faultOfIndex.get(i); if (w) out.add(w); }
  return [...out];
}

// A table of operations by history index; `marks` maps an index to a CSS class and a note.
function opTable({ model, timeline }, indices, marks = new Map(), limit = MAX_ROWS) {
  const shown = indices.slice(0, limit);
  const table = el('table', { class: 'ops' },
    el('thead', null, el('tr', null, ['op', 'process', 'f', 'value', 'outcome', 'invoked', 'took', ''].map((h) => el('th', null, h)))),
    el('tbody', null, shown.map((i) => opRow({ model, timeline }, i, marks.get(i)))));
  const parts = [table];
  if (indices.length > limit) parts.push(el('p', { class: 'muted' }, `… and ${indices.length - limit} more`));
  return el('div', { class: 'table-wrap' }, parts);
}

function opRow({ model, timeline }, i, mark) {
  const r = rowOfIndex(model, i);
  const attrs = { class: mark ? `mark ${mark.cls}` : null };
  if (r < 0) {
    const e = model.nemesisByIndex.get(i);
    return el('tr', attrs, el('td', null, `#${i}`), el('td', null, e ? 'nemesis' : '?'), el('td', null, e ? e.f : ''),
      el('td', { class: 'val' }, e ? e.v : 'not in this history'), el('td', null, e ? e.type : ''), el('td', null, e ? fmtTime(model, e.t) : ''), el('td'), el('td', null, mark?.note || ''));
  }
  return el('tr', { ...attrs, onclick: () => { timeline.focusOn([r]); timeline.select(r); }, title: 'show on the timeline' },
    el('td', null, el('a', { href: '#', onclick: (e) => e.preventDefault() }, `#${i}`)),
    el('td', null, String(model.p[r])), el('td', null, model.fs[model.f[r]]),
    el('td', { class: 'val' }, model.values[r]),
    el('td', null, el('i', { class: 'dot', style: `background:${OUTCOME_COLORS[model.type[r]]}` }), OUTCOME_WORDS[model.type[r]]),
    el('td', null, fmtTime(model, model.t0[r])),
    el('td', null, model.type[r] === 3 ? '—' : fmtDuration(model, model.t1[r] - model.t0[r])),
    el('td', null, mark?.note || ''));
}

function show(v) { return v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v); }

function linearizability(ctx, d) {
  const prefix = d.prefix || [], stuck = d.stuck || [];
  const marks = new Map(stuck.map((i) => [i, { cls: 'bad', note: 'cannot be placed' }]));
  const tail = prefix.slice(-12);
  const parts = [
    el('dl', { class: 'facts' },
      d.key != null ? [el('dt', null, 'key'), el('dd', null, show(d.key))] : null,
      el('dt', null, 'linearizable prefix'), el('dd', null, `${plural(prefix.length, 'operation')} can be ordered legally`),
      el('dt', null, 'stuck'), el('dd', null, stuck.length ? `${stuck.map((i) => `#${i}`).join(', ')}: no legal place after the prefix` : '—'),
      el('dt', null, 'model state'), el('dd', null, el('code', null, show(d.state))),
      Array.isArray(d.partition_ops) ? [el('dt', null, 'ops on this key'), el('dd', null, String(d.partition_ops.length))] : null),
    el('h4', null, 'The operation that cannot be placed'),
    opTable(ctx, stuck, marks),
    el('h4', null, `The end of the longest linearizable prefix (last ${tail.length} of ${prefix.length})`),
    opTable(ctx, tail),
  ];
  if (prefix.length > tail.length) parts.push(el('details', null, el('summary', null, `the whole prefix (${prefix.length} ops)`), opTable(ctx, prefix, new Map(), 2000)));
  if (Array.isArray(d.partition_ops) && d.partition_ops.length) {
    const rows = d.partition_ops.map((i) => rowOfIndex(ctx.model, i)).filter((r) => r >= 0);
    parts.push(el('button', { type: 'button', onclick: () => ctx.timeline.focusOn(rows) }, `show all ${rows.length} ops on this key on the timeline`));
  }
  return parts;
}

const EDGE_COLORS = { ww: '#c2410c', wr: '#2563eb', rw: '#b91c1c', process: '#4b5563', realtime: '#047857' };

function cycle(ctx, d) {
  const steps = d.cycle || [];
  const ids = [];
  for (const s of steps) { if (!ids.includes(s.op)) ids.push(s.op); if (s.to != null && !ids.includes(s.to)) ids.push(s.to); }
  const txnOf = new Map(steps.map((s) => [s.op, s.txn]));
  const n = ids.length;
  const R = Math.max(80, n * 34), W = 2 * R + 320, H = 2 * R + 110;
  const cx = W / 2, cy = H / 2;
  const pos = new Map(ids.map((id, k) => {
    const a = -Math.PI / 2 + (2 * Math.PI * k) / Math.max(n, 1);
    return [id, [cx + R * Math.cos(a), cy + R * Math.sin(a)]];
  }));
  const g = svg('svg', { class: 'cycle', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'dependency cycle' });
  const defs = svg('defs');
  for (const [k, c] of Object.entries({ ...EDGE_COLORS, other: '#6b7280' }))
    defs.appendChild(svg('marker', { id: `arrow-${k}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: c })));
  g.appendChild(defs);
  for (const s of steps) {
    const a = pos.get(s.op), b = pos.get(s.to);
    if (!a || !b) continue;
    const kind = EDGE_COLORS[s.edge] ? s.edge : 'other';
    const color = EDGE_COLORS[s.edge] || '#6b7280';
    const [mx, my] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy) || 1;
    const bend = n === 1 ? 60 : Math.min(60, len * 0.25);
    // Bend each edge away from the centre (two-node cycles: to the edge's own left, so the pair separates).
    let nx = -dy / len, ny = dx / len;
    if (n > 2 && nx * (mx - cx) + ny * (my - cy) < 0) { nx = -nx; ny = -ny; }
    const qx = mx + nx * bend, qy = my + ny * bend;
    // Shorten the curve so arrowheads stop at the node boxes.
    const shrink = (p, q, by) => { const l = Math.hypot(q[0] - p[0], q[1] - p[1]) || 1; return [p[0] + ((q[0] - p[0]) * by) / l, p[1] + ((q[1] - p[1]) * by) / l]; };
    const a2 = shrink(a, [qx, qy], 26), b2 = shrink(b, [qx, qy], 26);
    g.appendChild(svg('path', { d: `M${a2[0]},${a2[1]} Q${qx},${qy} ${b2[0]},${b2[1]}`, fill: 'none', stroke: color, 'stroke-width': 2, 'marker-end': `url(#arrow-${kind})` }));
    const lx = (a2[0] + 2 * qx + b2[0]) / 4, ly = (a2[1] + 2 * qy + b2[1]) / 4;
    g.appendChild(svg('rect', { x: lx - 26, y: ly - 10, width: 52, height: 18, rx: 4, fill: '#fff', stroke: color }));
    g.appendChild(svg('text', { x: lx, y: ly + 3, 'text-anchor': 'middle', fill: color, class: 'edge-label' }, String(s.edge ?? '?')));
  }
  for (const id of ids) {
    const [x, y] = pos.get(id);
    const r = rowOfIndex(ctx.model, id);
    const node = svg('g', { class: 'txn', transform: `translate(${x},${y})` },
      svg('rect', { x: -34, y: -16, width: 68, height: 32, rx: 8 }),
      svg('text', { x: 0, y: 5, 'text-anchor': 'middle' }, `T#${id}`),
      svg('text', { x: 0, y: 34, 'text-anchor': 'middle', class: 'txn-text' }, truncate(show(txnOf.get(id) ?? (r >= 0 ? ctx.model.values[r] : '')), 48)));
    if (r >= 0) node.addEventListener('click', () => { ctx.timeline.focusOn([r]); ctx.timeline.select(r); });
    g.appendChild(node);
  }
  const table = el('table', { class: 'edges' },
    el('thead', null, el('tr', null, ['from', 'edge', 'to', 'why'].map((h) => el('th', null, h)))),
    el('tbody', null, steps.map((s) => el('tr', null,
      el('td', null, `T#${s.op}`, el('div', { class: 'val' }, show(s.txn))),
      el('td', null, el('span', { class: 'edge', style: `color:${EDGE_COLORS[s.edge] || '#6b7280'}` }, String(s.edge ?? '?'))),
      el('td', null, `T#${s.to}`),
      el('td', null, s.why || '')))));
  return [
    d.anomaly ? el('p', null, 'Cycle type: ', el('b', null, d.anomaly), ` (${plural(ids.length, 'transaction')})`) : null,
    el('div', { class: 'graph-wrap' }, g),
    el('div', { class: 'edge-legend' }, Object.entries(EDGE_COLORS).map(([k, c]) => el('span', { style: `color:${c}` }, `■ ${k}`))),
    table,
  ].filter(Boolean);
}

function truncate(s, n) { return s.length > n ? s.slice(0, n - 1) + '…' : s; }

function session(ctx, d) {
  const ops = d.ops || [];
  const marks = new Map();
  if (d.offending_op != null) marks.set(d.offending_op, { cls: 'bad', note: `offending: expected at least ${show(d.expected_at_least)}, observed ${show(d.observed)}` });
  return [
    el('dl', { class: 'facts' },
      el('dt', null, 'guarantee'), el('dd', null, show(d.guarantee)),
      el('dt', null, 'session'), el('dd', null, show(d.session)),
      d.key !== undefined ? [el('dt', null, 'key'), el('dd', null, show(d.key))] : null,
      el('dt', null, 'expected at least'), el('dd', null, show(d.expected_at_least)),
      el('dt', null, 'observed'), el('dd', null, show(d.observed))),
    el('h4', null, `The session's operations in order (${ops.length})`),
    opTable(ctx, ops, marks),
  ];
}

function lost(ctx, d) {
  const m = ctx.model;
  const items = d.lost || [];
  const ackOf = (x) => {
    const r = rowOfIndex(m, x.add_op);
    if (r >= 0 && m.type[r] !== 3) return m.t1[r];
    if (typeof x.ack_time === 'number') return m.clock === 'us' ? x.ack_time / 1000 : x.ack_time;
    return null;
  };
  const table = (rows) => el('table', { class: 'ops' },
    el('thead', null, el('tr', null, ['element', 'added by', 'acknowledged at', 'next fault after the acknowledgement'].map((h) => el('th', null, h)))),
    el('tbody', null, rows.map((x) => {
      const r = rowOfIndex(m, x.add_op), ack = ackOf(x);
      const fault = ack == null ? null : m.faults.find((w) => w.start >= ack) || null;
      const during = ack == null ? null : m.faults.find((w) => w.start <= ack && ack <= w.end) || null;
      return el('tr', { onclick: () => ctx.timeline.focusOn(r >= 0 ? [r] : [], [fault, during].filter(Boolean)), title: 'show on the timeline' },
        el('td', null, show(x.element)),
        el('td', null, x.add_op != null ? `#${x.add_op}` : '—', r >= 0 ? ` (process ${m.p[r]})` : ''),
        el('td', null, ack == null ? '—' : fmtTime(m, ack)),
        el('td', null, fault ? `${fault.label} at ${fmtTime(m, fault.start)} (+${fmtDuration(m, fault.start - ack)})` : 'none',
          during ? el('div', { class: 'muted' }, `acknowledged during: ${during.label}`) : null));
    })));
  const FIRST = 20;
  const parts = [el('p', null, `${plural(items.length, 'acknowledged write')} missing from the final read.`),
    el('div', { class: 'table-wrap' }, table(items.slice(0, FIRST)))];
  if (items.length > FIRST) {
    const more = el('details', null, el('summary', null, `${items.length - FIRST} more`));
    more.addEventListener('toggle', () => {
      if (more.open && more.childNodes.length === 1) {
        more.append(el('div', { class: 'table-wrap' }, table(items.slice(FIRST, MAX_ROWS * 10))));
        if (items.length > MAX_ROWS * 10) more.append(el('p', { class: 'muted' }, `… and ${items.length - MAX_ROWS * 10} more (see results.json)`));
      }
    });
    parts.push(more);
  }
  return parts;
}

// Unknown shapes: each top-level field on a line; fields naming an op ("op", "…_op") link to the timeline.
function generic(ctx, d) {
  const opLink = (i) => {
    const r = rowOfIndex(ctx.model, i);
    return r < 0 ? `#${i}` : el('a', { href: '#', onclick: (e) => { e.preventDefault(); ctx.timeline.focusOn([r]); ctx.timeline.select(r); } }, `#${i}`);
  };
  return el('dl', { class: 'facts generic' }, Object.entries(d).map(([k, v]) => [
    el('dt', null, k),
    el('dd', { class: 'val' },
      /(^|_)op$/.test(k) && Number.isInteger(v) ? opLink(v)
        : /(^|_)ops$/.test(k) && Array.isArray(v) && v.length && v.every(Number.isInteger) ? [...v.slice(0, 50).flatMap((i) => [opLink(i), ' ']), v.length > 50 ? `… (${v.length})` : '']
          : truncate(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v), 400)),
  ]));
}
