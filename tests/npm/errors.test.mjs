// Every error code, raised through the public API: the class, the code, a message naming the
// argument and the bad value; afterwards the module still works and wasm heap use is unchanged.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptivePoolError, load } from 'adaptive-pool';
import { assertApError, BUILD, loadBuild } from './helpers.mjs';

const f32 = (n) => Float32Array.from({ length: n }, (_, i) => i);
const x4 = () => ({ data: f32(16), shape: [1, 1, 4, 4] });

let ap;
// Wasm tensors the failing calls use, made once so heap use can be compared across calls.
const fx = {};
before(async () => {
  ap = await loadBuild();
  fx.x = ap.tensor([1, 1, 4, 4]);
  fx.flat4 = ap.tensor([4]);
  fx.out64 = ap.tensor([1, 1, 2, 2], { dtype: 'float64' });
  fx.out32 = ap.tensor([1, 1, 2, 2]);
  fx.int32 = ap.tensor([1, 1, 4], { dtype: 'int32' });
});
after(() => ap.dispose());

// [name, code, message pattern, call]: each call fails; used again by the leak test below.
const failing = [
  [
    'rank: 1d data for a 2d pool',
    'RANK',
    /adaptive_avg_pool2d\(\): Expected 3D or 4D tensor, but got input_shape \[4\]/,
    () => ap.adaptiveAvgPool2d({ data: f32(4), shape: [4] }, 2),
  ],
  [
    'rank: 6d data for a 3d max pool',
    'RANK',
    /Expected 4D or 5D tensor/,
    () => ap.adaptiveMaxPool3d({ data: f32(1), shape: [1, 1, 1, 1, 1, 1] }, 1),
  ],
  [
    'rank: backward grad_output of another rank',
    'RANK',
    /same rank/,
    () => ap.adaptiveAvgPool2dBackward({ data: f32(4), shape: [1, 1, 2, 2] }, [1, 4, 4]),
  ],
  [
    'shape: empty spatial axis',
    'SHAPE',
    /dimension 2 being empty/,
    () => ap.adaptiveAvgPool2d({ data: f32(0), shape: [1, 3, 0, 4] }, 2),
  ],
  [
    'shape: negative size',
    'SHAPE',
    /-3/,
    () => ap.adaptiveMaxPool2d({ data: f32(0), shape: [1, -3, 2, 4] }, 2),
  ],
  [
    'shape: data length differs from shape',
    'SHAPE',
    /5 elements.*\[1, 1, 2, 2\]/,
    () => ap.adaptiveAvgPool2d({ data: f32(5), shape: [1, 1, 2, 2] }, 2),
  ],
  [
    'shape: non-integer entry',
    'SHAPE',
    /x\.shape\[2\] must be an integer, got 2\.5/,
    () => ap.adaptiveAvgPool2d({ data: f32(4), shape: [1, 1, 2.5, 2] }, 2),
  ],
  [
    'shape: NaN entry',
    'SHAPE',
    /x\.shape\[0\] must be an integer, got NaN/,
    () => ap.adaptiveAvgPool1d({ data: f32(4), shape: [NaN, 1, 4] }, 2),
  ],
  [
    'shape: not an array',
    'SHAPE',
    /x\.shape must be an array of integers, got "1,4"/,
    () => ap.adaptiveAvgPool1d({ data: f32(4), shape: '1,4' }, 2),
  ],
  [
    'shape: backward channels differ',
    'SHAPE',
    /batch and channels/,
    () => ap.adaptiveAvgPool2dBackward({ data: f32(4), shape: [1, 2, 2, 1] }, [1, 1, 4, 4]),
  ],
  [
    'shape: inputShape with Infinity',
    'SHAPE',
    /inputShape\[3\] must be an integer, got Infinity/,
    () => ap.adaptiveAvgPool2dBackward({ data: f32(4), shape: [1, 1, 2, 2] }, [1, 1, 4, Infinity]),
  ],
  [
    'shape: indices length differs from gradOutput',
    'SHAPE',
    /indices has 1 elements but gradOutput has 2/,
    () =>
      ap.adaptiveMaxPool1dBackward(
        { data: f32(2), shape: [1, 1, 2] },
        new Int32Array([0]),
        [1, 1, 4],
      ),
  ],
  [
    'shape: out of the wrong shape',
    'SHAPE',
    /options\.out must have shape \[1, 1, 2, 2\], got \[4\]/,
    () => ap.adaptiveAvgPool2d(x4(), 2, { out: fx.flat4 }),
  ],
  [
    'output size: negative',
    'OUTPUT_SIZE',
    /greater than or equal to 0 but received \{-1, 2\}/,
    () => ap.adaptiveAvgPool2d(x4(), [-1, 2]),
  ],
  [
    'output size: too many entries',
    'OUTPUT_SIZE',
    /output_size must be 2/,
    () => ap.adaptiveMaxPool2d(x4(), [1, 2, 3]),
  ],
  [
    'output size: null in 1d',
    'OUTPUT_SIZE',
    /None/,
    () => ap.adaptiveAvgPool1d({ data: f32(4), shape: [1, 1, 4] }, [null]),
  ],
  [
    'output size: NaN',
    'OUTPUT_SIZE',
    /outputSize must be an integer or an array, got NaN/,
    () => ap.adaptiveAvgPool2d(x4(), NaN),
  ],
  [
    'output size: Infinity entry',
    'OUTPUT_SIZE',
    /outputSize\[1\] must be an integer or null, got Infinity/,
    () => ap.adaptiveAvgPool2d(x4(), [2, Infinity]),
  ],
  [
    'output size: fraction',
    'OUTPUT_SIZE',
    /outputSize must be an integer or an array, got 1\.5/,
    () => ap.adaptiveMaxPool1d({ data: f32(4), shape: [1, 1, 4] }, 1.5),
  ],
  ['output size: string', 'OUTPUT_SIZE', /got "2"/, () => ap.adaptiveAvgPool2d(x4(), '2')],
  [
    'output size: null as a whole',
    'OUTPUT_SIZE',
    /got null/,
    () => ap.adaptiveAvgPool2d(x4(), null),
  ],
  [
    'output size: 2^31',
    'OUTPUT_SIZE',
    /less than 2\^31/,
    () => ap.adaptiveAvgPool1d({ data: f32(1), shape: [1, 1, 1] }, 2 ** 31),
  ],
  [
    'output size: bins() negative',
    'OUTPUT_SIZE',
    /bins\(\): outputSize .* got -1/,
    () => ap.bins(4, -1),
  ],
  [
    'dtype: Int32Array data',
    'DTYPE',
    /x\.data must be a Float32Array or Float64Array, got Int32Array\(16\)/,
    () => ap.adaptiveAvgPool2d({ data: new Int32Array(16), shape: [1, 1, 4, 4] }, 2),
  ],
  [
    'dtype: plain array data',
    'DTYPE',
    /x\.data must be a Float32Array or Float64Array, got \[0, 1/,
    () => ap.adaptiveAvgPool1d({ data: [0, 1, 2, 3], shape: [1, 1, 4] }, 2),
  ],
  [
    'dtype: float64 out for float32 input',
    'DTYPE',
    /options\.out must be float32, got float64/,
    () => ap.adaptiveAvgPool2d(x4(), 2, { out: fx.out64 }),
  ],
  [
    'dtype: float32 indices',
    'DTYPE',
    /indices must be an Int32Array or an int32 wasm tensor, got Float32Array\(2\)/,
    () =>
      ap.adaptiveMaxPool1dBackward(
        { data: f32(2), shape: [1, 1, 2] },
        new Float32Array(2),
        [1, 1, 4],
      ),
  ],
  [
    'dtype: int32 tensor as input',
    'DTYPE',
    /x must be float32 or float64, got an int32 wasm tensor/,
    () => ap.adaptiveAvgPool1d(fx.int32, 2),
  ],
  [
    'dtype: float32 outIndices',
    'DTYPE',
    /options\.outIndices must be int32, got float32/,
    () => ap.adaptiveMaxPool2d(x4(), 2, { outIndices: fx.out32 }),
  ],
  [
    'dtype: unknown tensor dtype',
    'DTYPE',
    /options\.dtype must be .* got "int8"/,
    () => ap.tensor([4], { dtype: 'int8' }),
  ],
  [
    'index: past the plane',
    'INDEX',
    /indices\[1\] = 9 is outside its input plane of 4 elements/,
    () =>
      ap.adaptiveMaxPool1dBackward(
        { data: f32(2), shape: [1, 1, 2] },
        new Int32Array([0, 9]),
        [1, 1, 4],
      ),
  ],
  [
    'index: negative',
    'INDEX',
    /indices\[0\] = -1/,
    () =>
      ap.adaptiveMaxPool2dBackward(
        { data: f32(1), shape: [1, 1, 1, 1] },
        new Int32Array([-1]),
        [1, 1, 2, 2],
      ),
  ],
  [
    'memory: tensor past 4 GiB',
    'MEMORY',
    /8589934592 bytes, more than wasm memory \(4 GiB\)/,
    () => ap.tensor([2 ** 30], { dtype: 'float64' }),
  ],
  [
    'memory: malloc fails',
    'MEMORY',
    /cannot allocate 4294967264 bytes/,
    () => ap.tensor([2 ** 30 - 8]),
  ],
  [
    'memory: output past 4 GiB',
    'MEMORY',
    /the output needs 4294967296 bytes/,
    () => ap.adaptiveAvgPool1d({ data: f32(1), shape: [1, 1, 1] }, 2 ** 30),
  ],
  [
    'argument: x is a number',
    'ARGUMENT',
    /x must be a tensor \{ data, shape \}, got 3/,
    () => ap.adaptiveAvgPool2d(3, 2),
  ],
  [
    'argument: options not an object',
    'ARGUMENT',
    /options must be an object, got true/,
    () => ap.adaptiveAvgPool2d(x4(), 2, true),
  ],
  [
    'argument: misspelt option',
    'ARGUMENT',
    /unknown option "chanelsLast"/,
    () => ap.adaptiveAvgPool2d(x4(), 2, { chanelsLast: true }),
  ],
  [
    'argument: channelsLast not boolean',
    'ARGUMENT',
    /channelsLast must be a boolean, got 1/,
    () => ap.adaptiveAvgPool2d(x4(), 2, { channelsLast: 1 }),
  ],
  [
    'argument: out is a plain tensor',
    'ARGUMENT',
    /options\.out must be a wasm tensor from ap\.tensor\(\)/,
    () => ap.adaptiveAvgPool2d(x4(), 2, { out: { data: f32(4), shape: [1, 1, 2, 2] } }),
  ],
  [
    'argument: out is the input',
    'ARGUMENT',
    /options\.out overlaps x/,
    () => ap.adaptiveAvgPool2d(fx.x, 4, { out: fx.x }),
  ],
  [
    'argument: out is gradOutput',
    'ARGUMENT',
    /options\.out overlaps gradOutput/,
    () => ap.adaptiveAvgPool2dBackward(fx.x, [1, 1, 4, 4], { out: fx.x }),
  ],
  [
    'argument: unknown option of a max pool',
    'ARGUMENT',
    /allowed: channelsLast, out, outIndices/,
    () => ap.adaptiveMaxPool2d(x4(), 2, { indices: fx.int32 }),
  ],
];

describe(`errors (${BUILD})`, () => {
  for (const [name, code, pattern, call] of failing) {
    test(name, () => assertApError(call, code, pattern, AdaptivePoolError));
  }

  test('disposed: tensor as input, as out, and its data', () => {
    const t = ap.tensor([1, 1, 4]);
    const o = ap.tensor([1, 1, 2]);
    t.dispose();
    t.dispose(); // idempotent
    assert.equal(t.disposed, true);
    assertApError(
      () => ap.adaptiveAvgPool1d(t, 2),
      'DISPOSED',
      /x was disposed/,
      AdaptivePoolError,
    );
    assertApError(() => t.data, 'DISPOSED', /disposed/, AdaptivePoolError);
    o.dispose();
    assertApError(
      () => ap.adaptiveAvgPool1d({ data: f32(4), shape: [1, 1, 4] }, 2, { out: o }),
      'DISPOSED',
      /options\.out was disposed/,
      AdaptivePoolError,
    );
  });

  test('disposed: a whole module refuses every call', async () => {
    const other = await loadBuild();
    const t = other.tensor([2]);
    other.dispose();
    other.dispose(); // idempotent
    assert.equal(other.disposed, true);
    assertApError(
      () => other.adaptiveAvgPool2d(x4(), 2),
      'DISPOSED',
      /adaptiveAvgPool2d\(\): this module was disposed/,
      AdaptivePoolError,
    );
    assertApError(() => other.bins(4, 2), 'DISPOSED', /bins\(\)/, AdaptivePoolError);
    assertApError(() => other.tensor([2]), 'DISPOSED', /tensor\(\)/, AdaptivePoolError);
    assertApError(() => t.data, 'DISPOSED', /disposed/, AdaptivePoolError);
  });

  test('argument: a tensor of another module', async () => {
    const other = await loadBuild();
    try {
      const t = other.tensor([1, 1, 4]);
      assertApError(
        () => ap.adaptiveAvgPool1d(t, 2),
        'ARGUMENT',
        /x is a wasm tensor of another module/,
        AdaptivePoolError,
      );
    } finally {
      other.dispose();
    }
  });

  test('argument: load() options', async () => {
    await assert.rejects(
      load({ build: 'gpu' }),
      (e) =>
        e instanceof AdaptivePoolError &&
        e.code === 'ARGUMENT' &&
        /options\.build must be 'auto', 'simd-threads', 'simd' or 'scalar', got "gpu"/.test(
          e.message,
        ),
    );
    await assert.rejects(
      load({ threads: 0 }),
      (e) =>
        e.code === 'ARGUMENT' &&
        /options\.threads must be an integer from 1 to 64, got 0/.test(e.message),
    );
    await assert.rejects(
      load({ threads: 2.5 }),
      (e) => e.code === 'ARGUMENT' && /got 2\.5/.test(e.message),
    );
    await assert.rejects(
      load({ build: 'simd', thread: 2 }),
      (e) => e.code === 'ARGUMENT' && /unknown option "thread"/.test(e.message),
    );
    await assert.rejects(
      load('simd'),
      (e) => e.code === 'ARGUMENT' && /options must be an object, got "simd"/.test(e.message),
    );
  });

  test('after every error the module still works and heap use is unchanged', () => {
    const x = { data: Float32Array.from([0, 1, 2, 3, 4, 5, 6]), shape: [1, 1, 7] };
    // Warm up first: the threaded runtime allocates a few bytes once, the first time work is split.
    ap.adaptiveAvgPool2d({ data: f32(8 * 64 * 64), shape: [8, 1, 64, 64] }, 3);
    const heap = ap.memoryInUse();
    for (let round = 0; round < 20; ++round)
      for (const [name, , , call] of failing) assert.throws(call, AdaptivePoolError, name);
    assert.equal(ap.memoryInUse(), heap, 'wasm heap bytes in use after 20 rounds of failing calls');
    assert.deepEqual(Array.from(ap.adaptiveAvgPool1d(x, 4).data), [0.5, 2, 4, 5.5]);
    assert.deepEqual(Array.from(ap.adaptiveMaxPool1d(x, 4).indices), [1, 3, 5, 6]);
    assert.equal(ap.memoryInUse(), heap, 'successful calls free their scratch memory');
  });
});
