// Small DOM helpers shared by the views: slider + number pairs, segmented buttons, figure frames.
import { exportPng, exportSvg } from './export.js';

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'html') node.innerHTML = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** A labelled slider with a number field beside it, both bound to one state key. */
export function sizeControl(state, key, label, { sliderMax, max, testid }) {
  const range = h('input', {
    type: 'range',
    min: 1,
    max: sliderMax,
    'aria-label': `${label} slider`,
  });
  const num = h('input', {
    type: 'number',
    min: 1,
    max,
    'data-testid': testid,
    id: testid,
    'aria-label': label,
  });
  const sync = () => {
    const v = state.get(key);
    range.value = Math.min(v, sliderMax);
    if (document.activeElement !== num) num.value = v;
  };
  range.addEventListener('input', () => state.set({ [key]: range.value }));
  num.addEventListener('input', () => {
    const v = Number(num.value);
    if (Number.isInteger(v) && v >= 1 && v <= max) state.set({ [key]: v });
  });
  num.addEventListener('change', () => {
    num.value = state.get(key);
  });
  state.subscribe(sync);
  sync();
  return h(
    'label',
    { class: 'size-control' },
    h('span', { class: 'ctl-label', text: label }),
    range,
    num,
  );
}

/** Segmented buttons for an enum state key. */
export function segmented(state, key, options, testid) {
  const buttons = options.map(([value, text]) =>
    h('button', {
      type: 'button',
      'data-value': value,
      'data-testid': `${testid}-${value}`,
      text,
      onclick: () => state.set({ [key]: value }),
    }),
  );
  const sync = () => {
    for (const b of buttons)
      b.setAttribute('aria-pressed', String(b.dataset.value === state.get(key)));
  };
  state.subscribe(sync);
  sync();
  return h('div', { class: 'segmented', role: 'group', 'data-testid': testid }, buttons);
}

/** A frame for one drawing with SVG / PNG export buttons; call set(svg) to replace the drawing. */
export function figure(name, testid, caption) {
  const holder = h('div', { class: 'fig-body', 'data-testid': testid });
  let current = null;
  const tools = h(
    'div',
    { class: 'fig-tools' },
    h('button', {
      type: 'button',
      class: 'ghost',
      text: 'SVG',
      title: 'Download this drawing as SVG',
      'data-testid': `${testid}-svg`,
      onclick: () => current && exportSvg(current, name),
    }),
    h('button', {
      type: 'button',
      class: 'ghost',
      text: 'PNG',
      title: 'Download this drawing as PNG',
      'data-testid': `${testid}-png`,
      onclick: () => current && exportPng(current, name),
    }),
  );
  const node = h(
    'figure',
    { class: 'fig' },
    h('div', { class: 'fig-head' }, h('figcaption', { text: caption }), tools),
    holder,
  );
  return {
    node,
    set(svg) {
      current = svg;
      holder.replaceChildren(svg);
    },
    get svg() {
      return current;
    },
  };
}

export function codeBlock(testid) {
  const code = h('code', { 'data-testid': testid });
  const copy = h('button', {
    type: 'button',
    class: 'ghost copy',
    text: 'copy',
    onclick: () => navigator.clipboard?.writeText(code.textContent),
  });
  return { node: h('div', { class: 'torch' }, h('pre', {}, code), copy), code };
}
