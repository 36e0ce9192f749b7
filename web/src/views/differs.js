// "Why my re-implementation differs": the popular rounded-linspace explanation (JS on purpose, it is the
// wrong formula) beside the real windows from the wasm module, mismatches highlighted.
import { el, svgRoot, PALETTE } from '../svg.js';
import { h, sizeControl, figure } from '../ui.js';
import { fmt, win } from '../format.js';
import { roundedLinspaceWindows } from '../rounded-linspace.js';
import { cellWidth } from './input1d.js';

const LEFT = 120;
const MAP_N = 24;
const MAP_CELL = 14;

export function mountDiffers(root, { engine, state }) {
  const fig = figure(
    'adaptive-pool-vs-rounded-linspace',
    'fig-differs',
    'Real windows (wasm) vs. the rounded-linspace explanation',
  );
  const explain = h('div', { class: 'formula', 'data-testid': 'differs-formula' });
  const verdict = h('p', { class: 'verdict', 'data-testid': 'differs-verdict' });
  const tbody = h('tbody');
  const mapFig = figure(
    'where-rounded-linspace-fails',
    'fig-differs-map',
    `Where the explanation fails: input 1–${MAP_N} (rows) × output 1–${MAP_N} (columns); click a cell`,
  );
  root.append(
    h(
      'div',
      { class: 'controls' },
      sizeControl(state, 'dl', 'input length', { sliderMax: 48, max: 256, testid: 'in-differs' }),
      sizeControl(state, 'do', 'output size', { sliderMax: 24, max: 256, testid: 'out-differs' }),
    ),
    verdict,
    fig.node,
    h(
      'div',
      { class: 'two-col' },
      explain,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'outputs' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['output', 'PyTorch (wasm)', 'rounded linspace', ''].map((t) => h('th', { text: t })),
            ),
          ),
          tbody,
        ),
      ),
    ),
    mapFig.node,
  );

  let mapDrawn = false;

  return function render() {
    const L = state.get('dl');
    const O = state.get('do');
    const real = engine.bins(L, O);
    const lin = roundedLinspaceWindows(L, O);
    const bad = [];
    for (let o = 0; o < O; o++)
      if (real.start[o] !== lin.start[o] || real.end[o] !== lin.end[o]) bad.push(o);

    verdict.className = `verdict ${bad.length ? 'is-bad' : 'is-good'}`;
    verdict.textContent = bad.length
      ? `${L} → ${O}: the rounded-linspace explanation gets ${bad.length} of ${O} windows wrong (outputs ${bad.join(', ')}).`
      : `${L} → ${O}: here the rounded-linspace explanation happens to match PyTorch — try 7 → 4.`;

    const pts = lin.points.map((p) => fmt(p, 2)).join(', ');
    explain.replaceChildren(
      h('div', { class: 'formula-title', text: 'The explanation people copy' }),
      h('div', { class: 'mono', text: `kernel = ⌈in/out⌉ = ⌈${L}/${O}⌉ = ${lin.kernel}` }),
      h('div', {
        class: 'mono',
        text: `starts = round(linspace(0, in − kernel, out)) = round(${pts}) = ${lin.start.join(', ')}`,
      }),
      h('div', {
        class: 'formula-title',
        text: 'What PyTorch computes (the wasm module, per output o)',
      }),
      h('div', { class: 'mono', text: 'start = ⌊o·in/out⌋,  end = ⌈(o+1)·in/out⌉' }),
      h('p', {
        class: 'hint',
        text: 'Real windows vary in length and overlap by at most one cell; a fixed kernel at rounded points cannot reproduce that.',
      }),
    );

    tbody.replaceChildren(
      ...Array.from({ length: O }, (_, o) => {
        const mismatch = bad.includes(o);
        return h(
          'tr',
          {
            class: mismatch ? 'mismatch' : '',
            'data-testid': 'differs-row',
            'data-mismatch': mismatch ? 1 : 0,
          },
          h('td', { text: o }),
          h('td', {
            class: 'mono',
            'data-testid': 'differs-real',
            text: win(real.start[o], real.end[o]),
          }),
          h('td', {
            class: 'mono',
            'data-testid': 'differs-lin',
            text: win(lin.start[o], lin.end[o]),
          }),
          h('td', { text: mismatch ? '✗ differs' : '✓' }),
        );
      }),
    );

    fig.set(drawing(L, O, real, lin, bad));
    if (!mapDrawn) {
      mapFig.set(mismatchMap(engine, state));
      mapDrawn = true;
    }
    mapFig.svg.querySelectorAll('[data-current]').forEach((n) => n.remove());
    if (L <= MAP_N && O <= MAP_N) {
      mapFig.svg.append(
        el('rect', {
          'data-current': 1,
          x: 40 + (O - 1) * MAP_CELL,
          y: 30 + (L - 1) * MAP_CELL,
          width: MAP_CELL,
          height: MAP_CELL,
          fill: 'none',
          stroke: '#111',
          'stroke-width': 2.5,
        }),
      );
    }
  };
}

