// Gradient view: the backward pass of 1d adaptive pooling for a chosen grad_output, drawn as bars of
// grad_input — the receptive field of the outputs. Uses the explorer's input length / output size.
import { el, svgRoot, PALETTE } from '../svg.js';
import { h, sizeControl, segmented, figure, codeBlock } from '../ui.js';
import { fmt } from '../format.js';
import { input1d, torchInput1d, cellWidth } from './input1d.js';

const LEFT = 70;

export function gradOutput1d(mode, O, hot) {
  const g = new Float64Array(O);
  for (let o = 0; o < O; o++)
    g[o] = mode === 'ones' ? 1 : mode === 'ramp' ? o + 1 : o === hot ? 1 : 0;
  return g;
}

export function mountGradient1d(root, { engine, state }) {
  const fig = figure(
    'adaptive-pool-1d-gradient',
    'fig-grad',
    'grad_output over each window (click one for a one-hot), then grad_input as bars',
  );
  const avgText = h('code', { 'data-testid': 'grad-avg-text' });
  const maxText = h('code', { 'data-testid': 'grad-max-text' });
  const torch = codeBlock('torch-grad');
  root.append(
    h(
      'div',
      { class: 'controls' },
      sizeControl(state, 'l', 'input length', { sliderMax: 64, max: 256, testid: 'in-grad' }),
      sizeControl(state, 'o', 'output size', { sliderMax: 32, max: 256, testid: 'out-grad' }),
      h(
        'div',
        { class: 'inline' },
        h('span', { class: 'ctl-label', text: 'grad_output' }),
        segmented(
          state,
          'g',
          [
            ['ones', 'ones'],
            ['ramp', '1..n'],
            ['onehot', 'one-hot'],
          ],
          'grad-mode',
        ),
        h('button', {
          type: 'button',
          class: 'ghost',
          text: 'forum example: 14 → 4, 1..n',
          'data-testid': 'grad-forum',
          onclick: () => state.set({ l: 14, o: 4, src: 'arange', g: 'ramp' }),
        }),
      ),
      h('p', { class: 'hint', 'data-testid': 'grad-sizes' }),
    ),
    fig.node,
    h(
      'dl',
      { class: 'values' },
      h('dt', { text: 'grad_input through AdaptiveAvgPool1d' }),
      h('dd', {}, avgText),
      h('dt', { text: 'grad_input through AdaptiveMaxPool1d' }),
      h('dd', {}, maxText),
    ),
    torch.node,
  );

  return function render() {
    const L = state.get('l');
    const O = state.get('o');
    const mode = state.get('g');
    const hot = Math.min(state.get('hot'), O - 1);
    const x = input1d(state);
    const gOut = gradOutput1d(mode, O, hot);
    const b = engine.bins(L, O);
    const mx = engine.max1d(x, O);
    const gAvg = engine.avgBackward1d(gOut, L);
    const gMax = engine.maxBackward1d(gOut, mx.indices, L);
    root.querySelector('[data-testid="grad-sizes"]').textContent =
      `Shares its sizes and input with the 1d explorer. Average pooling spreads each grad_output evenly over its window; ` +
      `max pooling sends it to the argmax alone. Overlapping inputs collect from both windows.`;
    avgText.textContent = Array.from(gAvg, (v) => fmt(v)).join(' ');
    maxText.textContent = Array.from(gMax, (v) => fmt(v)).join(' ');
    fig.set(drawing({ L, O, b, gOut, gAvg, gMax, mode, hot, state }));

    const gradExpr =
      mode === 'ones'
        ? `torch.ones(1, ${O})`
        : mode === 'ramp'
          ? `torch.arange(1., ${O + 1}).reshape(1, ${O})`
          : `nn.functional.one_hot(torch.tensor([${hot}]), ${O}).float()`;
    torch.code.textContent =
      `import torch, torch.nn as nn\n` +
      `x = ${torchInput1d(state, x, true)}\n` +
      `nn.AdaptiveAvgPool1d(${O})(x).backward(${gradExpr})\n` +
      `x.grad`;
  };
}

