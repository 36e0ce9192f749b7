// Seeded random calls of every entry point: shapes, batch, layout, dtype, output sizes (null
// entries included), plain arrays or wasm tensors, `out` tensors. A call without a defect must give
// what the naive loops of bench/naive.mjs give; a call with one defect put in on purpose must throw
// an AdaptivePoolError with that defect's code, and leave its `out` tensor untouched. Either way
// the wasm heap holds afterwards what it held before. The error tests name each rule once; these
// mix the rules with every op, rank, layout and dtype.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptivePoolError } from 'adaptive-pool';
import { assertClose, assertExact, BUILD, loadBuild } from './helpers.mjs';

const { naiveBackward, naiveForward } = await import(process.env.AP_NAIVE ?? 'missing AP_NAIVE');

const kCalls = 2000;

let ap;
before(async () => {
  ap = await loadBuild();
  // The threaded runtime allocates a few bytes once, the first time work is split.
  ap.adaptiveAvgPool2d({ data: new Float32Array(8 * 64 * 64), shape: [8, 1, 64, 64] }, 3);
});
after(() => ap.dispose());

// mulberry32: a small seeded generator, so a failure names a call that can be replayed.
function generator(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

const count = (shape) => shape.reduce((a, b) => a * b, 1);

// Values on a 1/8 grid in [-4, 4): coarse, so max windows hold ties.
function values(Ctor, n, r) {
  return Ctor.from({ length: n }, () => r.int(-32, 31) / 8);
}

// The defects a call may get, one at a time, with the code each must raise.
const DEFECTS = {
  forward: [
    ['negative input size', 'SHAPE'],
    ['fractional input size', 'SHAPE'],
    ['empty spatial axis', 'SHAPE'],
    ['data one element long', 'SHAPE'],
    ['two axes too many', 'RANK'],
    ['negative output size', 'OUTPUT_SIZE'],
    ['an output size too many', 'OUTPUT_SIZE'],
    ['integer data', 'DTYPE'],
    ['unknown option', 'ARGUMENT'],
    ['out of the wrong shape', 'SHAPE'],
    ['out of the other dtype', 'DTYPE'],
  ],
  backward: [
    ['gradOutput with a channel too many', 'SHAPE'],
    ['inputShape with a negative size', 'SHAPE'],
    ['integer gradOutput', 'DTYPE'],
    ['unknown option', 'ARGUMENT'],
    ['out of the wrong shape', 'SHAPE'],
  ],
  maxBackward: [
    ['an index past its plane', 'INDEX'],
    ['one index too few', 'SHAPE'],
  ],
};

// Defects outside the data and its shape.
const KEEPS_DATA = new Set([
  'negative output size',
  'an output size too many',
  'unknown option',
  'out of the wrong shape',
  'out of the other dtype',
  'an index past its plane',
  'one index too few',
]);

// One random call: what it passes, what the naive loops expect, and which defect it carries.
function makeCall(r) {
  const kind = r.pick(['Avg', 'Max']);
  const dims = r.int(1, 3);
  const backward = r.chance(0.4);
  const channelsLast = r.chance(0.5);
  const dtype = r.pick(['float32', 'float64']);
  const Ctor = dtype === 'float64' ? Float64Array : Float32Array;
  const batched = r.chance(0.7);
  const N = batched ? r.int(0, 2) : 1;
  const C = r.int(1, 5);
  const inSize = Array.from({ length: dims }, () => r.int(1, dims === 3 ? 6 : 11));
  // Output sizes: smaller, equal, larger or 0; in 2d and 3d an entry may be null (keep the size).
  const outSpec = inSize.map((n) =>
    dims > 1 && r.chance(0.1) ? null : r.pick([1, n, n + 1, 2 * n, r.int(0, n), r.int(1, n)]),
  );
  const outSize = outSpec.map((o, i) => o ?? inSize[i]);
  const layoutShape = (sp) => {
    const s = channelsLast ? [...sp, C] : [C, ...sp];
    return batched ? [N, ...s] : s;
  };
  const inShape = layoutShape(inSize);
  const outShape = layoutShape(outSize);
  const outputSize = dims === 1 && r.chance(0.5) ? outSpec[0] : outSpec;

  const pad = (v) => [...Array(3 - v.length).fill(1), ...v];
  const sizes = [N, C, pad(inSize), pad(outSize)]; // the naive loops' arguments
  const x = values(Ctor, count(inShape), r);
  const y = new Ctor(count(outShape));
  const idx = new Int32Array(count(outShape));
  naiveForward(kind.toLowerCase(), channelsLast, x, ...sizes, y, idx);
  // (Index defects need an index to break.)
  const defects = DEFECTS[backward ? 'backward' : 'forward'].concat(
    backward && kind === 'Max' && idx.length > 0 ? DEFECTS.maxBackward : [],
  );
  const [defect, code] = r.chance(0.35) ? r.pick(defects) : [null, null];

  const name = `adaptive${kind}Pool${dims}d${backward ? 'Backward' : ''}`;
  const describe = `${name} ${dtype} ${channelsLast ? 'channels-last' : 'channels-first'} ${
    backward
      ? `gradOutput [${outShape}] -> [${inShape}]`
      : `[${inShape}] -> ${JSON.stringify(outputSize)}`
  }${defect ? `, ${defect}` : ''}`;
  const call = { name, describe, defect, code, dtype, Ctor, exact: kind === 'Max' };
  const options = { channelsLast };
  if (defect === 'unknown option') options.channelLast = channelsLast;

  // Sometimes a wasm tensor for the data (unless the defect is in the data or its shape, which
  // ap.tensor() itself would refuse), and an `out` tensor for the result.
  const resultShape = backward ? inShape : outShape;
  const dataDefect = defect !== null && !KEEPS_DATA.has(defect);
  const wasmInput = !dataDefect && r.chance(0.3);
  call.tensors = [];
  const asTensor = (data, shape) => {
    if (!wasmInput) return { data, shape };
    const t = ap.tensor(shape, { dtype });
    t.data.set(data);
    call.tensors.push(t);
    return t;
  };
  if (r.chance(0.3) || defect?.startsWith('out of')) {
    const shape = defect === 'out of the wrong shape' ? [count(resultShape) + 1] : resultShape;
    const other = dtype === 'float32' ? 'float64' : 'float32';
    const out = ap.tensor(shape, { dtype: defect === 'out of the other dtype' ? other : dtype });
    out.data.fill(7);
    call.tensors.push(out);
    call.out = out;
    options.out = out;
  }

  if (!backward) {
    let shape = inShape.slice();
    let data = x;
    let size = outputSize;
    const s0 = (batched ? 1 : 0) + (channelsLast ? 0 : 1); // the first spatial axis
    if (defect === 'negative input size') shape[s0] = -shape[s0];
    if (defect === 'fractional input size') shape[s0] += 0.5;
    if (defect === 'empty spatial axis') {
      shape[s0] = 0;
      data = new Ctor(count(shape));
    }
    if (defect === 'data one element long') data = new Ctor(x.length + 1);
    if (defect === 'two axes too many') shape = [1, 1, ...shape];
    if (defect === 'negative output size') size = outSpec.map((o, i) => (i === 0 ? -1 : o));
    if (defect === 'an output size too many') size = [...outSpec, 1];
    if (defect === 'integer data') data = Int32Array.from(x);
    const input = asTensor(data, shape);
    call.run = () => ap[name](input, size, options);
    call.want = { data: y, indices: kind === 'Max' ? idx : null, shape: outShape };
    return call;
  }

  const g = values(Ctor, count(outShape), r);
  const want = new Ctor(count(inShape));
  naiveBackward(`${kind.toLowerCase()}_backward`, channelsLast, g, idx, ...sizes, want);
  const gShape = outShape.slice();
  let gData = g;
  const target = inShape.slice();
  let indices = idx.slice();
  const cAxis = channelsLast ? gShape.length - 1 : batched ? 1 : 0;
  if (defect === 'gradOutput with a channel too many') {
    gShape[cAxis] += 1;
    gData = new Ctor(count(gShape));
  }
  if (defect === 'inputShape with a negative size') target[cAxis] = -target[cAxis];
  if (defect === 'integer gradOutput') gData = Int32Array.from(g);
  if (defect === 'an index past its plane') indices[r.int(0, indices.length - 1)] = count(inSize);
  if (defect === 'one index too few') indices = indices.subarray(1);
  const grad = asTensor(gData, gShape);
  call.run =
    kind === 'Max'
      ? () => ap[name](grad, indices, target, options)
      : () => ap[name](grad, target, options);
  call.want = { data: want, indices: null, shape: inShape };
  return call;
}

function assertAgrees(call, got, label) {
  const { want } = call;
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  assert.equal(got.data.constructor, call.Ctor, `${label}: dtype`);
  if (call.exact) {
    assertExact(got.data, want.data, label);
  } else {
    let largest = 1;
    for (const v of want.data) largest = Math.max(largest, Math.abs(v));
    assertClose(got.data, want.data, label, 0, (call.dtype === 'float32' ? 1e-5 : 1e-12) * largest);
  }
  if (want.indices) {
    assert.deepEqual(Array.from(got.indices), Array.from(want.indices), `${label}: indices`);
  }
  // With `out`, the result is a view of it.
  if (call.out) assert.deepEqual(Array.from(call.out.data), Array.from(got.data), `${label}: out`);
}

test(`${kCalls} random calls, valid and with one defect each (${BUILD})`, () => {
  const r = generator(20261207);
  let valid = 0;
  const seen = new Set(); // defects drawn
  for (let i = 0; i < kCalls; i++) {
    const call = makeCall(r);
    const heap = ap.memoryInUse();
    const label = `call ${i}: ${call.describe}`;
    try {
      if (call.defect) {
        assert.throws(
          call.run,
          (e) => {
            assert.ok(
              e instanceof AdaptivePoolError,
              `${label}: expected AdaptivePoolError, got ${e}`,
            );
            assert.equal(e.code, call.code, `${label}: ${e.message}`);
            return true;
          },
          `${label}: no error`,
        );
        if (call.out)
          assert.ok(
            call.out.data.every((v) => v === 7),
            `${label}: out was written`,
          );
        seen.add(call.defect);
      } else {
        assertAgrees(call, call.run(), label);
        valid++;
      }
      assert.equal(ap.memoryInUse(), heap, `${label}: wasm heap use changed`);
    } finally {
      for (const t of call.tensors) t.dispose();
    }
  }
  // Valid calls and every defect were drawn.
  assert.ok(valid > kCalls / 2, `${valid} valid calls`);
  const all = Object.values(DEFECTS).flatMap((list) => list.map(([defect]) => defect));
  assert.deepEqual([...seen].sort(), [...new Set(all)].sort());
});
