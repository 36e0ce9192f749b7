// 2d explorer: H x W -> OH x OW. Hovering or clicking an output highlights its window (the product of the row
// and column windows); the input is a heat map of window coverage or of the average-pool gradient; clicking an
// input shows every output whose window contains it.
import { el, svgRoot, heat, PALETTE } from '../svg.js';
import { h, sizeControl, segmented, figure, codeBlock } from '../ui.js';
import { fmt, win } from '../format.js';
import { arange } from '../random.js';

const PAD = 28;
const GAP = 70;
const LANE = 7;
const BAND = 2 * LANE + 8;

export function mountExplorer2d(root, { engine, state }) {
  const fig = figure(
    'adaptive-pool-2d',
    'fig-2d',
    'Input H × W (heat map) and output OH × OW — hover or click an output',
  );
  const info = h('p', { class: 'window-info', 'data-testid': 'info-2d' });
  const projective = h('p', { class: 'projective', 'data-testid': 'projective-2d' });
  const globalNote = h('div', { class: 'note', 'data-testid': 'global-note', hidden: true });
  const torch = codeBlock('torch-2d');
  const preset = (label, p) =>
    h('button', {
      type: 'button',
      class: 'ghost',
      text: label,
      onclick: () => state.set({ ...p, sr: -1, sc: -1, cr: -1, cc: -1 }),
    });

  root.append(
    h(
      'div',
      { class: 'controls' },
      sizeControl(state, 'h', 'H', { sliderMax: 32, max: 64, testid: 'h-2d' }),
      sizeControl(state, 'w', 'W', { sliderMax: 32, max: 64, testid: 'w-2d' }),
      sizeControl(state, 'oh', 'OH', { sliderMax: 16, max: 64, testid: 'oh-2d' }),
      sizeControl(state, 'ow', 'OW', { sliderMax: 16, max: 64, testid: 'ow-2d' }),
    ),
    h(
      'div',
      { class: 'controls' },
      h(
        'div',
        { class: 'inline' },
        h('span', { class: 'ctl-label', text: 'heat map' }),
        segmented(
          state,
          'heat',
          [
            ['coverage', 'windows per input'],
            ['grad', 'avg-pool gradient'],
          ],
          'heat-2d',
        ),
      ),
      h(
        'div',
        { class: 'inline' },
        h('span', { class: 'ctl-label', text: 'grad_output' }),
        segmented(
          state,
          'g2',
          [
            ['ones', 'ones'],
            ['ramp', '1..n'],
            ['onehot', 'one-hot on selected'],
          ],
          'grad2d-mode',
        ),
      ),
      h(
        'div',
        { class: 'inline' },
        h('span', { class: 'ctl-label', text: 'presets' }),
        preset('7×10 → 4×3', { h: 7, w: 10, oh: 4, ow: 3 }),
        preset('global (1, 1)', { oh: 1, ow: 1 }),
        preset('5×5 → 7×7 (upsampling)', { h: 5, w: 5, oh: 7, ow: 7 }),
        preset('ResNet head 7×7 → 1×1', { h: 7, w: 7, oh: 1, ow: 1 }),
      ),
    ),
    globalNote,
    fig.node,
    info,
    projective,
    torch.node,
  );

  let data = null;
  let hover = null;

  function compute() {
    const H = state.get('h');
    const W = state.get('w');
    const OH = state.get('oh');
    const OW = state.get('ow');
    const bh = engine.bins(H, OH);
    const bw = engine.bins(W, OW);
    const x = arange(H * W);
    const avg = engine.avg2d(x, H, W, OH, OW);
    const pinned =
      state.get('sr') >= 0 && state.get('sr') < OH && state.get('sc') >= 0 && state.get('sc') < OW
        ? [state.get('sr'), state.get('sc')]
        : null;
    let values;
    if (state.get('heat') === 'coverage') {
      values = engine.coverage2d(bh, bw, H, W);
    } else {
      const [hr, hc] = pinned ?? [0, 0];
      const mode = state.get('g2');
      const g = new Float64Array(OH * OW);
      for (let k = 0; k < g.length; k++)
        g[k] = mode === 'ones' ? 1 : mode === 'ramp' ? k + 1 : k === hr * OW + hc ? 1 : 0;
      values = engine.avgBackward2d(g, OH, OW, H, W);
    }
    const picked =
      state.get('cr') >= 0 && state.get('cr') < H && state.get('cc') >= 0 && state.get('cc') < W
        ? [state.get('cr'), state.get('cc')]
        : null;
    data = { H, W, OH, OW, bh, bw, avg, values, pinned, picked };
  }

  let view = null;

  function draw() {
    view = drawing({ ...data, heatKind: state.get('heat'), onHover, onPin, onPick });
    fig.set(view.svg);
    showActive();
  }

  // Hovering only restyles the drawing (no rebuild), so large grids stay responsive.
  function showActive() {
    const { H, W, OH, OW, bh, bw, avg, picked } = data;
    if (hover && (hover[0] >= OH || hover[1] >= OW)) hover = null;
    const active = hover ?? data.pinned;
    view.setActive(active);
    if (active) {
      const [r, c] = active;
      const n = (bh.end[r] - bh.start[r]) * (bw.end[c] - bw.start[c]);
      info.replaceChildren(
        h('b', { text: `output (${r}, ${c})` }),
        ' pools rows ',
        h('code', { 'data-testid': 'window-2d-rows', text: win(bh.start[r], bh.end[r]) }),
        ' × cols ',
        h('code', { 'data-testid': 'window-2d-cols', text: win(bw.start[c], bw.end[c]) }),
        ` — ${n} input${n === 1 ? '' : 's'}, average `,
        h('code', { text: fmt(avg[r * OW + c]) }),
        ` (input = arange(${H * W}) reshaped to ${H}×${W}).`,
      );
    } else {
      info.textContent = `Hover or click an output cell to see its window. Rows use the ${H} → ${OH} windows, columns the ${W} → ${OW} ones.`;
    }
    if (picked) {
      const [r, c] = picked;
      const rows = [];
      const cols = [];
      for (let i = 0; i < OH; i++) if (bh.start[i] <= r && r < bh.end[i]) rows.push(i);
      for (let j = 0; j < OW; j++) if (bw.start[j] <= c && c < bw.end[j]) cols.push(j);
      const outs = rows.flatMap((i) => cols.map((j) => `(${i}, ${j})`));
      projective.replaceChildren(
        h('b', { text: `Input (${r}, ${c})` }),
        ` is in ${outs.length} output window${outs.length === 1 ? '' : 's'}: `,
        h('span', { 'data-testid': 'projective-2d-outputs', text: outs.join(' ') }),
        '. ',
        h('a', {
          href: '#',
          text: 'clear',
          onclick: (ev) => (ev.preventDefault(), state.set({ cr: -1, cc: -1 })),
        }),
      );
    } else {
      projective.textContent =
        'Click an input cell to see its projective field (the outputs whose windows contain it).';
    }
    const global = OH === 1 && OW === 1;
    globalNote.hidden = !global;
    if (global) {
      globalNote.innerHTML =
        `<b>(1, 1) is global average pooling.</b> One window covers the whole ${H}×${W} plane, so ` +
        `<code>nn.AdaptiveAvgPool2d(1)(x)</code> equals <code>x.mean((-2, -1), keepdim=True)</code> — ` +
        `the classifier head of ResNet and friends, which is why those networks accept any input size.`;
    }
    torch.code.textContent =
      `import torch, torch.nn as nn\n` +
      `x = torch.arange(${H * W}.).reshape(1, ${H}, ${W})\n` +
      `nn.AdaptiveAvgPool2d((${OH}, ${OW}))(x)\n` +
      `nn.AdaptiveMaxPool2d((${OH}, ${OW}), return_indices=True)(x)`;
  }

  function onHover(rc) {
    const same = rc === hover || (rc && hover && rc[0] === hover[0] && rc[1] === hover[1]);
    if (same) return;
    hover = rc;
    showActive();
  }
  function onPin([r, c]) {
    const p = data.pinned;
    if (p && p[0] === r && p[1] === c) state.set({ sr: -1, sc: -1 });
    else state.set({ sr: r, sc: c });
  }
  function onPick([r, c]) {
    const p = data.picked;
    if (p && p[0] === r && p[1] === c) state.set({ cr: -1, cc: -1 });
    else state.set({ cr: r, cc: c });
  }

  return function render() {
    compute();
    draw();
  };
}

