// The popular (and wrong) explanation of adaptive pooling, kept in JS on purpose: the page contrasts it with
// the real windows from the wasm module. "Stencil size ceil(in/out), placed at rounded equidistant points
// between 0 and in - stencil" (rounded like torch.round / numpy: half to even).
function roundHalfEven(v) {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function roundedLinspaceWindows(inSize, outSize) {
  const kernel = Math.ceil(inSize / outSize);
  const last = inSize - kernel;
  const points = [];
  const start = [];
  for (let o = 0; o < outSize; o++) {
    const p = outSize === 1 ? 0 : (last * o) / (outSize - 1);
    points.push(p);
    start.push(roundHalfEven(p));
  }
  return { kernel, last, points, start, end: start.map((s) => s + kernel) };
}