function drawing(L, O, real, lin, bad) {
  const cw = cellWidth(L);
  const rowH = O <= 16 ? 20 : 12;
  const pairH = rowH * 2 + 10;
  const top = 44;
  const width = LEFT + L * cw + 24;
  const height = top + O * pairH + 10;
  const svg = svgRoot(width, height, `PyTorch windows vs rounded linspace, ${L} -> ${O}`);
  const cx = (i) => LEFT + i * cw;
  svg.append(el('text', { x: 8, y: 26, class: 'label muted', text: 'input' }));
  for (let i = 0; i < L; i++) {
    svg.append(el('rect', { x: cx(i), y: 10, width: cw, height: 24, class: 'cell' }));
    if (cw >= 18 || i % 5 === 0)
      svg.append(
        el('text', {
          x: cx(i) + cw / 2,
          y: 26,
          'text-anchor': 'middle',
          class: 'small muted',
          text: i,
        }),
      );
  }
  for (let o = 0; o < O; o++) {
    const y = top + o * pairH;
    const mismatch = bad.includes(o);
    if (mismatch)
      svg.append(
        el('rect', {
          x: 2,
          y: y - 3,
          width: width - 4,
          height: pairH - 4,
          rx: 6,
          class: 'mismatch',
        }),
      );
    const colour = PALETTE[o % PALETTE.length];
    svg.append(el('text', { x: 8, y: y + rowH - 6, class: 'small', text: `out ${o} PyTorch` }));
    svg.append(
      el('rect', {
        x: cx(real.start[o]) + 1,
        y,
        width: (real.end[o] - real.start[o]) * cw - 2,
        height: rowH,
        rx: 4,
        fill: colour,
      }),
    );
    svg.append(
      el('text', {
        x: 8,
        y: y + 2 * rowH - 3,
        class: `small ${mismatch ? 'bad' : 'muted'}`,
        text: 'rounded linspace',
      }),
    );
    const ls = Math.max(0, lin.start[o]);
    const le = Math.min(L, lin.end[o]);
    svg.append(
      el('rect', {
        x: cx(ls) + 1,
        y: y + rowH + 3,
        width: Math.max(0, (le - ls) * cw - 2),
        height: rowH - 3,
        rx: 4,
        fill: mismatch ? '#d64545' : colour,
        opacity: mismatch ? 0.9 : 0.45,
      }),
    );
    if (cw * (real.end[o] - real.start[o]) >= 44) {
      svg.append(
        el('text', {
          x: cx(real.start[o]) + 6,
          y: y + rowH - 6,
          class: 'win-label',
          text: win(real.start[o], real.end[o]),
        }),
      );
    }
    if (cw * (le - ls) >= 44 && rowH >= 16) {
      svg.append(
        el('text', {
          x: cx(ls) + 6,
          y: y + 2 * rowH - 3,
          class: mismatch ? 'win-label' : 'win-label outside',
          style: 'font-size: 10px',
          text: win(lin.start[o], lin.end[o]),
        }),
      );
    }
  }
  return svg;
}

// Which (in, out) pairs the explanation gets wrong; every real window comes from ap.bins.
function mismatchMap(engine, state) {
  const size = MAP_CELL;
  const width = Math.max(40 + MAP_N * size + 20, 480); // room for the caption
  const height = 30 + MAP_N * size + 30;
  const svg = svgRoot(width, height, 'where rounded linspace differs from PyTorch');
  svg.append(el('text', { x: 40, y: 14, class: 'small muted', text: 'output size →' }));
  svg.append(el('text', { x: 4, y: 40, class: 'small muted', text: 'in ↓' }));
  let wrong = 0;
  for (let L = 1; L <= MAP_N; L++) {
    svg.append(
      el('text', {
        x: 34,
        y: 30 + (L - 1) * size + 12,
        'text-anchor': 'end',
        class: 'small muted',
        style: 'font-size: 8px',
        text: L,
      }),
    );
    for (let O = 1; O <= MAP_N; O++) {
      const real = engine.bins(L, O);
      const lin = roundedLinspaceWindows(L, O);
      let same = true;
      for (let o = 0; o < O; o++)
        if (real.start[o] !== lin.start[o] || real.end[o] !== lin.end[o]) same = false;
      if (!same) wrong++;
      const g = el('g', { class: 'clickable', onclick: () => state.set({ dl: L, do: O }) });
      g.append(
        el('rect', {
          x: 40 + (O - 1) * size + 1,
          y: 30 + (L - 1) * size + 1,
          width: size - 2,
          height: size - 2,
          rx: 2,
          fill: same ? '#c6e6d0' : '#e8837f',
        }),
      );
      g.append(el('title', { text: `${L} → ${O}: ${same ? 'matches' : 'differs'}` }));
      svg.append(g);
    }
  }
  for (let O = 1; O <= MAP_N; O += O === 1 ? 4 : 5) {
    svg.append(
      el('text', {
        x: 40 + (O - 1) * size + size / 2,
        y: 27,
        'text-anchor': 'middle',
        class: 'small muted',
        style: 'font-size: 8px',
        text: O,
      }),
    );
  }
  svg.append(
    el('text', {
      x: 40,
      y: height - 10,
      class: 'small',
      text: `red: at least one window differs (${wrong} of ${MAP_N * MAP_N} size pairs); green: identical.`,
    }),
  );
  return svg;
}
