// Decodes the embedded report data (columnar, delta-encoded; see docs/report.md) into typed arrays.

export function decode(data) {
  const o = data.ops || { n: 0 };
  const n = o.n | 0;
  const t0 = new Float64Array(n), t1 = new Float64Array(n);
  const type = new Uint8Array(n), lane = new Int32Array(n), f = new Int32Array(n), p = new Int32Array(n);
  const i0 = new Float64Array(n), i1 = new Float64Array(n);
  let t = 0, idx = 0, maxD = 0, maxIdx = -1;
  for (let r = 0; r < n; r++) {
    t += o.t0[r]; t0[r] = t; t1[r] = t + o.d[r];
    if (o.d[r] > maxD) maxD = o.d[r];
    idx += o.i0[r]; i0[r] = idx; i1[r] = o.i1[r] > 0 ? idx + o.i1[r] : -1;
    if (i1[r] > maxIdx) maxIdx = i1[r];
    if (i0[r] > maxIdx) maxIdx = i0[r];
    type[r] = o.type[r]; lane[r] = o.lane[r]; f[r] = o.f[r]; p[r] = o.p[r];
  }
  for (const e of data.nemesis || []) if (e.i > maxIdx) maxIdx = e.i;
  const events = Math.max(data.events | 0, maxIdx + 1);
  const rowOf = new Int32Array(Math.max(events, 1) + 1).fill(-1);
  for (let r = 0; r < n; r++) {
    if (i0[r] < rowOf.length) rowOf[i0[r]] = r;
    if (i1[r] >= 0 && i1[r] < rowOf.length) rowOf[i1[r]] = r;
  }
  const lanes = o.lanes || [];
  const laneRows = lanes.map(() => []);
  for (let r = 0; r < n; r++) laneRows[lane[r]].push(r);
  const nemesisByIndex = new Map((data.nemesis || []).map((e) => [e.i, e]));
  const faults = (data.faults || []).map((w, k) => ({ ...w, id: k }));
  const faultOfIndex = new Map();
  for (const w of faults) for (const i of w.ops || []) faultOfIndex.set(i, w);
  return {
    data, n, t0, t1, type, lane, f, p, i0, i1, maxD, rowOf,
    fs: o.fs || [], errors: o.errors || [], nodes: o.nodes || [], values: o.v || [], err: o.e || [], nd: o.nd || [],
    lanes, laneRows: laneRows.map((rows) => Int32Array.from(rows)),
    faults, nemesis: data.nemesis || [], nemesisByIndex, faultOfIndex,
    clock: data.clock || 'us', end: Math.max(data.end || 0, n ? t1[n - 1] : 0), start: startOf(data, n ? t0[0] : Infinity),
    results: data.results, test: data.test,
  };
}

// The earliest time in the history (imported histories need not start at 0).
function startOf(data, first) {
  let start = first;
  for (const e of data.nemesis || []) if (e.t < start) start = e.t;
  return Number.isFinite(start) ? start : 0;
}

// The client-op row of a history index (an invocation or a completion), or -1.
export function rowOfIndex(m, idx) {
  return idx >= 0 && idx < m.rowOf.length ? m.rowOf[idx] : -1;
}

export function opText(m, r) {
  return `${m.fs[m.f[r]]} ${m.values[r]}`;
}

// Every anomaly in the result tree, with the path of checkers that found it.
export function collectAnomalies(results) {
  const out = [];
  const walk = (r, path) => {
    if (!r || typeof r !== 'object') return;
    const here = [...path, r.checker || '?'];
    for (const a of r.anomalies || []) out.push({ checker: here.join(' › '), anomaly: a, id: out.length });
    for (const c of r.children || []) walk(c, here);
  };
  walk(results, []);
  return out;
}
