// Tiny SVG builder. Drawings carry their own <style>, so an exported SVG or PNG looks like the page.
const NS = 'http://www.w3.org/2000/svg';

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#b07aa1',
  '#edc948',
  '#9c755f',
  '#ff9da7',
  '#7f7f7f',
];

const SVG_CSS = `
  text { font-family: ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; fill: #1f2933; }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  .muted { fill: #66727f; }
  .small { font-size: 10px; }
  .label { font-size: 12px; }
  .value { font-size: 12px; }
  .cell { fill: #f3f5f8; stroke: #aab4c0; stroke-width: 1; }
  .cell.in-window { fill: #dbe8f7; }
  .cell.picked { fill: #ffe08a; stroke: #b7791f; stroke-width: 2; }
  .win-label { font-size: 11px; fill: #fff; font-weight: 600; }
  .win-label.outside { fill: #1f2933; font-weight: 500; }
  .dim { opacity: 0.3; }
  .sel-outline { fill: none; stroke: #111; stroke-width: 2.5; }
  .mismatch { fill: #fde2e1; stroke: #d64545; stroke-width: 1.5; }
  .bad { fill: #d64545; }
  .good { fill: #2f855a; }
  .axis { stroke: #aab4c0; stroke-width: 1; }
  .clickable { cursor: pointer; }
`;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c) node.append(c);
  return node;
}

/** An <svg> that scales down with its container but never above its natural size. */
export function svgRoot(width, height, label) {
  const svg = el('svg', {
    xmlns: NS,
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': label,
    // Shrinks to fit a narrow screen, but not below a readable size: past that the figure scrolls sideways.
    style: `max-width: 100%; min-width: ${Math.min(width, 540)}px; height: auto;`,
  });
  svg.append(el('style', { text: SVG_CSS }));
  svg.append(el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }));
  const defs = el('defs');
  const hatch = el('pattern', {
    id: 'hatch',
    width: 6,
    height: 6,
    patternUnits: 'userSpaceOnUse',
    patternTransform: 'rotate(45)',
  });
  hatch.append(el('rect', { width: 6, height: 6, fill: 'rgba(255,255,255,0)' }));
  hatch.append(
    el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: 'rgba(0,0,0,0.45)', 'stroke-width': 2.5 }),
  );
  defs.append(hatch);
  svg.append(defs);
  return svg;
}

/** Sequential colour scale (ColorBrewer Blues) for heat maps; t in [0, 1]. */
const STOPS = [
  [239, 246, 255],
  [198, 219, 239],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
];
export function heat(t) {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((a, k) => Math.round(a + (STOPS[i + 1][k] - a) * f));
  return { fill: `rgb(${c.join(',')})`, dark: x > 2.2 };
}
