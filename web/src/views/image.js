// Image view: a picture average- and max-pooled (channels-last RGB, straight from the canvas) to OH x OW by the
// wasm module, with the row/column windows drawn along the original and the hovered output's window on it.
import { el, svgRoot, PALETTE } from '../svg.js';
import { h, sizeControl, figure, codeBlock } from '../ui.js';
import { win } from '../format.js';

const VIEW = 300; // displayed size of the longer image side
const LANE = 7;

/** A built-in picture, drawn procedurally so the page ships no image file. */
function sampleImage() {
  const W = 160;
  const H = 120;
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  const g = c.getContext('2d');
  const sky = g.createLinearGradient(0, 0, 0, H);
  sky.addColorStop(0, '#1d3b72');
  sky.addColorStop(0.55, '#f29e4c');
  sky.addColorStop(1, '#f8d27a');
  g.fillStyle = sky;
  g.fillRect(0, 0, W, H);
  g.fillStyle = '#fff3c4';
  g.beginPath();
  g.arc(112, 48, 15, 0, Math.PI * 2);
  g.fill();
  g.fillStyle = '#2d4059';
  g.beginPath();
  g.moveTo(0, 92);
  g.lineTo(34, 58);
  g.lineTo(58, 80);
  g.lineTo(86, 50);
  g.lineTo(124, 88);
  g.lineTo(160, 70);
  g.lineTo(160, 120);
  g.lineTo(0, 120);
  g.fill();
  g.fillStyle = '#3f7d58';
  g.fillRect(0, 100, W, 20);
  // A checkerboard and thin stripes: detail that average and max pooling treat very differently.
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 6; x++) {
      g.fillStyle = (x + y) % 2 ? '#ffffff' : '#111111';
      g.fillRect(8 + x * 4, 8 + y * 4, 4, 4);
    }
  g.fillStyle = '#ffffff';
  for (let x = 0; x < 5; x++) g.fillRect(132 + x * 4, 104, 1, 12);
  return c;
}

function toRgb(canvas) {
  const { width: W, height: H } = canvas;
  const px = canvas.getContext('2d').getImageData(0, 0, W, H).data;
  const rgb = new Float32Array(W * H * 3);
  for (let i = 0, j = 0; i < px.length; i += 4, j += 3) {
    rgb[j] = px[i];
    rgb[j + 1] = px[i + 1];
    rgb[j + 2] = px[i + 2];
  }
  return rgb;
}

function rgbToUrl(rgb, W, H) {
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(W, H);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    img.data[i] = rgb[j];
    img.data[i + 1] = rgb[j + 1];
    img.data[i + 2] = rgb[j + 2];
    img.data[i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c.toDataURL('image/png');
}

async function fileImage(file, maxSide = 480) {
  const bmp = await createImageBitmap(file);
  const k = Math.min(1, maxSide / Math.max(bmp.width, bmp.height));
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(bmp.width * k));
  c.height = Math.max(1, Math.round(bmp.height * k));
  c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
  return c;
}

