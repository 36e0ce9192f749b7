// 1d explorer: each output's window [start, end) over the input cells, overlaps hatched, the formula with the
// actual numbers, avg/max outputs with argmax, and the projective field of a clicked input cell.
import { el, svgRoot, PALETTE } from '../svg.js';
import { h, sizeControl, segmented, figure, codeBlock } from '../ui.js';
import { fmt, win } from '../format.js';
import { input1d, torchInput1d, cellWidth } from './input1d.js';

const LEFT = 70;
const RIGHT = 170;
const TOP = 22;
const CELL_H = 34;

export function mountExplorer1d(root, { engine, state }) {
  const fig = figure(
    'adaptive-pool-1d',
    'fig-1d',
    'Input cells (top) and the window each output pools (one row per output)',
  );
  const formula = h('div', { class: 'formula', 'data-testid': 'formula-1d' });
  const projective = h('p', { class: 'projective', 'data-testid': 'projective-1d' });
  const tbody = h('tbody', { 'data-testid': 'outputs-1d' });
  const torch = codeBlock('torch-1d');

  root.append(
    h(
      'div',
      { class: 'controls' },
      sizeControl(state, 'l', 'input length', { sliderMax: 64, max: 256, testid: 'in-1d' }),
      sizeControl(state, 'o', 'output size', { sliderMax: 32, max: 256, testid: 'out-1d' }),
      h(
        'div',
        { class: 'inline' },
        h('span', { class: 'ctl-label', text: 'input' }),
        segmented(
          state,
          'src',
          [
            ['arange', 'arange'],
            ['random', 'random'],
          ],
          'src-1d',
        ),
        h('button', {
          type: 'button',
          class: 'ghost',
          text: '↻ new random',
          'data-testid': 'reseed-1d',
          onclick: () => state.set({ src: 'random', seed: (state.get('seed') % 999999) + 1 }),
        }),
      ),
    ),
    fig.node,
    h(
      'div',
      { class: 'two-col' },
      h('div', {}, formula, projective),
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
              ['output', 'window', 'size', 'avg', 'max', 'argmax'].map((t) => h('th', { text: t })),
            ),
          ),
          tbody,
        ),
      ),
    ),
    h('p', {
      class: 'hint',
      text: 'Click a window (or a table row) for its formula; click an input cell for every window that contains it.',
    }),
    torch.node,
  );

  return function render() {
    const L = state.get('l');
    const O = state.get('o');
    const x = input1d(state);
    const b = engine.bins(L, O);
    const avg = engine.avg1d(x, O);
    const mx = engine.max1d(x, O);
    const cover = engine.coverage1d(b, L);
    const sel = state.get('sel') < O ? state.get('sel') : -1;
    const cell = state.get('cell') < L ? state.get('cell') : -1;
    const shown = sel >= 0 ? sel : Math.min(1, O - 1);
    const contains = (o, i) => b.start[o] <= i && i < b.end[o];

    fig.set(drawing({ L, O, x, b, avg, mx, cover, sel, cell, contains, state }));

    // Formula with the numbers of one output: start/end are the wasm module's, the rest are the settings.
    const s = b.start[shown];
    const e = b.end[shown];
    const terms = [];
    for (let i = s; i < e && terms.length < 8; i++) terms.push(fmt(x[i]));
    if (e - s > 8) terms.push('…');
    formula.replaceChildren(
      h('div', { class: 'formula-title', text: `output ${shown} of ${O}, input length ${L}` }),
      h('div', {
        class: 'mono',
        html: `start = ⌊o·in/out⌋ = ⌊${shown}·${L}/${O}⌋ = <b data-testid="formula-start">${s}</b>`,
      }),
      h('div', {
        class: 'mono',
        html: `end&nbsp;&nbsp; = ⌈(o+1)·in/out⌉ = ⌈${shown + 1}·${L}/${O}⌉ = <b data-testid="formula-end">${e}</b>`,
      }),
      h('div', {
        class: 'mono',
        html: `avg&nbsp;&nbsp; = (${terms.join(' + ')}) / ${e - s} = <b>${fmt(avg[shown])}</b>`,
      }),
      h('div', {
        class: 'mono',
        html: `max&nbsp;&nbsp; = x[${mx.indices[shown]}] = <b>${fmt(mx.data[shown])}</b> <span class="muted">(first maximum wins ties)</span>`,
      }),
    );

    if (cell >= 0) {
      const outs = [];
      for (let o = 0; o < O; o++) if (contains(o, cell)) outs.push(o);
      projective.replaceChildren(
        h('b', { text: `Input ${cell}` }),
        ` is pooled by ${outs.length === 1 ? 'output' : 'outputs'} `,
        h('span', { 'data-testid': 'projective-1d-outputs', text: outs.join(', ') }),
        ` — ${outs.map((o) => win(b.start[o], b.end[o])).join(' ')}. `,
        h('a', {
          href: '#',
          text: 'clear',
          onclick: (ev) => (ev.preventDefault(), state.set({ cell: -1 })),
        }),
      );
    } else {
      projective.textContent =
        'Click an input cell to see its projective field: every output window that contains it.';
    }

    tbody.replaceChildren(
      ...Array.from({ length: O }, (_, o) =>
        h(
          'tr',
          {
            class: [
              o === sel ? 'selected' : '',
              cell >= 0 && !contains(o, cell) ? 'faded' : '',
            ].join(' '),
            onclick: () => state.set({ sel: o === sel ? -1 : o }),
          },
          h('td', { text: o }),
          h('td', { class: 'mono', 'data-testid': 'window-1d', text: win(b.start[o], b.end[o]) }),
          h('td', { text: b.end[o] - b.start[o] }),
          h('td', { class: 'num', 'data-testid': 'avg-1d', text: fmt(avg[o]) }),
          h('td', { class: 'num', 'data-testid': 'max-1d', text: fmt(mx.data[o]) }),
          h('td', { class: 'num', 'data-testid': 'argmax-1d', text: mx.indices[o] }),
        ),
      ),
    );

    torch.code.textContent =
      `import torch, torch.nn as nn\n` +
      `x = ${torchInput1d(state, x)}\n` +
      `nn.AdaptiveAvgPool1d(${O})(x)\n` +
      `nn.AdaptiveMaxPool1d(${O}, return_indices=True)(x)`;
  };
}

