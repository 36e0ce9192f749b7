// Imports the installed package as an app would, runs a few checks and publishes the outcome as
// window.__result for the Playwright driver (run.test.mjs).
import { AdaptivePoolError, load } from 'adaptive-pool';

// Naive adaptive average pooling of one NCHW tensor (test oracle, independent of the package).
function naiveAvg2d(data, [n, c, h, w], [oh, ow]) {
  const out = new Float64Array(n * c * oh * ow);
  let k = 0;
  for (let p = 0; p < n * c; ++p)
    for (let i = 0; i < oh; ++i)
      for (let j = 0; j < ow; ++j) {
        const h0 = Math.floor((i * h) / oh),
          h1 = Math.ceil(((i + 1) * h) / oh);
        const w0 = Math.floor((j * w) / ow),
          w1 = Math.ceil(((j + 1) * w) / ow);
        let sum = 0;
        for (let y = h0; y < h1; ++y)
          for (let x = w0; x < w1; ++x) sum += data[p * h * w + y * w + x];
        out[k++] = sum / (h1 - h0) / (w1 - w0);
      }
  return out;
}

async function check(options) {
  const ap = await load(options);
  try {
    const ramp = { data: Float32Array.from([0, 1, 2, 3, 4, 5, 6]), shape: [1, 1, 7] };
    const avg = Array.from(ap.adaptiveAvgPool1d(ramp, 4).data);
    const maxIndices = Array.from(ap.adaptiveMaxPool1d(ramp, 4).indices);

    // Big enough to be split across the worker threads.
    const shape = [4, 8, 64, 64];
    const x = ap.tensor(shape, { dtype: 'float64' });
    x.data.forEach((_, i, a) => (a[i] = Math.sin(i * 0.37)));
    const out = ap.tensor([4, 8, 7, 5], { dtype: 'float64' });
    const r = ap.adaptiveAvgPool2d(x, [7, 5], { out });
    const ref = naiveAvg2d(x.data, shape, [7, 5]);
    let maxError = 0;
    for (let i = 0; i < ref.length; ++i)
      maxError = Math.max(maxError, Math.abs(r.data[i] - ref[i]));
    const zeroCopy = r.data.buffer === out.data.buffer;

    let errorCode = null;
    try {
      ap.adaptiveAvgPool2d({ data: new Float32Array(4), shape: [4] }, 2);
    } catch (e) {
      errorCode = e instanceof AdaptivePoolError ? e.code : `not an AdaptivePoolError: ${e}`;
    }
    return { build: ap.build, threads: ap.threads, avg, maxIndices, maxError, zeroCopy, errorCode };
  } finally {
    ap.dispose();
  }
}

async function main() {
  const result = { crossOriginIsolated: globalThis.crossOriginIsolated === true };
  result.auto = await check({ threads: 2 });
  result.scalar = await check({ build: 'scalar' });
  try {
    const ap = await load({ build: 'simd-threads' });
    result.explicitThreads = 'loaded';
    ap.dispose();
  } catch (e) {
    result.explicitThreads = e instanceof AdaptivePoolError ? `${e.code}: ${e.message}` : String(e);
  }
  return result;
}

main()
  .then((r) => (window.__result = r))
  .catch((e) => (window.__result = { failure: String(e && e.stack ? e.stack : e) }))
  .finally(
    () =>
      (document.getElementById('result').textContent = JSON.stringify(window.__result, null, 2)),
  );