export function mountImage(root, { engine, state }) {
  const fig = figure(
    'adaptive-pool-image',
    'fig-image',
    'Original with the row/column windows, then average- and max-pooled',
  );
  const info = h('p', { class: 'window-info', 'data-testid': 'info-image' });
  const torch = codeBlock('torch-image');
  const picker = h('input', {
    type: 'file',
    accept: 'image/*',
    'data-testid': 'image-file',
    id: 'image-file',
  });
  const sourceName = h('span', { class: 'hint', 'data-testid': 'image-source' });
  root.append(
    h(
      'div',
      { class: 'controls' },
      sizeControl(state, 'ioh', 'OH', { sliderMax: 32, max: 64, testid: 'oh-image' }),
      sizeControl(state, 'iow', 'OW', { sliderMax: 32, max: 64, testid: 'ow-image' }),
      h(
        'div',
        { class: 'inline' },
        h('label', { class: 'file-button', for: 'image-file' }, 'choose an image…'),
        picker,
        h('button', {
          type: 'button',
          class: 'ghost',
          text: 'sample image',
          onclick: () => useSample(),
        }),
        sourceName,
      ),
    ),
    fig.node,
    info,
    torch.node,
  );

  let src = null;
  let name = '';
  let hover = null;
  let data = null;

  function useSample() {
    src = sampleImage();
    name = 'built-in sample';
    picker.value = '';
    render();
  }
  picker.addEventListener('change', async () => {
    const f = picker.files?.[0];
    if (!f) return;
    try {
      src = await fileImage(f);
    } catch (err) {
      sourceName.textContent = `${f.name} could not be read as an image (${err.message}); still showing ${name}.`;
      return;
    }
    name = f.name;
    render();
  });

  function compute() {
    const W = src.width;
    const H = src.height;
    const OH = state.get('ioh');
    const OW = state.get('iow');
    const rgb = toRgb(src);
    const bh = engine.bins(H, OH);
    const bw = engine.bins(W, OW);
    const avg = engine.avgImage(rgb, H, W, OH, OW);
    const max = engine.maxImage(rgb, H, W, OH, OW);
    data = {
      W,
      H,
      OH,
      OW,
      bh,
      bw,
      original: src.toDataURL('image/png'),
      avgUrl: rgbToUrl(avg, OW, OH),
      maxUrl: rgbToUrl(max, OW, OH),
    };
  }

  let view = null;

  function draw() {
    const { W, H, OH, OW } = data;
    view = drawing(data, (rc) => {
      if (rc === hover || (rc && hover && rc[0] === hover[0] && rc[1] === hover[1])) return;
      hover = rc;
      showHover();
    });
    fig.set(view.svg);
    sourceName.textContent = `${name}, ${W} × ${H} px`;
    showHover();
    torch.code.textContent =
      `import torch.nn as nn\n` +
      `# x: the image as a (3, ${H}, ${W}) float tensor\n` +
      `nn.AdaptiveAvgPool2d((${OH}, ${OW}))(x)\n` +
      `nn.AdaptiveMaxPool2d((${OH}, ${OW}))(x)`;
  }

  // Hovering only restyles the drawing: the images are not decoded again.
  function showHover() {
    const { W, H, OH, OW, bh, bw } = data;
    if (hover && (hover[0] >= OH || hover[1] >= OW)) hover = null;
    view.setHover(hover);
    if (hover) {
      const [r, c] = hover;
      info.replaceChildren(
        h('b', { text: `output (${r}, ${c})` }),
        ` pools rows ${win(bh.start[r], bh.end[r])} × cols ${win(bw.start[c], bw.end[c])} of the ${W} × ${H} image.`,
      );
    } else {
      info.textContent = `Hover a pooled pixel to see its window. Bars along the image: the ${OH} row and ${OW} column windows, alternating lanes so overlaps show.`;
    }
  }

  function render() {
    if (!src) {
      src = sampleImage();
      name = 'built-in sample';
    }
    compute();
    draw();
  }
  return render;
}

