// Wasm tensors: inputs and `out` options that copy nothing, views that survive memory growth,
// chaining forward into backward, and freeing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuild } from './helpers.mjs';

let ap;
before(async () => {
  ap = await loadBuild();
});
after(() => ap.dispose());

const ramp = (n, Ctor = Float32Array) => Ctor.from({ length: n }, (_, i) => ((i * 7919) % 23) - 11);

for (const dtype of ['float32', 'float64']) {
  const Ctor = dtype === 'float64' ? Float64Array : Float32Array;

  test(`${dtype}: wasm input + out: the result is the out tensor's memory, values as with JS arrays`, () => {
    // Heap use after each round must not grow. The first round is the baseline, not the heap
    // before it: the threaded runtime allocates a few bytes once, the first time work is split.
    const heap = [];
    for (let round = 0; round < 3; ++round) {
      zeroCopyRound(dtype, Ctor);
      heap.push(ap.memoryInUse());
    }
    assert.deepEqual(heap, [heap[0], heap[0], heap[0]], 'disposed tensors give their memory back');
  });
}

function zeroCopyRound(dtype, Ctor) {
  const shape = [2, 3, 9, 10];
  const js = { data: ramp(540, Ctor), shape };
  const x = ap.tensor(shape, { dtype });
  x.data.set(js.data);
  const out = ap.tensor([2, 3, 4, 3], { dtype });
  const idx = ap.tensor([2, 3, 4, 3], { dtype: 'int32' });
  const memory = out.data.buffer;

  const avg = ap.adaptiveAvgPool2d(x, [4, 3], { out });
  assert.equal(avg.data.buffer, memory, 'result is a view of wasm memory');
  assert.equal(avg.data.byteOffset, out.data.byteOffset, 'result is the out tensor');
  assert.deepEqual(avg.shape, [2, 3, 4, 3]);
  assert.deepEqual(Array.from(avg.data), Array.from(ap.adaptiveAvgPool2d(js, [4, 3]).data));

  const max = ap.adaptiveMaxPool2d(x, [4, 3], { out, outIndices: idx });
  const ref = ap.adaptiveMaxPool2d(js, [4, 3]);
  assert.equal(max.indices.buffer, memory);
  assert.equal(max.indices.byteOffset, idx.data.byteOffset);
  assert.deepEqual(Array.from(out.data), Array.from(ref.data));
  assert.deepEqual(Array.from(idx.data), Array.from(ref.indices));

  // Backward from wasm tensors into a wasm tensor: grad of the max goes to its argmax.
  const grad = ap.tensor(shape, { dtype });
  const g = ap.adaptiveMaxPool2dBackward(out, idx, shape, { out: grad });
  assert.equal(g.data.byteOffset, grad.data.byteOffset);
  assert.deepEqual(
    Array.from(grad.data),
    Array.from(
      ap.adaptiveMaxPool2dBackward({ data: ref.data, shape: ref.shape }, ref.indices, shape).data,
    ),
  );
  const ga = ap.adaptiveAvgPool2dBackward(out, shape, { out: grad });
  assert.equal(ga.data.byteOffset, grad.data.byteOffset);

  for (const t of [x, out, idx, grad]) t.dispose();
}

test('results from JS inputs are plain arrays, not views of wasm memory', () => {
  const r = ap.adaptiveAvgPool1d({ data: ramp(14), shape: [1, 1, 14] }, 4);
  const t = ap.tensor([1]);
  assert.notEqual(r.data.buffer, t.data.buffer);
  t.dispose();
});

test('tensor data stays valid when wasm memory grows', () => {
  const t = ap.tensor([1, 2, 50]);
  t.data.set(ramp(100));
  const before = t.data;
  // 64 MiB more than any heap so far: memory has to grow.
  const big = ap.tensor([16 * 1024 * 1024]);
  assert.ok(big.data.length === 16 * 1024 * 1024);
  const after = t.data;
  assert.equal(after.length, 100);
  assert.deepEqual(Array.from(after), Array.from(ramp(100)));
  assert.ok(after.buffer.byteLength >= 64 * 1024 * 1024, 'view of the grown memory');
  // Without re-deriving, a view of the old buffer would be detached (or too short when shared).
  assert.ok(before.buffer !== after.buffer || before.length === 100);
  const r = ap.adaptiveMaxPool1d(t, 5);
  assert.deepEqual(r.shape, [1, 2, 5]);
  big.dispose();
  t.dispose();
});