function bars(svg, { y0, height, values, cw, colour, label, testid }) {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? (height - 16) / max : 0;
  svg.append(el('text', { x: 8, y: y0 + 12, class: 'small muted', text: label }));
  svg.append(
    el('line', {
      x1: LEFT,
      y1: y0 + height,
      x2: LEFT + values.length * cw,
      y2: y0 + height,
      class: 'axis',
    }),
  );
  values.forEach((v, i) => {
    const bh = Math.abs(v) * scale;
    const g = el('g', { 'data-testid': testid, 'data-i': i, 'data-value': v });
    g.append(
      el('rect', {
        x: LEFT + i * cw + 2,
        y: y0 + height - bh,
        width: cw - 4,
        height: bh,
        rx: 2,
        fill: colour,
      }),
    );
    // Value labels only where they fit: narrow bars get a smaller font and fewer digits.
    if (v !== 0 && cw >= 20) {
      g.append(
        el('text', {
          x: LEFT + i * cw + cw / 2,
          y: y0 + height - bh - 4,
          'text-anchor': 'middle',
          class: 'small',
          style: `font-size: ${cw >= 30 ? 10 : 8}px`,
          text: fmt(v, cw >= 30 ? 3 : 2),
        }),
      );
    }
    g.append(el('title', { text: `grad_input[${i}] = ${fmt(v)}` }));
    svg.append(g);
  });
}

function drawing({ L, O, b, gOut, gAvg, gMax, mode, hot, state }) {
  const cw = cellWidth(L);
  const lane = O <= 24 ? 22 : 12;
  const outRowY = 14;
  const avgY = outRowY + 2 * (lane + 4) + 14;
  const chartH = 120;
  const maxY = avgY + chartH + 30;
  const width = LEFT + L * cw + 24;
  const height = maxY + chartH + 26;
  const svg = svgRoot(width, height, `gradient of 1d adaptive pooling, ${L} -> ${O}`);

  // grad_output of each output drawn over its window; neighbours alternate lanes so overlaps stay visible.
  svg.append(el('text', { x: 8, y: outRowY + lane + 6, class: 'small muted', text: 'grad_out' }));
  for (let o = 0; o < O; o++) {
    const y = outRowY + (o % 2) * (lane + 4);
    const s = b.start[o];
    const e = b.end[o];
    const g = el('g', {
      class: 'clickable',
      'data-testid': 'grad-out-cell',
      'data-o': o,
      onclick: () => state.set({ g: 'onehot', hot: o }),
    });
    const on = mode === 'onehot' && o === hot;
    g.append(
      el('rect', {
        x: LEFT + s * cw + 1,
        y,
        width: (e - s) * cw - 2,
        height: lane,
        rx: 4,
        fill: PALETTE[o % PALETTE.length],
        opacity: mode === 'onehot' && !on ? 0.3 : 1,
      }),
    );
    if ((e - s) * cw >= 18 && lane >= 16) {
      g.append(
        el('text', {
          x: LEFT + ((s + e) * cw) / 2,
          y: y + lane / 2 + 4,
          'text-anchor': 'middle',
          class: 'win-label',
          text: fmt(gOut[o]),
        }),
      );
    }
    g.append(
      el('title', {
        text: `grad_output[${o}] = ${fmt(gOut[o])} over window [${s},${e}) — click for a one-hot here`,
      }),
    );
    svg.append(g);
  }
  bars(svg, {
    y0: avgY,
    height: chartH,
    values: gAvg,
    cw,
    colour: '#4e79a7',
    label: 'avg grad',
    testid: 'grad-avg-bar',
  });
  bars(svg, {
    y0: maxY,
    height: chartH,
    values: gMax,
    cw,
    colour: '#e15759',
    label: 'max grad',
    testid: 'grad-max-bar',
  });
  for (let i = 0; i < L; i++) {
    if (cw >= 18 || i % 5 === 0) {
      svg.append(
        el('text', {
          x: LEFT + i * cw + cw / 2,
          y: maxY + chartH + 16,
          'text-anchor': 'middle',
          class: 'small muted',
          text: i,
        }),
      );
    }
  }
  return svg;
}