function drawing({ W, H, OH, OW, bh, bw, original, avgUrl, maxUrl }, onHover) {
  const k = VIEW / Math.max(W, H);
  const dw = W * k;
  const dh = H * k;
  const bandW = 2 * LANE + 8;
  const x0 = 16 + bandW;
  const y0 = 30 + bandW;
  const gap = 28;
  const width = x0 + 3 * dw + 2 * gap + 16;
  const height = y0 + dh + 30;
  const svg = svgRoot(width, height, `image ${W}x${H} pooled to ${OH}x${OW}`);
  const title = (x, text) => svg.append(el('text', { x, y: 18, class: 'label muted', text }));
  title(x0, `original ${W} × ${H}`);
  title(x0 + dw + gap, `AdaptiveAvgPool2d((${OH}, ${OW}))`);
  title(x0 + 2 * (dw + gap), `AdaptiveMaxPool2d((${OH}, ${OW}))`);

  svg.append(
    el('image', {
      href: original,
      x: x0,
      y: y0,
      width: dw,
      height: dh,
      preserveAspectRatio: 'none',
    }),
  );
  const px = { style: 'image-rendering: pixelated', preserveAspectRatio: 'none' };
  svg.append(el('image', { href: avgUrl, x: x0 + dw + gap, y: y0, width: dw, height: dh, ...px }));
  svg.append(
    el('image', { href: maxUrl, x: x0 + 2 * (dw + gap), y: y0, width: dw, height: dh, ...px }),
  );
  for (const fx of [x0, x0 + dw + gap, x0 + 2 * (dw + gap)]) {
    svg.append(
      el('rect', {
        x: fx - 0.5,
        y: y0 - 0.5,
        width: dw + 1,
        height: dh + 1,
        fill: 'none',
        stroke: '#aab4c0',
      }),
    );
  }

  // Column windows above, row windows to the left: two lanes, so neighbours that overlap are visible.
  const colBars = Array.from({ length: OW }, (_, c) =>
    el('rect', {
      x: x0 + bw.start[c] * k,
      y: y0 - bandW + (c % 2) * (LANE + 2),
      width: (bw.end[c] - bw.start[c]) * k,
      height: LANE,
      rx: 2,
    }),
  );
  const rowBars = Array.from({ length: OH }, (_, r) =>
    el('rect', {
      x: x0 - bandW + (r % 2) * (LANE + 2),
      y: y0 + bh.start[r] * k,
      width: LANE,
      height: (bh.end[r] - bh.start[r]) * k,
      rx: 2,
    }),
  );
  svg.append(...colBars, ...rowBars);
  const overlay = el('g');
  svg.append(overlay);

  // Hit areas over both pooled images.
  const hits = [];
  for (const px0 of [x0 + dw + gap, x0 + 2 * (dw + gap)]) {
    for (let r = 0; r < OH; r++) {
      for (let c = 0; c < OW; c++) {
        const rect = el('rect', {
          x: px0 + (c * dw) / OW,
          y: y0 + (r * dh) / OH,
          width: dw / OW,
          height: dh / OH,
          fill: 'transparent',
          'stroke-width': 2,
          'data-testid': 'image-out-cell',
          'data-r': r,
          'data-c': c,
          onmouseenter: () => onHover([r, c]),
          onmouseleave: () => onHover(null),
        });
        svg.append(rect);
        hits.push({ rect, r, c });
      }
    }
  }
  svg.append(
    el('text', {
      x: x0,
      y: y0 + dh + 20,
      class: 'small muted',
      text: 'Windows are the product of a row window and a column window; neighbours overlap by one pixel when the size does not divide evenly.',
    }),
  );

  let lit = [];
  function setHover(hover) {
    colBars.forEach((bar, c) => {
      const on = hover && hover[1] === c;
      bar.setAttribute('fill', on ? '#111' : PALETTE[c % PALETTE.length]);
      bar.setAttribute('opacity', hover && !on ? 0.35 : 0.9);
    });
    rowBars.forEach((bar, r) => {
      const on = hover && hover[0] === r;
      bar.setAttribute('fill', on ? '#111' : PALETTE[r % PALETTE.length]);
      bar.setAttribute('opacity', hover && !on ? 0.35 : 0.9);
    });
    for (const rect of lit) rect.setAttribute('stroke', 'none');
    lit = hover
      ? hits.filter((hit) => hit.r === hover[0] && hit.c === hover[1]).map((hit) => hit.rect)
      : [];
    for (const rect of lit) rect.setAttribute('stroke', '#fff');
    overlay.replaceChildren();
    if (!hover) return;
    const [r, c] = hover;
    const rect = {
      x: x0 + bw.start[c] * k,
      y: y0 + bh.start[r] * k,
      width: (bw.end[c] - bw.start[c]) * k,
      height: (bh.end[r] - bh.start[r]) * k,
    };
    overlay.append(
      el('rect', { ...rect, fill: 'none', stroke: '#000', 'stroke-width': 4, opacity: 0.5 }),
      el('rect', {
        ...rect,
        fill: 'rgba(255,255,255,0.15)',
        stroke: '#fff',
        'stroke-width': 2,
        'data-testid': 'image-window',
      }),
    );
  }

  return { svg, setHover };
}