test('tensor(): zero-filled, dtype, size, shape frozen', () => {
  const t = ap.tensor([2, 0, 3], { dtype: 'float64' });
  assert.equal(t.size, 0);
  assert.equal(t.data.length, 0);
  t.dispose();
  const u = ap.tensor([3, 4], { dtype: 'int32' });
  assert.ok(u.data instanceof Int32Array);
  assert.deepEqual(Array.from(u.data), new Array(12).fill(0));
  assert.equal(u.dtype, 'int32');
  assert.ok(Object.isFrozen(u.shape));
  u.dispose();
  assert.equal(ap.tensor([5]).dtype, 'float32');
});

test('ap.dispose() frees the tensors it handed out', async () => {
  const other = await loadBuild();
  const base = other.memoryInUse();
  const ts = [other.tensor([1000]), other.tensor([10, 10], { dtype: 'float64' })];
  assert.ok(other.memoryInUse() >= base + 4800);
  other.dispose();
  assert.ok(ts.every((t) => t.disposed));
});

test('bins(): PyTorch windows', () => {
  const b = ap.bins(7, 4);
  assert.ok(b.start instanceof Int32Array && b.end instanceof Int32Array);
  assert.deepEqual(Array.from(b.start), [0, 1, 3, 5]);
  assert.deepEqual(Array.from(b.end), [2, 4, 6, 7]);
  const up = ap.bins(5, 7);
  assert.deepEqual(Array.from(up.start), [0, 0, 1, 2, 2, 3, 4]);
  assert.deepEqual(Array.from(up.end), [1, 2, 3, 3, 4, 5, 5]);
  // o * in passes 2^31 here: every window against exact BigInt floor/ceil.
  const [n, m] = [70000n, 69999n];
  const big = ap.bins(Number(n), Number(m));
  for (let o = 0n; o < m; ++o) {
    const start = (o * n) / m;
    const end = ((o + 1n) * n + m - 1n) / m;
    if (big.start[o] !== Number(start) || big.end[o] !== Number(end))
      assert.fail(
        `bins(70000, 69999) window ${o}: [${big.start[o]}, ${big.end[o]}) != [${start}, ${end})`,
      );
  }
  assert.equal(ap.bins(3, 0).start.length, 0);
});

test('unbatched inputs and output size 0 / batch 0', () => {
  const r = ap.adaptiveAvgPool2d({ data: ramp(3 * 4 * 4), shape: [3, 4, 4] }, [2, null]);
  assert.deepEqual(r.shape, [3, 2, 4]);
  const z = ap.adaptiveMaxPool2d({ data: ramp(16), shape: [1, 1, 4, 4] }, 0);
  assert.deepEqual(z.shape, [1, 1, 0, 0]);
  assert.equal(z.data.length, 0);
  const n0 = ap.adaptiveAvgPool1d({ data: new Float32Array(0), shape: [0, 3, 5] }, 2);
  assert.deepEqual(n0.shape, [0, 3, 2]);
});

test('bench-only read-write floor: reads input, writes all of output, refuses mixed dtypes', () => {
  // bench/run.mjs's read_write_ms: the sum of the input goes to every element of the output (so
  // the read cannot be dropped); a tensor made next to the output stays as it was.
  for (const dtype of ['float32', 'float64']) {
    const x = ap.tensor([37], { dtype });
    x.data.set(ramp(37));
    const out = ap.tensor([19], { dtype });
    const next = ap.tensor([8], { dtype });
    next.data.fill(-3);
    const sum = x.data.reduce((s, v) => s + v, 0);
    assert.equal(ap._rooflineReadWrite(x, out), sum);
    assert.deepEqual(Array.from(out.data), new Array(19).fill(sum));
    assert.deepEqual(Array.from(next.data), new Array(8).fill(-3));
    for (const t of [x, out, next]) t.dispose();
  }
  const x = ap.tensor([4]);
  const out64 = ap.tensor([4], { dtype: 'float64' });
  assert.throws(
    () => ap._rooflineReadWrite(x, out64),
    (e) => e.code === 'DTYPE' && /output must be float32 like input, got float64/.test(e.message),
  );
  assert.deepEqual(Array.from(out64.data), [0, 0, 0, 0]);
  x.dispose();
  out64.dispose();
});
