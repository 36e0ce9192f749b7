// The CommonJS entry point: require() gives the same API and the same error class as import.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const pkg = require('adaptive-pool');

const build = process.env.AP_BUILD || 'auto';

test('require("adaptive-pool") loads and computes', async () => {
  assert.equal(typeof pkg.load, 'function');
  const ap = await pkg.load({ build, threads: 2 });
  try {
    if (build !== 'auto') assert.equal(ap.build, build);
    const r = ap.adaptiveAvgPool1d(
      { data: Float64Array.from([0, 1, 2, 3, 4, 5, 6]), shape: [1, 7] },
      4,
    );
    assert.ok(r.data instanceof Float64Array);
    assert.deepEqual(Array.from(r.data), [0.5, 2, 4, 5.5]);
    assert.throws(
      () => ap.adaptiveAvgPool1d({ data: new Float64Array(7), shape: [7] }, 4),
      pkg.AdaptivePoolError,
    );
  } finally {
    ap.dispose();
  }
});

test('import and require share one AdaptivePoolError class', async () => {
  const esm = await import('adaptive-pool');
  assert.equal(esm.AdaptivePoolError, pkg.AdaptivePoolError);
  assert.equal(esm.load, pkg.load);
});
