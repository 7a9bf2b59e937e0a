// Top of the page: the test, its options, seed and nodes, and each checker's verdict in plain words.
import { el, validityOf, pretty, plural } from './util.js';

const VERDICT_WORDS = { valid: 'valid', invalid: 'INVALID', unknown: 'unknown' };

function fmtValue(v) {
  if (v == null) return '—';
  if (Array.isArray(v)) return v.length && v.every((x) => typeof x !== 'object') ? v.join(', ') : JSON.stringify(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function renderHeader(model) {
  const d = model.data, test = model.test, results = model.results;
  const verdict = results ? validityOf(results) : 'not-checked';
  const head = el('header', { class: `top ${verdict}` },
    el('div', { class: 'title-row' },
      el('h1', null, d.title || 'harness report'),
      el('span', { class: `verdict big ${verdict}` }, results ? VERDICT_WORDS[verdict] || verdict : 'not checked')),
    el('div', { class: 'summary-line' }, results ? results.summary || '' :
      'No results.json next to this history: the timeline and plots are shown, but no checker verdict.'));
  const facts = [];
  const counts = [0, 0, 0, 0];
  for (let r = 0; r < model.n; r++) counts[model.type[r]]++;
  facts.push(['operations', `${model.n.toLocaleString()} (${counts[0].toLocaleString()} ok, ${counts[1].toLocaleString()} failed, ${(counts[2] + counts[3]).toLocaleString()} unknown)`]);
  facts.push(['processes', `${model.lanes.reduce((s, l) => s + l.length, 0)} in ${plural(model.lanes.length, 'lane')}`]);
  facts.push(['faults', model.faults.length ? plural(model.faults.length, 'fault window') + ': ' + [...new Set(model.faults.map((w) => w.kind))].join(', ') : 'none']);
  if (test && typeof test === 'object') {
    const pick = (...keys) => { for (const k of keys) if (test[k] != null) return test[k]; const o = test.options || {}; for (const k of keys) if (o[k] != null) return o[k]; return null; };
    const seed = pick('seed', 'Seed'), nodes = pick('nodes', 'Nodes', 'nodeCount', 'NodeCount', 'node_count');
    if (test.name) facts.unshift(['test', test.name]);
    if (seed != null) facts.push(['seed', String(seed)]);
    if (nodes != null) facts.push(['nodes', fmtValue(nodes)]);
    if (test.note) facts.push(['test.json', test.note]);
  }
  const factList = el('dl', { class: 'facts' }, facts.map(([k, v]) => [el('dt', null, k), el('dd', null, v)]));
  const parts = [head];
  for (const note of d.notes || []) parts.push(el('p', { class: 'note' }, note));
  parts.push(el('section', { class: 'card' }, factList, optionsTable(test), sourceLine(d)));
  if (results) parts.push(el('section', { class: 'card' }, el('h2', null, 'Verdicts'), verdictTree(results)));
  return parts;
}

function optionsTable(test) {
  if (!test || typeof test !== 'object') return null;
  const opts = test.options && typeof test.options === 'object' ? test.options : test;
  const rows = Object.entries(opts).filter(([k]) => !['name', 'note', 'options'].includes(k));
  if (!rows.length) return null;
  return el('details', { class: 'options', open: rows.length <= 10 },
    el('summary', null, `options (${rows.length})`),
    el('table', { class: 'kv' }, el('tbody', null, rows.map(([k, v]) => el('tr', null, el('th', null, k), el('td', null, fmtValue(v)))))));
}

function sourceLine(d) {
  return el('div', { class: 'source' }, d.source ? `history: ${d.source} · ` : '', `generated ${d.generated || ''}`);
}

function verdictTree(results) {
  const list = el('ul', { class: 'verdicts' });
  const walk = (r, depth) => {
    const v = validityOf(r);
    const n = (r.anomalies || []).length;
    list.appendChild(el('li', { style: `padding-left:${depth * 18}px` },
      el('span', { class: `verdict ${v}` }, v), ' ', el('b', null, r.checker || '?'), ': ', r.summary || '',
      n ? el('a', { href: `#anomalies-${cssId(r.checker)}`, class: 'count' }, ` (${plural(n, 'anomaly', 'anomalies')})`) : null,
      r.stats ? el('details', { class: 'stats' }, el('summary', null, 'stats'), el('pre', null, pretty(r.stats))) : null));
    for (const c of r.children || []) walk(c, depth + 1);
  };
  walk(results, 0);
  return list;
}

export function cssId(s) { return String(s || 'x').replace(/[^A-Za-z0-9_-]/g, '-'); }
