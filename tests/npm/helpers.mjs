// Shared by the package tests: which build to load, the PyTorch cases, layout permutation and
// tolerant comparison. The tests import 'adaptive-pool' as users do (from the installed tarball).
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { load } from 'adaptive-pool';

export const BUILD = process.env.AP_BUILD ?? 'auto';
export const THREADS = Number(process.env.AP_THREADS ?? 2);

export function loadBuild() {
  return load({ build: BUILD, threads: THREADS });
}

export function loadCases() {
  const file = process.env.AP_CASES;
  assert.ok(file, 'AP_CASES must name tests/data/torch-cases.json');
  return JSON.parse(readFileSync(file, 'utf8')).cases;
}

// The conformance file spells NaN and infinities as strings.
export function decode(values) {
  return values.map((v) =>
    v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v,
  );
}

// Permutes a dense row-major tensor: result axis i is input axis perm[i].
export function permute(data, shape, perm) {
  const outShape = perm.map((p) => shape[p]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new data.constructor(data.length);
  const idx = new Array(outShape.length).fill(0);
  for (let o = 0; o < out.length; ++o) {
    let src = 0;
    for (let i = 0; i < perm.length; ++i) src += idx[i] * strides[perm[i]];
    out[o] = data[src];
    for (let i = idx.length - 1; i >= 0; --i) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return { data: out, shape: outShape };
}

// The permutation that turns one layout of a `rank`-dimensional tensor into the other.
export function layoutPerm(rank, batched, toChannelsLast) {
  const axes = [...Array(rank).keys()];
  if (batched) {
    const spatial = axes.slice(2);
    return toChannelsLast ? [0, ...spatial, 1] : [0, rank - 1, ...axes.slice(1, rank - 1)];
  }
  return toChannelsLast ? [...axes.slice(1), 0] : [rank - 1, ...axes.slice(0, rank - 1)];
}

export function assertClose(actual, expected, label, rtol = 1e-5, atol = 1e-6) {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; ++i) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${label}[${i}]: expected NaN, got ${a}`);
    } else if (!Number.isFinite(e)) {
      assert.equal(a, e, `${label}[${i}]`);
    } else {
      assert.ok(
        Math.abs(a - e) <= atol + rtol * Math.abs(e),
        `${label}[${i}]: expected ${e}, got ${a}`,
      );
    }
  }
}

export function assertExact(actual, expected, label) {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; ++i)
    assert.ok(
      Object.is(actual[i], expected[i]) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i])),
      `${label}[${i}]: expected ${expected[i]}, got ${actual[i]}`,
    );
}

// Asserts that fn throws an AdaptivePoolError with this code and a message matching `pattern`.
export function assertApError(fn, code, pattern, AdaptivePoolError) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof AdaptivePoolError, `expected AdaptivePoolError, got ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'AdaptivePoolError');
    assert.equal(e.code, code, `code of: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}