function drawing({ H, W, OH, OW, bh, bw, avg, values, picked, heatKind, onHover, onPin, onPick }) {
  const ci = Math.max(10, Math.min(40, Math.floor(400 / Math.max(H, W))));
  const co = Math.max(14, Math.min(52, Math.floor(240 / Math.max(OH, OW))));
  const inW = W * ci;
  const inH = H * ci;
  const inX = PAD + BAND;
  const inY = PAD + BAND;
  const outX = inX + inW + GAP;
  const outY = inY;
  const width = outX + OW * co + PAD;
  const height = inY + Math.max(inH, OH * co) + 58;
  const svg = svgRoot(width, height, `2d adaptive pooling ${H}x${W} -> ${OH}x${OW}`);

  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const norm = (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  const pickedRows = picked
    ? [...bh.start].map((s, i) => s <= picked[0] && picked[0] < bh.end[i])
    : null;
  const pickedCols = picked
    ? [...bw.start].map((s, j) => s <= picked[1] && picked[1] < bw.end[j])
    : null;

  svg.append(el('text', { x: inX, y: PAD - 10, class: 'label muted', text: `input ${H} × ${W}` }));
  svg.append(
    el('text', { x: outX, y: PAD - 10, class: 'label muted', text: `output ${OH} × ${OW}` }),
  );

  const inCells = [];
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const v = values[r * W + c];
      const col = heat(norm(v));
      const g = el('g', {
        class: 'clickable',
        'data-testid': 'in2d-cell',
        'data-r': r,
        'data-c': c,
        onclick: () => onPick([r, c]),
      });
      const rect = el('rect', {
        x: inX + c * ci,
        y: inY + r * ci,
        width: ci,
        height: ci,
        fill: col.fill,
        stroke: '#ffffff',
        'stroke-width': 1,
      });
      g.append(rect);
      if (ci >= 24) {
        g.append(
          el('text', {
            x: inX + c * ci + ci / 2,
            y: inY + r * ci + ci / 2 + 4,
            'text-anchor': 'middle',
            class: 'small',
            style: `fill:${col.dark ? '#fff' : '#1f2933'}`,
            text: fmt(v, 2),
          }),
        );
      }
      g.append(
        el('title', {
          text: `input (${r}, ${c}): ${heatKind === 'coverage' ? 'windows' : 'gradient'} ${fmt(v)}`,
        }),
      );
      svg.append(g);
      inCells.push({ g, rect, r, c });
    }
  }
  if (picked) {
    svg.append(
      el('rect', {
        x: inX + picked[1] * ci,
        y: inY + picked[0] * ci,
        width: ci,
        height: ci,
        fill: 'none',
        stroke: '#f6ad55',
        'stroke-width': 3,
      }),
    );
  }

  // Row windows (left) and column windows (top) of the input, alternating lanes so overlaps show: each 2d
  // window is one row bar times one column bar.
  const colBars = Array.from({ length: OW }, (_, c) =>
    el('rect', {
      x: inX + bw.start[c] * ci + 1,
      y: PAD + (c % 2) * (LANE + 2),
      width: (bw.end[c] - bw.start[c]) * ci - 2,
      height: LANE,
      rx: 2,
    }),
  );
  const rowBars = Array.from({ length: OH }, (_, r) =>
    el('rect', {
      x: PAD + (r % 2) * (LANE + 2),
      y: inY + bh.start[r] * ci + 1,
      width: LANE,
      height: (bh.end[r] - bh.start[r]) * ci - 2,
      rx: 2,
    }),
  );
  svg.append(...colBars, ...rowBars);
  const activeLayer = el('g');
  svg.append(activeLayer);

  const outCells = [];
  for (let r = 0; r < OH; r++) {
    for (let c = 0; c < OW; c++) {
      const inField = pickedRows && pickedRows[r] && pickedCols[c];
      const g = el('g', {
        class: 'clickable',
        'data-testid': 'out2d-cell',
        'data-r': r,
        'data-c': c,
        'data-field': inField ? 1 : 0,
        onmouseenter: () => onHover([r, c]),
        onmouseleave: () => onHover(null),
        onclick: () => onPin([r, c]),
      });
      const rect = el('rect', {
        x: outX + c * co + 1,
        y: outY + r * co + 1,
        width: co - 2,
        height: co - 2,
        rx: 3,
        stroke: inField ? '#d69e2e' : '#8fa9c8',
        'stroke-width': inField ? 3 : 1,
      });
      g.append(rect);
      let text = null;
      if (co >= 30) {
        text = el('text', {
          x: outX + c * co + co / 2,
          y: outY + r * co + co / 2 + 4,
          'text-anchor': 'middle',
          class: 'small',
          text: fmt(avg[r * OW + c], 2),
        });
        g.append(text);
      }
      g.append(
        el('title', {
          text: `output (${r}, ${c}) = ${fmt(avg[r * OW + c])}: rows ${win(bh.start[r], bh.end[r])} × cols ${win(bw.start[c], bw.end[c])}`,
        }),
      );
      svg.append(g);
      outCells.push({ rect, text, r, c, inField });
    }
  }

  // Legend for the heat map: its colour scale between the smallest and largest value shown.
  const ly = inY + Math.max(inH, OH * co) + 22;
  const lw = 160;
  for (let k = 0; k < 32; k++) {
    svg.append(
      el('rect', {
        x: inX + (k * lw) / 32,
        y: ly,
        width: lw / 32 + 0.5,
        height: 10,
        fill: heat(k / 31).fill,
      }),
    );
  }
  svg.append(el('text', { x: inX, y: ly + 24, class: 'small muted', text: fmt(lo) }));
  svg.append(
    el('text', {
      x: inX + lw,
      y: ly + 24,
      'text-anchor': 'end',
      class: 'small muted',
      text: fmt(hi),
    }),
  );
  svg.append(
    el('text', {
      x: inX + lw + 10,
      y: ly + 9,
      class: 'small muted',
      text:
        heatKind === 'coverage' ? 'windows covering each input' : 'grad_input of average pooling',
    }),
  );

  function setActive(active) {
    const inWin = (r, c) =>
      active &&
      bh.start[active[0]] <= r &&
      r < bh.end[active[0]] &&
      bw.start[active[1]] <= c &&
      c < bw.end[active[1]];
    for (const { g, rect, r, c } of inCells) {
      const hl = inWin(r, c);
      g.setAttribute('data-hl', hl ? 1 : 0);
      rect.setAttribute('opacity', active && !hl ? 0.45 : 1);
    }
    colBars.forEach((bar, c) => {
      const on = active && active[1] === c;
      bar.setAttribute('fill', on ? '#111' : PALETTE[c % PALETTE.length]);
      bar.setAttribute('opacity', active && !on ? 0.35 : 0.9);
    });
    rowBars.forEach((bar, r) => {
      const on = active && active[0] === r;
      bar.setAttribute('fill', on ? '#111' : PALETTE[r % PALETTE.length]);
      bar.setAttribute('opacity', active && !on ? 0.35 : 0.9);
    });
    for (const { rect, text, r, c, inField } of outCells) {
      const isActive = active && active[0] === r && active[1] === c;
      rect.setAttribute('fill', isActive ? '#1f2933' : inField ? '#ffe08a' : '#dbe8f7');
      if (text) text.setAttribute('style', `fill:${isActive ? '#fff' : '#1f2933'}`);
    }
    activeLayer.replaceChildren();
    if (!active) return;
    const [r, c] = active;
    activeLayer.append(
      el('rect', {
        'data-testid': 'window-2d-rect',
        x: inX + bw.start[c] * ci,
        y: inY + bh.start[r] * ci,
        width: (bw.end[c] - bw.start[c]) * ci,
        height: (bh.end[r] - bh.start[r]) * ci,
        fill: 'none',
        stroke: '#111',
        'stroke-width': 3,
        rx: 2,
      }),
      // Guide from the window to its output cell.
      el('line', {
        x1: inX + bw.end[c] * ci,
        y1: inY + ((bh.start[r] + bh.end[r]) * ci) / 2,
        x2: outX + c * co,
        y2: outY + r * co + co / 2,
        stroke: '#111',
        'stroke-width': 1,
        'stroke-dasharray': '4 3',
        opacity: 0.6,
      }),
    );
  }

  return { svg, setActive };
}
