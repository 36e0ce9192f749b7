// The CommonJS view of the declarations (index.d.cts): require() in TypeScript.
import adaptivePool = require('adaptive-pool');

export async function viaRequire(): Promise<number> {
  const ap = await adaptivePool.load({ build: 'scalar' });
  const r = ap.adaptiveAvgPool1d({ data: new Float32Array(7), shape: [1, 7] }, 4);
  const isError = new Error('x') instanceof adaptivePool.AdaptivePoolError;
  ap.dispose();
  return r.data.length + Number(isError);
}
