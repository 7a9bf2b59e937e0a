import { decode } from './model.js';
import { el } from './util.js';
import { Timeline, opLines } from './timeline.js';
import { renderHeader } from './header.js';
import { renderAnomalies } from './anomalies.js';
import { renderPlots } from './plots.js';
import { renderReplication } from './replication.js';

const state = (window.__harnessReport = { errors: [], timelineDrawn: false });
window.addEventListener('error', (e) => state.errors.push(String(e.message)));

function main() {
  const app = document.getElementById('app');
  let data;
  try {
    data = JSON.parse(document.getElementById('report-data').textContent);
  } catch (e) {
    app.replaceChildren(el('p', { class: 'error' }, `This report has no readable data (${e.message}). Regenerate it with "harness report".`));
    return;
  }
  document.title = `${data.title || 'harness'} · report`;
  const model = decode(data);
  const details = el('div', { class: 'selected', hidden: true });
  const timeline = new Timeline(model, (row) => {
    details.hidden = row < 0;
    details.replaceChildren(el('h3', null, 'Selected operation'), ...opLines(model, row));
  });
  const tlSection = el('section', { class: 'card' }, el('h2', null, 'Timeline'), timeline.root, details);
  const anomalies = el('section', { class: 'card', id: 'anomalies' });
  const plots = el('section', { class: 'card', id: 'plots' }, el('h2', null, 'Throughput and latency'));
  const replication = el('section', { class: 'card', id: 'replication' }, el('h2', null, 'Replication'));
  app.replaceChildren(...renderHeader(model), tlSection, anomalies, plots);
  timeline.layout();
  // Anomalies and plots after the timeline is on screen.
  setTimeout(() => {
    renderAnomalies(model, anomalies, timeline);
    state.anomaliesRendered = true;
    setTimeout(() => {
      renderPlots(model, plots, timeline);
      state.plotsRendered = true;
      // Only for runs with a visibility result or lag.jsonl samples.
      app.insertBefore(replication, plots.nextSibling); // in the page first, so the plots get its width
      const shown = renderReplication(model, replication, timeline);
      if (!shown) replication.remove();
      state.replication = shown;
      state.readyAt = performance.now();
      state.ready = true;
    }, 0);
  }, 0);
}

try {
  main();
} catch (e) {
  state.errors.push(String(e && e.stack || e));
  throw e;
}
