// Small DOM and formatting helpers.

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

export function svg(tag, attrs, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) e.setAttribute(k, v);
  for (const c of children.flat(Infinity)) if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

export const OUTCOMES = ['ok', 'fail', 'info', 'open'];
export const OUTCOME_COLORS = ['#3c9a55', '#d2443f', '#e0a030', '#a7afbf'];
export const OUTCOME_WORDS = ['ok', 'failed', 'unknown (info)', 'never completed'];

export function validityOf(r) {
  if (!r) return 'unknown';
  if (r.validity) return r.validity;
  return r.valid === true ? 'valid' : r.valid === false ? 'invalid' : 'unknown';
}

// Formats a time in the report's clock: seconds for 'us', an event number for 'index'.
export function fmtTime(model, t) {
  if (model.clock === 'index') return `#${Math.round(t)}`;
  const s = t / 1e6;
  const a = Math.abs(s);
  return a >= 100 ? `${s.toFixed(1)} s` : a >= 10 ? `${s.toFixed(2)} s` : `${s.toFixed(3)} s`;
}

export function fmtDuration(model, d) {
  if (model.clock === 'index') return `${Math.round(d)} events`;
  if (d < 1000) return `${Math.round(d)} µs`;
  if (d < 1e6) return `${(d / 1000).toFixed(d < 1e4 ? 2 : 1)} ms`;
  return `${(d / 1e6).toFixed(2)} s`;
}

export function lowerBound(arr, x, lo = 0, hi = arr.length) {
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (arr[m] < x) lo = m + 1; else hi = m;
  }
  return lo;
}

// JSON for people: short values on one line, long objects and arrays of objects one entry per line.
export function pretty(v, indent = '') {
  let flat;
  try { flat = JSON.stringify(v); } catch { return String(v); }
  if (flat === undefined) return String(v);
  if (flat.length <= 100 || v === null || typeof v !== 'object') return flat;
  const next = indent + '  ';
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return flat;
    return '[\n' + v.map((x) => next + pretty(x, next)).join(',\n') + '\n' + indent + ']';
  }
  return '{\n' + Object.entries(v).map(([k, x]) => `${next}${JSON.stringify(k)}: ${pretty(x, next)}`).join(',\n') + '\n' + indent + '}';
}

export function plural(n, word, many) {
  return `${n} ${n === 1 ? word : (many || word + 's')}`;
}
