// Entry point: load the wasm module (best build the page allows, or ?build=), then mount every view.
import './style.css';
import { Engine } from './engine.js';
import { State } from './state.js';
import { mountExplorer1d } from './views/explorer1d.js';
import { mountGradient1d } from './views/gradient1d.js';
import { mountExplorer2d } from './views/explorer2d.js';
import { mountDiffers } from './views/differs.js';
import { mountImage } from './views/image.js';
import { fmt } from './format.js';

const $ = (id) => document.getElementById(id);
const state = new State();

const status = {
  build: $('status-build'),
  threads: $('status-threads'),
  last: $('status-last'),
  note: $('status-note'),
};

let pending = null;
function onCall(name, ms) {
  // Views make many calls per render; show the latest once per frame.
  pending = { name, ms };
  if (status.raf) return;
  status.raf = requestAnimationFrame(() => {
    status.raf = 0;
    status.last.textContent = `${pending.name} · ${fmt(pending.ms, 3)} ms`;
    status.last.dataset.name = pending.name;
  });
}

async function main() {
  let engine;
  try {
    engine = await Engine.start(state.get('build'), onCall);
  } catch (err) {
    document.body.dataset.ready = 'error';
    status.build.textContent = 'failed';
    status.note.textContent = `The wasm module did not load: ${err.message}`;
    status.note.className = 'status-note is-bad';
    throw err;
  }
  status.build.textContent = engine.build;
  status.threads.textContent = String(engine.threads);
  if (!globalThis.crossOriginIsolated) {
    status.note.textContent =
      'This page is not cross-origin isolated (no COOP/COEP headers), so it runs the single-threaded ' +
      `${engine.build} build. Serve it with \`bash web/serve.sh\` for threads.`;
  } else {
    status.note.textContent = 'Cross-origin isolated: the threaded build can run.';
  }

  const ctx = { engine, state };
  // Each view re-renders only when one of the settings it reads changes (a slider drag stays smooth).
  const views = [
    [mountExplorer1d($('view-1d'), ctx), ['l', 'o', 'src', 'seed', 'sel', 'cell']],
    [mountGradient1d($('view-grad'), ctx), ['l', 'o', 'src', 'seed', 'g', 'hot']],
    [
      mountExplorer2d($('view-2d'), ctx),
      ['h', 'w', 'oh', 'ow', 'heat', 'g2', 'sr', 'sc', 'cr', 'cc'],
    ],
    [mountDiffers($('view-differs'), ctx), ['dl', 'do']],
    [mountImage($('view-image'), ctx), ['ioh', 'iow']],
  ];
  state.subscribe((changed) => {
    for (const [render, keys] of views) if (keys.some((k) => changed.has(k))) render();
  });
  for (const [render] of views) render();

  $('share').addEventListener('click', async () => {
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      $('share').textContent = 'link copied';
    } catch {
      $('share').textContent = 'copy the address bar';
    }
    setTimeout(() => ($('share').textContent = 'copy link to this view'), 1800);
  });
  document.body.dataset.ready = 'true';
}

main();