function drawing({ L, O, x, b, avg, mx, cover, sel, cell, contains, state }) {
  const cw = cellWidth(L);
  const rowH = O <= 24 ? 26 : O <= 64 ? 16 : 8;
  const gap = O <= 24 ? 5 : 2;
  const covY = TOP + CELL_H + 4;
  const winY = covY + 22;
  const width = LEFT + L * cw + RIGHT;
  const height = winY + O * (rowH + gap) + 8;
  const svg = svgRoot(width, height, `1d adaptive pooling windows, ${L} -> ${O}`);
  const cx = (i) => LEFT + i * cw;
  const active = sel >= 0 ? sel : -1;

  if (cell >= 0) {
    svg.append(
      el('rect', { x: cx(cell), y: TOP - 4, width: cw, height: height - TOP, fill: '#fff4cc' }),
    );
  }

  svg.append(el('text', { x: 8, y: TOP + CELL_H / 2 + 4, class: 'label muted', text: 'input' }));
  svg.append(el('text', { x: 8, y: covY + 13, class: 'small muted', text: 'overlaps' }));
  svg.append(
    el('text', {
      x: LEFT + L * cw + 12,
      y: TOP + CELL_H / 2 + 4,
      class: 'small muted',
      text: `length ${L}`,
    }),
  );

  for (let i = 0; i < L; i++) {
    const inSel = active >= 0 && contains(active, i);
    const cls = ['cell', 'clickable', inSel ? 'in-window' : '', i === cell ? 'picked' : ''].join(
      ' ',
    );
    const g = el('g', {
      'data-testid': 'in1d-cell',
      'data-i': i,
      onclick: () => state.set({ cell: i === state.get('cell') ? -1 : i }),
    });
    g.append(el('rect', { x: cx(i), y: TOP, width: cw, height: CELL_H, class: cls }));
    if (cw >= 14) {
      g.append(
        el('text', {
          x: cx(i) + cw / 2,
          y: TOP + CELL_H / 2 + 4,
          'text-anchor': 'middle',
          class: cw >= 24 ? 'value' : 'small',
          text: fmt(x[i], 2),
        }),
      );
    }
    g.append(el('title', { text: `input ${i} = ${fmt(x[i])}, in ${fmt(cover[i])} window(s)` }));
    svg.append(g);
    if (cw >= 18 || i % 5 === 0) {
      svg.append(
        el('text', {
          x: cx(i) + cw / 2,
          y: TOP - 6,
          'text-anchor': 'middle',
          class: 'small muted',
          text: i,
        }),
      );
    }
    // Inputs in more than one window (the overlaps) get a marker with their window count.
    if (cover[i] > 1.5) {
      svg.append(
        el('rect', { x: cx(i) + 1, y: covY, width: cw - 2, height: 16, rx: 3, fill: '#f6ad55' }),
      );
      if (cw >= 14) {
        svg.append(
          el('text', {
            x: cx(i) + cw / 2,
            y: covY + 12,
            'text-anchor': 'middle',
            class: 'small',
            text: `×${fmt(cover[i])}`,
          }),
        );
      }
    }
  }

  for (let o = 0; o < O; o++) {
    const y = winY + o * (rowH + gap);
    const s = b.start[o];
    const e = b.end[o];
    const dim = (cell >= 0 && !contains(o, cell)) || (cell < 0 && active >= 0 && o !== active);
    const g = el('g', {
      class: `clickable${dim ? ' dim' : ''}`,
      'data-testid': 'win1d',
      'data-o': o,
      onclick: () => state.set({ sel: o === state.get('sel') ? -1 : o }),
    });
    if (rowH >= 16)
      g.append(el('text', { x: 8, y: y + rowH / 2 + 4, class: 'small muted', text: `out ${o}` }));
    const colour = PALETTE[o % PALETTE.length];
    g.append(
      el('rect', { x: cx(s) + 1, y, width: (e - s) * cw - 2, height: rowH, rx: 4, fill: colour }),
    );
    for (let i = s; i < e; i++) {
      if (cover[i] > 1.5)
        g.append(el('rect', { x: cx(i) + 1, y, width: cw - 2, height: rowH, fill: 'url(#hatch)' }));
    }
    // The max's position inside the window.
    if (rowH >= 16) {
      g.append(
        el('circle', {
          cx: cx(mx.indices[o]) + cw / 2,
          cy: y + rowH / 2,
          r: 4,
          fill: '#fff',
          stroke: '#1f2933',
          'stroke-width': 1.5,
        }),
      );
    }
    if (o === active)
      g.append(
        el('rect', {
          x: cx(s),
          y: y - 1,
          width: (e - s) * cw,
          height: rowH + 2,
          rx: 5,
          class: 'sel-outline',
        }),
      );
    const label = win(s, e);
    if (rowH >= 16) {
      g.append(
        el('text', {
          x: LEFT + L * cw + 12,
          y: y + rowH / 2 + 4,
          class: 'small mono',
          text: `${label}  avg ${fmt(avg[o], 3)}  max ${fmt(mx.data[o], 3)}`,
        }),
      );
    }
    g.append(el('title', { text: `output ${o}: window ${label}` }));
    svg.append(g);
  }
  return svg;
}
